/**
 * Secrets Manager's GetSecretValue, built from the SDK pieces every function's bundle already
 * carries for DynamoDB (SigV4 signing, the SHA-256, the default credential chain, the Node
 * HTTP handler, the standard retry strategy and the JSON protocol's error code rules) instead
 * of @aws-sdk/client-secrets-manager, whose endpoint rules and schemas cost the cold import
 * (docs/PERFORMANCE.md). One JSON 1.1 call: `{"SecretId": arn}` signed for `secretsmanager`.
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
/** Bounded like the DynamoDB client's, so a dead endpoint fails the fetch instead of hanging. */
const CONNECTION_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;

type Env = Readonly<Record<string, string | undefined>>;

/** A Secrets Manager error answer, shaped as the SDK throws it: `name` is the error code. */
export class SecretsManagerError extends Error {
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
 * Where GetSecretValue goes, as the SDK resolves it: AWS_ENDPOINT_URL_SECRETS_MANAGER, else
 * AWS_ENDPOINT_URL (both skipped when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is `true`), else the
 * regional endpoint with the region's partition DNS suffix (amazonaws.com.cn for cn-*, ...).
 */
export function secretsManagerEndpoint(env: Env, region: string): URL {
  const configured =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true'
      ? undefined
      : env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL;
  return new URL(configured || `https://secretsmanager.${region}.${partition(region).dnsSuffix}`);
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

/** One attempt's answer: the SecretString (undefined for a binary secret), else the error. */
async function readAnswer(response: HttpResponse): Promise<string | undefined> {
  const text = await bodyText(response.body as AsyncIterable<Uint8Array>);
  let data: Record<string, unknown> | undefined;
  try {
    // An empty body is an empty object, as the SDK reads it.
    const parsed: unknown = JSON.parse(text || '{}');
    if (typeof parsed === 'object' && parsed !== null) data = parsed as Record<string, unknown>;
  } catch {
    // Never quoted in the error: a 200's body is the secret.
  }
  if (response.statusCode < 300) {
    if (data === undefined) {
      throw new SecretsManagerError(
        'SyntaxError',
        'Secrets Manager answered GetSecretValue with a body that is not JSON',
        response,
      );
    }
    return typeof data.SecretString === 'string' ? data.SecretString : undefined;
  }
  const fields = data ?? {};
  const name = loadJsonRpcErrorCode(response, fields) ?? 'Unknown';
  const message = fields.message ?? fields.Message ?? 'UnknownError';
  throw new SecretsManagerError(name, String(message), response);
}

/**
 * The secret's SecretString (undefined for a binary secret). Signed with the default credential
 * chain for AWS_REGION; throttling, 500/502/503/504, timeouts and dropped connections are
 * retried with the SDK's standard backoff (3 attempts); any other error is thrown at once.
 */
export async function fetchSecretString(
  arn: string,
  env: Env = process.env,
): Promise<string | undefined> {
  const region = regionOf(env);
  const url = secretsManagerEndpoint(env, region);
  const body = JSON.stringify({ SecretId: arn });
  const request = new HttpRequest({
    // protocol, hostname, port and path, as the SDK's clients parse their endpoint.
    ...parseUrl(url),
    method: 'POST',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-target': 'secretsmanager.GetSecretValue',
    },
    body,
  });
  const signer = new SignatureV4({
    credentials: defaultProvider(),
    region,
    service: 'secretsmanager',
    sha256: Sha256,
  });
  const handler = new NodeHttpHandler({
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  });
  const retries = new StandardRetryStrategy(MAX_ATTEMPTS);
  let token = await retries.acquireInitialRetryToken('secretsmanager');
  try {
    for (;;) {
      try {
        // Signed per attempt: a retry carries a fresh X-Amz-Date.
        const { response } = await handler.handle((await signer.sign(request)) as HttpRequest);
        // One fetch per strategy: its retry capacity needs no refund on success.
        return await readAnswer(response);
      } catch (error) {
        try {
          token = await retries.refreshRetryTokenForRetry(token, {
            errorType: retryErrorType(error),
          });
        } catch {
          throw error;
        }
      }
    }
  } finally {
    // A one-off call: no keep-alive socket is left open in the container.
    handler.destroy();
  }
}
