/**
 * What every Lambda entry builds once per cold start, whatever its kind: metrics and the X-Ray
 * writer, the DynamoDB client (captured for tracing), the logger, and the settings its wiring's
 * `settingReaders` name (those of its FUNCTIONS entry), each read by its own reader; the wiring
 * itself stays the one used by the local runtime and the tests.
 */
import { type Env, type Readers, readDynamoEndpoint, readSettings } from './config.ts';
import { createDynamoClient } from './dynamo-client.ts';
import { createLogger } from './logger.ts';
import { createObservability, type Observability } from './observability.ts';
import type { Settings, WireDeps } from './wiring.ts';

export function lambdaEntryDeps<R extends Readers>(
  readers: R,
  env: Env = process.env,
): {
  deps: WireDeps<{ [K in keyof R]: ReturnType<R[K]> } & Partial<Settings>>;
  observability: Observability;
} {
  const settings = readSettings(env, readers);
  // Metrics and X-Ray subsegments (observability.ts): Lambda entries only.
  const observability = createObservability(env);
  return {
    observability,
    deps: {
      client: observability.tracer.captureDynamoClient(
        createDynamoClient({ endpoint: readDynamoEndpoint(env) }),
      ),
      settings,
      logger: createLogger('bucket-status'),
      metrics: observability.metrics,
    },
  };
}
