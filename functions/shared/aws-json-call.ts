/**
 * One call of an AWS service that speaks the JSON protocol (awsJson1_0 / awsJson1_1), built from
 * the SDK pieces every function's bundle already carries for DynamoDB (SigV4 signing, the
 * SHA-256, the default credential chain, the Node HTTP handler, the standard retry strategy, the
 * partition table and the JSON protocol's error code rules) instead of a generated client, whose
 * endpoint rules and schemas cost the cold import (docs/PERFORMANCE.md).
 */
import { partition } from '@aws-sdk/core/client';
import { loadJsonRpcErrorCode } from '@aws-sdk/core/protocols';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { HttpRequest, type HttpResponse, parseUrl } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SDK's standard retry mode: 3 attempts in all. */
const MAX_ATTEMPTS = 3;
/** Bounded like the DynamoDB client's, so a dead endpoint fails the call instead of hanging. */
const CONNECTION_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;

export type Env = Readonly<Record<string, string | undefined>>;

/** What tells one JSON-protocol service from another, as the SDK's generated client has it. */
export interface AwsJsonService {
  /** How errors and this module's messages name the service: `Secrets Manager`. */
  readonly title: string;
  /** The SigV4 signing name: `secretsmanager`, `sqs`, `events`. */
  readonly signingName: string;
  /** The regional endpoint's first label: https://<prefix>.<region>.<dnsSuffix>. */
  readonly endpointPrefix: string;
  /** The SDK's service id for its configured endpoint: AWS_ENDPOINT_URL_<envId>. */
  readonly envId: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** X-Amz-Target is `<targetPrefix>.<Operation>`. */
  readonly targetPrefix: string;
  /** The service's @awsQueryCompatible trait: the SDK sends `x-amzn-query-mode: true`. */
  readonly queryCompatible?: boolean;
}

/** A service's error answer, shaped as the SDK throws it: `name` is the error code. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId: string | undefined };

  constructor(name: string, message: string, response: HttpResponse) {
    super(message);
    this.name = name;
    this.$fault = response.statusCode < 500 ? 'client' : 'server';
    this.$metadata = {
      httpStatusCode: response.statusCode,
      requestId: response.headers['x-amzn-requestid'],
    };
  }
}

/**
 * Where the service's calls go, as the SDK resolves it: AWS_ENDPOINT_URL_<envId>, else
 * AWS_ENDPOINT_URL (both skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is `true`), else the
 * regional endpoint with the region's partition DNS suffix (amazonaws.com.cn for cn-*, ...).
 */
export function serviceEndpoint(service: AwsJsonService, env: Env, region: string): URL {
  const configured =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : env[`AWS_ENDPOINT_URL_${service.envId}`] || env.AWS_ENDPOINT_URL;
  return new URL(
    configured || `https://${service.endpointPrefix}.${region}.${partition(region).dnsSuffix}`,
  );
}

/** The region the request is signed for and sent to: AWS_REGION, as the Lambda runtime sets it. */
export function regionOf(env: Env): string {
  const region = env.AWS_REGION;
  if (region === undefined || !/^[a-z0-9-]+$/.test(region)) {
    throw new Error('AWS_REGION is missing or not a region name');
  }
  return region;
}

/**
 * How the SDK's retry middleware classifies a failed attempt. The standard strategy retries
 * THROTTLING and TRANSIENT only; the SDK's SERVER_ERROR (another 5xx) is refused like a
 * CLIENT_ERROR, so it is not told apart here.
 */
function retryErrorType(error: unknown) {
  const sdkError = error as Parameters<typeof isTransientError>[0];
  if (isThrottlingError(sdkError)) return 'THROTTLING' as const;
  if (isTransientError(sdkError)) return 'TRANSIENT' as const;
  return 'CLIENT_ERROR' as const;
}

