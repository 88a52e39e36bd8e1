import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptsGzip,
  conditionalGet,
  fitsLambdaPayload,
  type GetResponse,
  GZIP_MIN_BYTES,
  ifNoneMatchMatches,
  LAMBDA_RESPONSE_LIMIT_BYTES,
  lambdaPayloadBytes,
  lambdaPayloadBytesAtMost,
  strongEtag,
} from '../../functions/http/conditional-get.ts';
import { conditionalGetResponses } from '../../functions/http/conditional-get-middleware.ts';
import { lambdaContext } from '../support/events.ts';

const ok = (body: string): GetResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body,
});
const bigBody = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, x: 'y' })) });
const smallBody = '{"ok":true}';

function responseOf(outcome: ReturnType<typeof conditionalGet>): GetResponse {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
  return outcome.response;
}

describe('strongEtag', () => {
  it('is a quoted strong tag that changes with the body and only with it', () => {
    expect(strongEtag('a')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(strongEtag('a')).toBe(strongEtag('a'));
    expect(strongEtag('a')).not.toBe(strongEtag('b'));
  });
});

describe('ifNoneMatchMatches', () => {
  const tag = '"abc"';
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x","abc" , "y"', true],
    ['*', true],
    [' * ', true],
    ['"abcd"', false],
    // A strong tag whose opaque part starts with W/ is another tag, not a weak "abc".
    ['"W/abc"', false],
    ['abc', false],
    ['', false],
    ['"x"', false],
  ])('%j -> %s', (header, expected) => {
    expect(ifNoneMatchMatches(header, tag)).toBe(expected);
  });
  it('absent header never matches', () => expect(ifNoneMatchMatches(undefined, tag)).toBe(false));
});

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['br;q=1, gzip;q=0.5', true],
    ['*', true],
    ['gzip;q=0', false],
    ['gzip; q=0.000', false],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['*, gzip;q=0', false],
    ['identity', false],
    ['br', false],
    ['deflate, br', false],
    ['', false],
    ['GZIP ; Q = 0.5', true],
    ['gzip ; q = 0', false],
    // qvalues (RFC 9110 12.4.2): 0 to 1 with at most three decimals; anything else is q=0.
    ['gzip;q=1', true],
    ['gzip;q=1.000', true],
    ['gzip;q=0.125', true],
    ['gzip;q=2', false],
    ['gzip;q=10', false],
    ['gzip;q=1.0000', false],
    ['gzip;q=0.0001', false],
    ['gzip;q', false],
    ['gzip;q=abc', false],
    // A parameter other than q leaves the weight at 1.
    ['gzip;level=9', true],
  ])('%j -> %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
  it('absent header: no compression', () => expect(acceptsGzip(undefined)).toBe(false));
});

