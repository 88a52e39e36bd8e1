import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  isServerError,
  isThrottlingError,
  isTransientError,
} from '@smithy/service-error-classification';
import { Unavailable } from '../domain/errors.ts';

export interface DynamoClientOptions {
  /** DYNAMODB_ENDPOINT: a local engine instead of AWS. */
  endpoint?: string | undefined;
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** 1 s by default; benchmarks that flood an in-process engine raise it. */
  connectionTimeoutMs?: number;
}

/**
 * One client per cold start. Timeouts and attempts are bounded so that retries with backoff
 * finish well inside the function timeout and a dead dependency becomes a 503, not a hang.
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const {
    endpoint,
    maxAttempts = 3,
    requestTimeoutMs = 2_000,
    connectionTimeoutMs = 1_000,
  } = options;
  const local = endpoint !== undefined;
  const client = new DynamoDBClient({
    maxAttempts,
    // throwOnRequestTimeout: without it the SDK only logs a warning and keeps waiting.
    requestHandler: {
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(local
      ? {
          endpoint,
          region: process.env.AWS_REGION ?? 'us-east-1',
          // Local engines accept any credentials; do not make developers configure AWS ones.
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
          },
        }
      : {}),
  });
  // The SDK's logger middleware builds a redacted deep copy of every response for its logger,
  // even when that logger is the default no-op one. We never give the SDK a logger, so the
  // copy is pure waste: removing it makes a 1,000-item Query about a third faster (bench/).
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

type SdkError = Parameters<typeof isTransientError>[0];

/**
 * True for faults that retrying later can fix, as the AWS SDK classifies them: throttling (by
 * name, 429 or the retryable trait), transient faults (timeouts, dropped sockets, 500/502/503/
 * 504, also as the cause of a wrapper) and every other 5xx. DynamoDB adds one the SDK leaves
 * out: a write that met an ongoing transaction on its item (400), which succeeds once it ends.
 */
export function isTransientDynamoError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException') return true;
  const sdkError = error as SdkError;
  try {
    return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
  } catch {
    // The classification reads the cause chain without checking it; a null cause throws.
    return false;
  }
}

/** Rethrows transient DynamoDB faults as a 503 (after the SDK's own retries); others unchanged. */
export function rethrowAsUnavailable(error: unknown): never {
  if (isTransientDynamoError(error)) {
    throw new Unavailable('The service is busy; retry shortly', 1, { cause: error });
  }
  throw error;
}