async function bodyText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** One attempt's answer: the output object, else the service's error. */
async function readAnswer(
  service: AwsJsonService,
  operation: string,
  response: HttpResponse,
): Promise<Record<string, unknown>> {
  const text = await bodyText(response.body as AsyncIterable<Uint8Array>);
  let data: Record<string, unknown> | undefined;
  try {
    // An empty body is an empty object, as the SDK reads it.
    const parsed: unknown = JSON.parse(text || '{}');
    if (typeof parsed === 'object' && parsed !== null) data = parsed as Record<string, unknown>;
  } catch {
    // Never quoted in the error: a 200's body may be a secret.
  }
  if (response.statusCode < 300) {
    if (data === undefined) {
      throw new AwsServiceError(
        'SyntaxError',
        `${service.title} answered ${operation} with a body that is not JSON`,
        response,
      );
    }
    return data;
  }
  const fields = data ?? {};
  const name = loadJsonRpcErrorCode(response, fields) ?? 'Unknown';
  const message = fields.message ?? fields.Message ?? 'UnknownError';
  throw new AwsServiceError(name, String(message), response);
}

export interface AwsJsonClient {
  /**
   * The operation's output. `endpoint` may replace the resolved endpoint (SQS sends to its
   * QueueUrl's origin). Throttling, 500/502/503/504, timeouts and dropped connections are
   * retried with the SDK's standard backoff (3 attempts per call); any other error is thrown
   * at once.
   */
  call(
    operation: string,
    input: Readonly<Record<string, unknown>>,
    endpoint?: (resolved: URL) => URL,
  ): Promise<Record<string, unknown>>;
  /** Closes its kept-alive sockets. */
  destroy(): void;
}

/**
 * In Lambda, the invocation's X-Ray trace header, as the SDK clients send it (their recursion
 * detection), so that SQS carries the trace to the message's consumer. Not signed: SigV4 leaves
 * `x-amzn-trace-id` out.
 */
export function traceHeader(env: Env): Record<string, string> {
  const trace = env._X_AMZN_TRACE_ID;
  return env.AWS_LAMBDA_FUNCTION_NAME && trace ? { 'x-amzn-trace-id': trace } : {};
}

/**
 * A client of one JSON-protocol service, signed with the default credential chain for
 * AWS_REGION (read at each call). Its HTTP handler keeps connections alive between calls, as
 * the SDK's clients do.
 */
export function createAwsJsonClient(
  service: AwsJsonService,
  env: Env = process.env,
): AwsJsonClient {
  const credentials = defaultProvider();
  const handler = new NodeHttpHandler({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  });
  return {
    async call(operation, input, endpoint = (resolved) => resolved) {
      const region = regionOf(env);
      const url = endpoint(serviceEndpoint(service, env, region));
      const body = JSON.stringify(input);
      const request = new HttpRequest({
        // protocol, hostname, port and path, as the SDK's clients parse their endpoint.
        ...parseUrl(url),
        method: 'POST',
        headers: {
          host: url.host,
          'content-type': `application/x-amz-json-${service.jsonVersion}`,
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-target': `${service.targetPrefix}.${operation}`,
          ...(service.queryCompatible === true && { 'x-amzn-query-mode': 'true' }),
          ...traceHeader(env),
        },
        body,
      });
      const signer = new SignatureV4({
        credentials,
        region,
        service: service.signingName,
        sha256: Sha256,
      });
      // One strategy per call: its retry capacity needs no refund on success.
      const retries = new StandardRetryStrategy(MAX_ATTEMPTS);
      let token = await retries.acquireInitialRetryToken(service.signingName);
      for (;;) {
        try {
          // Signed per attempt: a retry carries a fresh X-Amz-Date.
          const { response } = await handler.handle((await signer.sign(request)) as HttpRequest);
          return await readAnswer(service, operation, response);
        } catch (error) {
          try {
            token = await retries.refreshRetryTokenForRetry(token, {
              errorType: retryErrorType(error),
            });
          } catch {
            throw error;
          }
          // The strategy waits out its backoff itself and hands back a token of delay 0; a
          // strategy that only names the delay is waited out here.
          await new Promise((resolve) => setTimeout(resolve, token.getRetryDelay()));
        }
      }
    },
    destroy() {
      handler.destroy();
    },
  };
}
