// CORS of the deployed API (DESIGN.md section 11): the status page's origin and the origins a
// deployer lists, never a wildcard. API Gateway answers every route with the API's CORS
// configuration, so `*` there would open the authenticated routes (and their bearer-token
// answers) to every site; only the public routes' own CloudFront distribution allows any origin.
import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { StatusHttpApi } from '../../infra/constructs/status-http-api.ts';

const api = (corsAllowedOrigins: string[]) => {
  const stack = new Stack(new App(), 'Cors');
  new StatusHttpApi(stack, 'Api', {
    apiName: 'cors',
    routes: [],
    throttle: { rateLimit: 10, burstLimit: 20 },
    accessLogRetention: 1,
    corsAllowedOrigins,
  });
  return Template.fromStack(stack);
};

describe('the API allows exact origins only', () => {
  it.each([
    { origins: ['*'] },
    { origins: ['https://page.example.com', '*'] },
    { origins: ['https://*.example.com'] },
    { origins: ['null'] },
    { origins: ['https://page.example.com/path'] },
    { origins: ['page.example.com'] },
    { origins: ['ftp://page.example.com'] },
  ])('refuses $origins before anything is deployed', ({ origins }) => {
    expect(() => api(origins)).toThrow(/corsAllowedOrigins/);
  });

  it('keeps exact origins as given', () => {
    const origins = ['https://page.example.com', 'http://localhost:5173'];
    api(origins).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: { AllowOrigins: origins, AllowCredentials: Match.absent() },
    });
  });

  it('takes the origin the stack builds itself (a token: the page distribution)', () => {
    const page = Lazy.string({ produce: () => 'https://d111111abcdef8.cloudfront.net' });
    api([page, 'https://console.example.com']).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://d111111abcdef8.cloudfront.net', 'https://console.example.com'],
      },
    });
  });
});
