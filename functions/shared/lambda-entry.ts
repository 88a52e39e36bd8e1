/**
 * What every Lambda entry builds once per cold start, whatever its kind: metrics and the X-Ray
 * writer, the DynamoDB client (captured for tracing), the logger. Each entry reads the settings
 * its wiring names and passes them in; the wiring itself stays the one used by the local
 * runtime and the tests.
 */
import { readDynamoEndpoint } from './config.ts';
import { createDynamoClient } from './dynamo-client.ts';
import { createLogger } from './logger.ts';
import { createObservability, type Observability } from './observability.ts';
import type { Settings, WireDeps } from './wiring.ts';

type Env = Record<string, string | undefined>;

export function lambdaEntryDeps<S extends Partial<Settings>>(
  settings: S,
  env: Env = process.env,
): { deps: WireDeps<S>; observability: Observability } {
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