describe('conditionalGet', () => {
  it('adds a strong ETag over the body and Vary to a 200', () => {
    const response = responseOf(conditionalGet({ headers: {} }, ok(smallBody)));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(smallBody);
    expect(response.headers.etag).toBe(strongEtag(smallBody));
    expect(response.headers.vary).toBe('accept-encoding');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  it('answers 304 without a body when If-None-Match matches, and 200 when it does not', () => {
    const etag = strongEtag(bigBody);
    const hit = responseOf(
      conditionalGet(
        { headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' } },
        ok(bigBody),
      ),
    );
    expect(hit.statusCode).toBe(304);
    expect(hit.body).toBe('');
    expect(hit.isBase64Encoded).toBeUndefined();
    expect(hit.headers.etag).toBe(etag);
    expect(hit.headers.vary).toBe('accept-encoding');
    expect(hit.headers['content-type']).toBeUndefined();
    const miss = responseOf(
      conditionalGet({ headers: { 'if-none-match': strongEtag('older') } }, ok(bigBody)),
    );
    expect(miss.statusCode).toBe(200);
    expect(miss.body).toBe(bigBody);
  });

  it('reads request headers in any case', () => {
    const etag = strongEtag(smallBody);
    const headers = { Accept: 'application/json', 'If-None-Match': etag };
    const hit = responseOf(conditionalGet({ headers }, ok(smallBody)));
    expect(hit.statusCode).toBe(304);
  });

  it('answers a request without headers (a direct invocation) with the tagged 200', () => {
    const response = responseOf(conditionalGet({}, ok(smallBody)));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(smallBody);
    expect(response.headers.etag).toBe(strongEtag(smallBody));
  });

  it('gzips a body of at least 1 KiB when accepted, as base64, with the same ETag', () => {
    expect(Buffer.byteLength(bigBody)).toBeGreaterThanOrEqual(GZIP_MIN_BYTES);
    const response = responseOf(
      conditionalGet({ headers: { 'accept-encoding': 'gzip, br' } }, ok(bigBody)),
    );
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.isBase64Encoded).toBe(true);
    expect(gunzipSync(Buffer.from(response.body, 'base64')).toString()).toBe(bigBody);
    expect(response.headers.etag).toBe(strongEtag(bigBody));
    expect(response.headers.vary).toBe('accept-encoding');
  });

  it('does not gzip below 1 KiB, when not accepted, or when refused with q=0', () => {
    const justBelow = 'x'.repeat(GZIP_MIN_BYTES - 1);
    const exactly = 'x'.repeat(GZIP_MIN_BYTES);
    const gz = { 'accept-encoding': 'gzip' };
    expect(responseOf(conditionalGet({ headers: gz }, ok(justBelow))).isBase64Encoded).toBe(
      undefined,
    );
    expect(responseOf(conditionalGet({ headers: gz }, ok(exactly))).isBase64Encoded).toBe(true);
    for (const headers of [{}, { 'accept-encoding': 'gzip;q=0' }, { 'accept-encoding': 'br' }]) {
      const response = responseOf(conditionalGet({ headers }, ok(bigBody)));
      expect(response.body).toBe(bigBody);
      expect(response.headers['content-encoding']).toBeUndefined();
    }
  });

  it('leaves anything but a 200 with a text body untouched', () => {
    const notFound = { statusCode: 404, headers: {}, body: '{"success":false}' };
    expect(responseOf(conditionalGet({ headers: { 'accept-encoding': 'gzip' } }, notFound))).toBe(
      notFound,
    );
    const binary = { ...ok('AAAA'), isBase64Encoded: true };
    expect(responseOf(conditionalGet({ headers: {} }, binary))).toBe(binary);
  });

  it('reports a body over the response limit, and whether gzip would fit it', () => {
    const limit = 4_000;
    const compressible = JSON.stringify({ pad: 'a'.repeat(5_000) });
    const plainTooLarge = conditionalGet({ headers: {} }, ok(compressible), limit);
    expect(plainTooLarge).toMatchObject({
      kind: 'too-large',
      gzipAccepted: false,
      fitsWithGzip: true,
    });
    expect(
      responseOf(
        conditionalGet({ headers: { 'accept-encoding': 'gzip' } }, ok(compressible), limit),
      ).headers['content-encoding'],
    ).toBe('gzip');
    const random = JSON.stringify({
      pad: randomBytes(6_000).toString('base64'),
    });
    expect(
      conditionalGet({ headers: { 'accept-encoding': 'gzip' } }, ok(random), limit),
    ).toMatchObject({ kind: 'too-large', gzipAccepted: true, fitsWithGzip: false });
  });

  it('sends a response whose Lambda payload is exactly the limit, not one byte more', () => {
    for (const headers of [{}, { 'accept-encoding': 'gzip' }]) {
      const sent = responseOf(conditionalGet({ headers }, ok(bigBody)));
      const size = lambdaPayloadBytes(sent);
      expect(responseOf(conditionalGet({ headers }, ok(bigBody), size))).toEqual(sent);
      expect(conditionalGet({ headers }, ok(bigBody), size - 1)).toMatchObject({
        kind: 'too-large',
        rawBytes: Buffer.byteLength(bigBody),
      });
    }
  });

  it('says gzip would fit exactly when the compressed payload is within the limit', () => {
    const gzipped = responseOf(
      conditionalGet({ headers: { 'accept-encoding': 'gzip' } }, ok(bigBody)),
    );
    const size = lambdaPayloadBytes(gzipped);
    expect(conditionalGet({ headers: {} }, ok(bigBody), size)).toMatchObject({
      kind: 'too-large',
      gzipAccepted: false,
      fitsWithGzip: true,
    });
    expect(conditionalGet({ headers: {} }, ok(bigBody), size - 1)).toMatchObject({
      kind: 'too-large',
      gzipAccepted: false,
      fitsWithGzip: false,
    });
  });

  it('never tells a client that accepts gzip to accept gzip', () => {
    // Below 1 KiB the body is not compressed, so only a tiny limit makes it too large.
    const body = JSON.stringify({ pad: 'a'.repeat(900) });
    expect(Buffer.byteLength(body)).toBeLessThan(GZIP_MIN_BYTES);
    expect(conditionalGet({ headers: { 'accept-encoding': 'gzip' } }, ok(body), 600)).toMatchObject(
      { kind: 'too-large', gzipAccepted: true, fitsWithGzip: false },
    );
  });

  it('measures the escaped payload: a body that JSON escaping doubles is too large', () => {
    // 2,000 bytes, most of them backslashes and quotes that escape to two bytes each.
    const quotes = JSON.stringify(['"'.repeat(998)]);
    const limit = 2 * Buffer.byteLength(quotes);
    const outcome = conditionalGet({ headers: {} }, ok(quotes), limit);
    expect(outcome).toMatchObject({ kind: 'too-large', gzipAccepted: false, fitsWithGzip: true });
  });

  it("defaults to Lambda's 6 MB response limit", () => {
    expect(LAMBDA_RESPONSE_LIMIT_BYTES).toBe(6 * 1024 * 1024);
    const fits = JSON.stringify({ pad: 'a'.repeat(5_900_000) });
    expect(conditionalGet({ headers: {} }, ok(fits)).kind).toBe('response');
    const over = JSON.stringify({ pad: 'a'.repeat(6_300_000) });
    expect(conditionalGet({ headers: {} }, ok(over))).toMatchObject({
      kind: 'too-large',
      fitsWithGzip: true,
    });
  });
});

describe('conditionalGetResponses (the middleware in every HTTP chain)', () => {
  const body = JSON.stringify({ pad: 'a'.repeat(5_000) });
  const handlerWith = (limit: number) =>
    middy(async () => ok(body)).use(conditionalGetResponses(limit));
  const event = (method: string, headers: Record<string, string> = {}) =>
    ({ requestContext: { http: { method } }, headers }) as unknown as APIGatewayProxyEventV2;

  it('turns a body over the response limit into a 406 that says to accept gzip', async () => {
    const result = (await handlerWith(4_000)(event('GET'), lambdaContext())) as GetResponse;
    expect(result.statusCode).toBe(406);
    expect(JSON.parse(result.body)).toEqual({
      success: false,
      message: expect.stringContaining('Accept-Encoding: gzip'),
    });
    expect(result.headers.etag).toBeUndefined();
    const zipped = (await handlerWith(4_000)(
      event('GET', { 'accept-encoding': 'gzip' }),
      lambdaContext(),
    )) as GetResponse;
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
  });

  it('answers 500 with a clear message when even gzip would not fit', async () => {
    const result = (await handlerWith(100)(
      event('GET', { 'accept-encoding': 'gzip' }),
      lambdaContext(),
    )) as GetResponse;
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).message).toMatch(
      /over the API's .* response limit even compressed/,
    );
  });

  it("names the limit in MB and keeps the response's headers, for JSON with Vary", async () => {
    const large = JSON.stringify({ pad: 'a'.repeat(6_300_000) });
    const handler = middy(async () => ok(large)).use(conditionalGetResponses());
    const result = (await handler(event('GET'), lambdaContext())) as GetResponse;
    expect(result).toStrictEqual({
      statusCode: 406,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        vary: 'accept-encoding',
      },
      body: JSON.stringify({
        success: false,
        message: `The response is ${Buffer.byteLength(large)} bytes, over the API's 6 MB response limit; request it with Accept-Encoding: gzip`,
      }),
    });
  });

  it.each([
    ['nothing', undefined],
    ['null', null],
    ['a string', 'plain text'],
    ['a 200 without a body', { statusCode: 200, headers: {} }],
    ['a 200 without headers', { statusCode: 200, body }],
    ['a 200 with null headers', { statusCode: 200, headers: null, body }],
  ])('passes %s through as the handler returned it', async (_, returned) => {
    const handler = middy(async () => returned).use(conditionalGetResponses(100));
    expect(await handler(event('GET', { 'accept-encoding': 'gzip' }), lambdaContext())).toBe(
      returned,
    );
  });

  it.each([
    ['without a request context', {}],
    ['without its http part', { requestContext: {} }],
  ])('leaves an event %s (a direct invocation) alone', async (_, shape) => {
    const result = (await handlerWith(100)(
      shape as unknown as APIGatewayProxyEventV2,
      lambdaContext(),
    )) as GetResponse;
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(body);
    expect(result.headers.etag).toBeUndefined();
  });

  it('leaves other methods alone', async () => {
    const result = (await handlerWith(100)(event('POST'), lambdaContext())) as GetResponse;
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(body);
    expect(result.headers.etag).toBeUndefined();
  });
});

