import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError } from '../domain/errors.ts';
import { isValidId } from '../domain/ids.ts';

/**
 * An id from the route's path (`bucketId`, `workspaceId`, `webhookId`): 1-128 characters of
 * [A-Za-z0-9_-], else a 400 naming the parameter. The one reader of path ids for every handler,
 * so no key separator (`#`) or path syntax reaches a DynamoDB key.
 */
export function pathId(event: APIGatewayProxyEventV2, name: string): string {
  const value = event.pathParameters?.[name];
  if (!isValidId(value)) {
    throw new ValidationError(`${name} must be 1-128 characters of A-Z, a-z, 0-9, _ or -`);
  }
  return value;
}
