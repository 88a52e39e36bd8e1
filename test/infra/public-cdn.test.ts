// The public routes of share tokens in the stack (DESIGN.md section 17): served through a
// CloudFront distribution whose behaviours are exactly the public routes, each cached by path
// plus only the query parameters its route reads, for its max-age; the public function reads
// the table and nothing else (no token key, no other secret); the API's access log names the
// route key, never the path a token is in.
import { describe, expect, it } from 'vitest';
import {
  BADGE_MAX_AGE_SECONDS,
  PUBLIC_MAX_AGE_SECONDS,
} from '../../functions/http/public-responses.ts';
import { ROUTES } from '../../functions/route-table.ts';
import { PUBLIC_CACHE_RULES } from '../../infra/constructs/public-cdn.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/status-http-api.ts';
import { resourcesOfType, synthesize } from './synth-stack.ts';

const { stack, template } = synthesize();
const distributions = resourcesOfType(template, 'AWS::CloudFront::Distribution');
const apiId = stack.getLogicalId(stack.httpApi.api.node.defaultChild as never);
const publicDistribution = Object.values(distributions).find((d) =>
  JSON.stringify(d.Properties.DistributionConfig.Origins).includes(apiId),
)?.Properties.DistributionConfig;
const policies = resourcesOfType(template, 'AWS::CloudFront::CachePolicy');

/** The cache policy of a behaviour, by its logical id reference. */
const policyOf = (behaviour: { CachePolicyId: { Ref: string } }) =>
  policies[behaviour.CachePolicyId.Ref]?.Properties.CachePolicyConfig;

/** The CloudFront path pattern of a public route of the table: the token is the `*`. */
const patternOf = (path: string) => path.replace('{token}', '*');

describe('the public routes behind CloudFront', () => {
  it('a distribution with the API as its origin, over HTTPS only, logs off', () => {
    expect(publicDistribution).toBeDefined();
    expect(publicDistribution.Origins).toHaveLength(1);
    expect(publicDistribution.Origins[0].CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
    });
    // Standard logs record paths, and a public path carries a token.
    expect(publicDistribution.Logging).toBeUndefined();
  });

  it('one behaviour per public route of the table, GET/HEAD only', () => {
    const publicRoutes = ROUTES.filter((r) => r.path.startsWith('/public/'));
    const patterns = publicDistribution.CacheBehaviors.map(
      (b: { PathPattern: string }) => b.PathPattern,
    );
    expect(patterns.sort()).toEqual(publicRoutes.map((r) => patternOf(r.path)).sort());
    for (const behaviour of publicDistribution.CacheBehaviors) {
      expect(behaviour.ViewerProtocolPolicy).toBe('https-only');
      expect(behaviour.AllowedMethods.sort()).toEqual(['GET', 'HEAD']);
    }
  });

  it.each([
    ['/public/*/status', [], PUBLIC_MAX_AGE_SECONDS],
    ['/public/*/uptime', ['days'], PUBLIC_MAX_AGE_SECONDS],
    ['/public/*/health', [], PUBLIC_MAX_AGE_SECONDS],
    ['/public/*/health/events', ['cursor', 'limit'], PUBLIC_MAX_AGE_SECONDS],
    ['/public/*/badge.svg', ['days', 'show'], BADGE_MAX_AGE_SECONDS],
  ])('%s: cached by path and %j, for %i s', (pattern, queryStrings, ttl) => {
    const behaviour = publicDistribution.CacheBehaviors.find(
      (b: { PathPattern: string }) => b.PathPattern === pattern,
    );
    const policy = policyOf(behaviour);
    expect(policy.DefaultTTL).toBe(ttl);
    expect(policy.MaxTTL).toBe(ttl);
    expect(policy.MinTTL).toBe(0);
    const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.HeadersConfig.HeaderBehavior).toBe('none');
    expect(key.CookiesConfig.CookieBehavior).toBe('none');
    if (queryStrings.length === 0) {
      expect(key.QueryStringsConfig.QueryStringBehavior).toBe('none');
    } else {
      expect(key.QueryStringsConfig.QueryStringBehavior).toBe('whitelist');
      expect([...key.QueryStringsConfig.QueryStrings].sort()).toEqual(queryStrings);
    }
    // The TTL is the route's own max-age (functions/http/public-responses.ts).
    expect(PUBLIC_CACHE_RULES.find((r) => r.pathPattern === pattern)?.ttlSeconds).toBe(ttl);
  });

  it('answers CORS for any origin at the edge', () => {
    const [policy] = Object.values(
      resourcesOfType(template, 'AWS::CloudFront::ResponseHeadersPolicy'),
    )
      .map((p) => p.Properties.ResponseHeadersPolicyConfig)
      .filter((c) => c.CorsConfig !== undefined);
    expect(policy.CorsConfig.AccessControlAllowOrigins.Items).toEqual(['*']);
    expect(policy.CorsConfig.AccessControlAllowCredentials).toBe(false);
    expect(policy.CorsConfig.OriginOverride).toBe(true);
  });

  it('outputs the public URL', () => {
    expect(template.findOutputs('PublicUrl')).toHaveProperty('PublicUrl');
  });
});