describe('the Lambda payload bound', () => {
  // Every UTF-16 code unit, lone surrogates and the control characters JSON escapes included.
  const anyText = fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
  });
  const anyResponse = fc.record(
    {
      statusCode: fc.constantFrom(200, 304, 406),
      headers: fc.dictionary(anyText, anyText, { maxKeys: 5 }),
      body: anyText,
      isBase64Encoded: fc.boolean(),
    },
    { requiredKeys: ['statusCode', 'headers', 'body'] },
  );

  it('is never below the measured size, whatever the strings hold', () => {
    fc.assert(
      fc.property(anyResponse, (response) => {
        expect(lambdaPayloadBytesAtMost(response)).toBeGreaterThanOrEqual(
          lambdaPayloadBytes(response),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('is reached by a body of control characters and an empty object around it', () => {
    // `\u0000` is 6 bytes for 1 unit: the bound's factor is exact for such a body.
    const response = {
      statusCode: 200,
      headers: {},
      body: '\u0000'.repeat(1_000),
      isBase64Encoded: true,
    };
    expect(lambdaPayloadBytes(response)).toBe(
      6_000 + JSON.stringify({ ...response, body: '' }).length,
    );
    const slack = lambdaPayloadBytesAtMost(response) - lambdaPayloadBytes(response);
    expect(slack).toBeGreaterThanOrEqual(0);
    expect(slack).toBeLessThan(96);
  });

  it('counts each header: many short ones on an empty body stay under the bound', () => {
    // `"a":"",` is 7 bytes for 1 code unit: the per-header 6 bytes of structure matter.
    const names = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];
    const headers = Object.fromEntries(names.map((name) => [name, '']));
    const response = { statusCode: 200, headers, body: '' };
    expect(lambdaPayloadBytesAtMost(response)).toBeGreaterThanOrEqual(lambdaPayloadBytes(response));
  });

  it('fits exactly as measured: the bound only spares the measuring far below the limit', () => {
    fc.assert(
      fc.property(anyResponse, fc.integer({ min: 0, max: 400 }), (response, limit) => {
        expect(fitsLambdaPayload(response, limit)).toBe(lambdaPayloadBytes(response) <= limit);
      }),
      { numRuns: 2_000 },
    );
  });
});
