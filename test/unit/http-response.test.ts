import { describe, expect, it } from 'vitest';
import {
  Conflict,
  DomainError,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  Unauthenticated,
  Unavailable,
  ValidationError,
} from '../../functions/domain/errors.ts';
import { errorResponse, httpStatusOf, jsonResponse } from '../../functions/http/response.ts';

/** The one error-to-HTTP mapping, every branch (the HTTP layer is in mutation scope). */
const BASE = {
  'content-type': 'application/json',
  // DESIGN.md section 7's security headers, on every response.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

describe('errorResponse', () => {
  it.each([
    [new ValidationError('bad id'), 400, {}],
    [
      new Unauthenticated('no token', 'bearer-token'),
      401,
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    ],
    [
      new Unauthenticated('bad signature', 'node-signature'),
      401,
      { 'www-authenticate': 'NodeSignature realm="bucket-status"' },
    ],
    [new Forbidden('disabled'), 403, {}],
    [new NotFound('no bucket'), 404, {}],
    [new Conflict('exists'), 409, {}],
    [new PayloadTooLarge('too big'), 413, {}],
    [new RateLimited('slow down', 7), 429, { 'retry-after': '7' }],
    [new Unavailable('try later', 3), 503, { 'retry-after': '3' }],
  ] as const)('%s: %d with its headers and message', (error, status, headers) => {
    const response = errorResponse(error);
    expect(response).toStrictEqual({
      statusCode: status,
      headers: { ...BASE, ...headers },
      body: JSON.stringify({ success: false, message: error.message }),
    });
    expect(httpStatusOf(error)).toStrictEqual({ statusCode: status, headers });
  });

  it('adds the error details next to success and message', () => {
    const error = new Unavailable('partly', 1, { details: { accepted: ['b-1'], rejected: [] } });
    expect(JSON.parse(errorResponse(error).body)).toStrictEqual({
      success: false,
      message: 'partly',
      accepted: ['b-1'],
      rejected: [],
    });
  });

  it('an unmapped domain error is a generic 500: its message does not reach the client', () => {
    class Unmapped extends DomainError {}
    const error = new Unmapped('table pk=USER#x is corrupt');
    expect(httpStatusOf(error)).toStrictEqual({ statusCode: 500, headers: {} });
    expect(errorResponse(error)).toStrictEqual({
      statusCode: 500,
      headers: BASE,
      body: '{"success":false,"message":"Internal server error"}',
    });
  });

  it.each([new Error('ECONNRESET at 10.0.0.1'), 'a string', undefined, { statusCode: 400 }])(
    'anything else (%s) is a generic 500',
    (error) => {
      expect(errorResponse(error)).toStrictEqual({
        statusCode: 500,
        headers: BASE,
        body: '{"success":false,"message":"Internal server error"}',
      });
    },
  );
});

describe('jsonResponse', () => {
  it('serializes the body and lets given headers add to and override the base ones', () => {
    expect(jsonResponse(200, { a: 1 }, { etag: '"x"', 'cache-control': 'private' })).toStrictEqual({
      statusCode: 200,
      headers: { ...BASE, etag: '"x"', 'cache-control': 'private' },
      body: '{"a":1}',
    });
    expect(jsonResponse(201, [1])).toStrictEqual({ statusCode: 201, headers: BASE, body: '[1]' });
  });
});
