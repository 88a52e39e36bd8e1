import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { PayloadTooLarge, ValidationError } from '../../functions/domain/errors.ts';
import { jsonBody } from '../../functions/http/json-body.ts';

/** The JSON body of a user route: bounded in bytes first (413), then parsed (400). */

const event = (body: string | undefined, isBase64Encoded = false) =>
  ({ ...(body !== undefined && { body }), isBase64Encoded }) as APIGatewayProxyEventV2;

describe('jsonBody', () => {
  it('parses a body of exactly the limit, and refuses one byte more with a 413', () => {
    const body = JSON.stringify({ name: 'é'.repeat(10) });
    const bytes = Buffer.byteLength(body);
    expect(jsonBody(event(body), bytes, 'not JSON')).toEqual({ name: 'é'.repeat(10) });
    expect(() => jsonBody(event(body), bytes - 1, 'not JSON')).toThrow(
      new PayloadTooLarge(`The body must be at most ${bytes - 1} bytes`),
    );
  });

  it('counts and parses the decoded bytes of a base64 body', () => {
    const body = JSON.stringify({ url: 'https://hooks.example.com/in' });
    const encoded = Buffer.from(body).toString('base64');
    const bytes = Buffer.byteLength(body);
    expect(jsonBody(event(encoded, true), bytes, 'not JSON')).toEqual(JSON.parse(body));
    expect(() => jsonBody(event(encoded, true), bytes - 1, 'not JSON')).toThrow(PayloadTooLarge);
  });

  it('an absent or malformed body is a 400 with the route message, never a 413', () => {
    expect(() => jsonBody(event(undefined), 4, 'The body must be JSON')).toThrow(
      new ValidationError('The body must be JSON'),
    );
    expect(() => jsonBody(event('{'), 4, 'The body must be JSON')).toThrow(ValidationError);
  });
});