describe('what the public function may read, and what is logged', () => {
  it('no token key for the public function (the cursor key only); the page URL for the share routes', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const publicId = stack.getLogicalId(stack.functions.public.function.node.defaultChild as never);
    const env = functions[publicId]?.Properties.Environment.Variables;
    const keyMaterial = /^(JWT_SECRET|JWT_SECRET_ARN|JWT_PUBLIC_KEY|JWT_JWKS_URL)$|SECRET/;
    expect(Object.keys(env).filter((k) => keyMaterial.test(k))).toEqual([
      'EVENTS_CURSOR_SECRET_ARN',
    ]);
    const manageId = stack.getLogicalId(stack.functions.manage.function.node.defaultChild as never);
    expect(functions[manageId]?.Properties.Environment.Variables.STATUS_PAGE_URL).toBeDefined();
    const publicRole = stack.getLogicalId(stack.functions.public.role.node.defaultChild as never);
    const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === publicRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    // The health events cursor's key, and no other secret (never the token key).
    const secretReads = statements.filter((s: { Action: string | string[] }) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(secretReads.map((s: { Resource: unknown }) => s.Resource)).toEqual([
      { Ref: stack.getLogicalId(stack.eventsCursorSecret.node.defaultChild as never) },
    ]);
    expect(actions.filter((a: string) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
  });

  it('the badge route is served by a function of its own: GetItem and Query, no secret, no key', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const badgeFn = stack.getLogicalId(stack.functions.badge.function.node.defaultChild as never);
    const publicFn = stack.getLogicalId(stack.functions.public.function.node.defaultChild as never);
    // API Gateway sends the badge's route key to the badge function, every other public
    // route to the public function (CloudFront's behaviours forward to the API either way).
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
    const targetOf = (routeKey: string) => {
      const route = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).find(
        (r) => r.Properties.RouteKey === routeKey,
      );
      const integrationId = route?.Properties.Target['Fn::Join'][1][1].Ref as string;
      return integrations[integrationId]?.Properties.IntegrationUri['Fn::GetAtt'][0];
    };
    for (const route of ROUTES.filter((r) => r.path.startsWith('/public/'))) {
      const key = `${route.method} ${route.path}`;
      expect(targetOf(key), key).toBe(key.endsWith('/badge.svg') ? badgeFn : publicFn);
    }
    const env = functions[badgeFn]?.Properties.Environment.Variables;
    const keyMaterial = /^(JWT_SECRET|JWT_SECRET_ARN|JWT_PUBLIC_KEY|JWT_JWKS_URL)$|SECRET/;
    expect(Object.keys(env).filter((k) => keyMaterial.test(k))).toEqual([]);
    const badgeRole = stack.getLogicalId(stack.functions.badge.role.node.defaultChild as never);
    const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === badgeRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('secretsmanager:'))).toEqual([]);
    expect(actions.filter((a: string) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]);
    // The table alone: no index, no stream, no other resource.
    const tableId = stack.getLogicalId(stack.table.node.defaultChild as never);
    for (const statement of statements.filter((s: { Action: string | string[] }) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
    )) {
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    }
  });

  it('the API access log has the route key and no path', () => {
    expect(ACCESS_LOG_FIELDS.routeKey).toBe('$context.routeKey');
    const [stage] = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'));
    const format = stage?.Properties.AccessLogSettings.Format as string;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toMatch(/\$context\.(path|resourcePath)|requestOverride|rawPath/);
  });
});
