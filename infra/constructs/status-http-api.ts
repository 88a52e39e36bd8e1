import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** One route of functions/route-table.ts on the function that serves it. */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly path: string;
  /** The serving function's name in the route table (names its integration). */
  readonly functionName: string;
  readonly function: lambda.IFunction;
}

/**
 * One JSON object per request. Only $context variables: no headers, so bearer tokens and node
 * signatures never reach the logs; the route key (`GET /public/{token}/status`), never the path,
 * so neither does a share token (DESIGN.md section 17). Every value is quoted so that an empty
 * variable still leaves valid JSON.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
} as const;

export interface ThrottleLimits {
  /** Steady-state requests per second across the stage. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  readonly burstLimit: number;
}

export interface StatusHttpApiProps {
  readonly apiName: string;
  /** The API's whole surface; anything else gets API Gateway's 404. */
  readonly routes: readonly ApiRoute[];
  readonly throttle: ThrottleLimits;
  readonly accessLogRetention: logs.RetentionDays;
  /** Browser origins allowed to call GET /bucket/{bucketId}/status. No CORS when absent. */
  readonly corsAllowedOrigins?: readonly string[] | undefined;
}

/**
 * An origin the API's CORS may name: exactly `http(s)://host[:port]`, never a wildcard. API
 * Gateway applies the API's CORS to every route, so `*` would let any site read the answers of
 * the authenticated routes; only the public routes' own distribution allows any origin.
 * Unresolved tokens (the status page's distribution) are origins the stack builds itself.
 */
function checkCorsOrigin(origin: string): void {
  if (Token.isUnresolved(origin)) return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (
    origin.includes('*') ||
    parsed === undefined ||
    !['https:', 'http:'].includes(parsed.protocol) ||
    parsed.origin !== origin
  ) {
    throw new Error(
      `corsAllowedOrigins must list exact origins such as https://console.example.com (no path, no wildcard): ${JSON.stringify(origin)}`,
    );
  }
}

/**
 * The HTTP API: exactly the route table's routes, all Lambda proxy integrations with payload format 2.0,
 * no `$default` route, served from the `$default` stage so the deployed paths are the same as
 * the local runtime's. Tokens and node signatures are verified in the functions (DESIGN.md), so
 * routes carry no API Gateway authorizer.
 */
export class StatusHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StatusHttpApiProps) {
    super(scope, id);
    const { rateLimit, burstLimit } = props.throttle;
    if (![rateLimit, burstLimit].every((limit) => Number.isInteger(limit) && limit > 0)) {
      throw new Error(`throttle limits must be positive integers (got ${rateLimit}/${burstLimit})`);
    }

    const origins = props.corsAllowedOrigins ?? [];
    for (const origin of origins) checkCorsOrigin(origin);
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'bucket-status: node heartbeats in, per-bucket node status out',
      createDefaultStage: false,
      ...(origins.length > 0 && {
        corsPreflight: {
          allowOrigins: [...origins],
          // Only the user-facing reads are meant for browsers; nodes call from servers.
          allowMethods: [CorsHttpMethod.GET],
          // If-None-Match: the status page revalidates with the ETag it holds.
          allowHeaders: ['authorization', 'if-none-match'],
          exposeHeaders: ['etag', 'retry-after', 'www-authenticate'],
          maxAge: Duration.hours(1),
        },
      }),
    });

    // One integration per function, shared by its routes (ids: StatusIntegration, ...).
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.functionName);
      if (integration === undefined) {
        const id = `${route.functionName[0]?.toUpperCase()}${route.functionName.slice(1)}Integration`;
        integration = new HttpLambdaIntegration(id, route.function);
        integrations.set(route.functionName, integration);
      }
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }

  /** Base URL of the API, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/ */
  get url(): string {
    return this.stage.url;
  }
}
