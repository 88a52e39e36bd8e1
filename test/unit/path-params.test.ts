import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.ts';
import { pathId } from '../../functions/http/path-params.ts';

/** The one reader of path ids: a valid id, or a 400 naming the parameter. */

const event = (pathParameters?: Record<string, string>) =>
  ({ ...(pathParameters && { pathParameters }) }) as APIGatewayProxyEventV2;
const invalid = (name: string) =>
  new ValidationError(`${name} must be 1-128 characters of A-Z, a-z, 0-9, _ or -`);

describe('pathId', () => {
  it('returns a valid id', () => {
    expect(pathId(event({ bucketId: 'b-1_A' }), 'bucketId')).toBe('b-1_A');
  });

  it.each([
    ['with no path parameters at all', event()],
    ['without that parameter', event({ workspaceId: 'w-1' })],
    ['with a key separator in it', event({ bucketId: 'b#1' })],
  ])('is a 400 naming the parameter for an event %s', (_, e) => {
    expect(() => pathId(e, 'bucketId')).toThrow(invalid('bucketId'));
  });
});
