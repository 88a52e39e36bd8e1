import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLarge, ValidationError } from '../domain/errors.ts';

/**
 * The JSON body of a user route (stats, webhooks): its bytes (base64-decoded when API Gateway
 * encoded them) bounded first, a 413 above `maxBytes`, then parsed, a 400 with
 * `invalidMessage` when it is not JSON. Each route checks the shape itself.
 */
export function jsonBody(
  event: APIGatewayProxyEventV2,
  maxBytes: number,
  invalidMessage: string,
): unknown {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.byteLength > maxBytes) {
    throw new PayloadTooLarge(`The body must be at most ${maxBytes} bytes`);
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError(invalidMessage);
  }
}
