/**
 * Secrets Manager's GetSecretValue as one signed JSON 1.1 call (functions/shared/aws-json-call.ts)
 * instead of @aws-sdk/client-secrets-manager, whose endpoint rules and schemas cost the cold
 * import (docs/PERFORMANCE.md): `{"SecretId": arn}` signed for `secretsmanager`.
 */
import { type AwsJsonService, createAwsJsonClient, type Env } from './aws-json-call.ts';

export const SECRETS_MANAGER: AwsJsonService = {
  title: 'Secrets Manager',
  signingName: 'secretsmanager',
  endpointPrefix: 'secretsmanager',
  envId: 'SECRETS_MANAGER',
  jsonVersion: '1.1',
  targetPrefix: 'secretsmanager',
};

/**
 * The secret's SecretString (undefined for a binary secret). Signed with the default credential
 * chain for AWS_REGION; throttling, 500/502/503/504, timeouts and dropped connections are
 * retried with the SDK's standard backoff (3 attempts); any other error is thrown at once.
 */
export async function fetchSecretString(
  arn: string,
  env: Env = process.env,
): Promise<string | undefined> {
  const client = createAwsJsonClient(SECRETS_MANAGER, env);
  try {
    const output = await client.call('GetSecretValue', { SecretId: arn });
    return typeof output.SecretString === 'string' ? output.SecretString : undefined;
  } finally {
    // A one-off call: no keep-alive socket is left open in the container.
    client.destroy();
  }
}
