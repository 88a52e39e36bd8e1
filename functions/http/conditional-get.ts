import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * ETag, 304 and gzip for the 200 of a GET route (DESIGN.md section 7). Pure: a request's
 * headers and a finished response in, the response to send out. API Gateway HTTP APIs do not
 * compress, so the function does it; `conditionalGetResponses`
 * (functions/http/conditional-get-middleware.ts), in the chain of every handler that serves a
 * GET route, applies it to each response.
 */

/** Bodies below this are sent as they are: gzip would save little and cost a header. */
export const GZIP_MIN_BYTES = 1024;
/**
 * Lambda's limit on a synchronous invocation's response (the whole result object as JSON,
 * body escapes and base64 included): 6 MB.
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

export interface GetResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

/** Strong validator over the exact body bytes: sha-256, base64url, quoted. */
export function strongEtag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether an If-None-Match value matches the current ETag: `*`, or any listed tag, compared
 * weakly as RFC 9110 13.1.2 requires for If-None-Match (W/"x" matches "x").
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  const wanted = opaque(etag);
  for (const match of trimmed.matchAll(/(?:W\/)?"[^"]*"/g)) {
    if (opaque(match[0]) === wanted) return true;
  }
  return false;
}

/**
 * Whether Accept-Encoding allows gzip (RFC 9110 12.5.3): `gzip` (or `x-gzip`) with q > 0, or
 * `*` with q > 0 when gzip is not named. Absent header: no compression (curl sends none).
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let gzip: number | undefined;
  let star = 0;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((s) => s.trim());
      if (name === 'q') {
        const parsed = Number(value);
        q = value !== undefined && /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? parsed : 0;
      }
    }
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (coding === '*') star = q;
  }
  if (gzip !== undefined) return gzip > 0;
  return star > 0;
}

/** The size of the invocation result Lambda would return, as JSON bytes. */
export function lambdaPayloadBytes(response: GetResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

/**
 * An upper bound of `lambdaPayloadBytes` without serializing: JSON writes each UTF-16 code unit
 * of a string in at most 6 UTF-8 bytes (`\u001f`, a lone surrogate's `\udc00`; other
 * characters 1-3 bytes, a surrogate pair 4 for its two units), each header in its two strings
 * plus 6 bytes of quotes, colon and comma, and the rest of the object (its keys, the status
 * code, `true`) in less than 96.
 */
export function lambdaPayloadBytesAtMost(response: GetResponse): number {
  let units = response.body.length;
  let headers = 0;
  for (const [name, value] of Object.entries(response.headers)) {
    units += name.length + value.length;
    headers += 1;
  }
  return 6 * units + 6 * headers + 96;
}

/**
 * Whether the invocation result fits `limitBytes`: by the bound when it is far enough below
 * (a GET body of hundreds of KB is not serialized a second time), measured otherwise.
 */
export function fitsLambdaPayload(response: GetResponse, limitBytes: number): boolean {
  return (
    lambdaPayloadBytesAtMost(response) <= limitBytes || lambdaPayloadBytes(response) <= limitBytes
  );
}

export type ConditionalOutcome =
  | { kind: 'response'; response: GetResponse }
  /**
   * The body this request would get does not fit Lambda's response limit. `fitsWithGzip`: a
   * client that accepts gzip would get it (so the answer to this one is a 406 saying so).
   */
  | { kind: 'too-large'; rawBytes: number; gzipAccepted: boolean; fitsWithGzip: boolean };

/** Lower-cased lookup in a headers object whose names may have any case. */
export function headerOf(
  headers: Record<string, string | undefined> | undefined,
  name: string,
): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/**
 * The response to send for a 200 to a GET: with ETag and Vary; a 304 without body when
 * If-None-Match matches; the body gzip-compressed (base64, as Lambda returns binary) when it is
 * at least GZIP_MIN_BYTES and accepted. Anything other than a 200 with a text body is returned
 * as it is. `limitBytes` is the Lambda response limit the result must fit.
 */
export function conditionalGet(
  request: { headers?: Record<string, string | undefined> | undefined },
  response: GetResponse,
  limitBytes = LAMBDA_RESPONSE_LIMIT_BYTES,
): ConditionalOutcome {
  if (response.statusCode !== 200 || response.isBase64Encoded === true) {
    return { kind: 'response', response };
  }
  const etag = strongEtag(response.body);
  const headers: Record<string, string> = { ...response.headers, etag, vary: 'accept-encoding' };
  if (ifNoneMatchMatches(headerOf(request.headers, 'if-none-match'), etag)) {
    const { 'content-type': _type, 'content-length': _length, ...kept } = headers;
    return { kind: 'response', response: { statusCode: 304, headers: kept, body: '' } };
  }
  const rawBytes = Buffer.byteLength(response.body);
  const gzipAccepted = acceptsGzip(headerOf(request.headers, 'accept-encoding'));
  if (gzipAccepted && rawBytes >= GZIP_MIN_BYTES) {
    const gzipped = gzipResponse(response.body, headers);
    if (!fitsLambdaPayload(gzipped, limitBytes)) {
      return { kind: 'too-large', rawBytes, gzipAccepted, fitsWithGzip: false };
    }
    return { kind: 'response', response: gzipped };
  }
  const plain: GetResponse = { ...response, headers };
  // Not the body's length: JSON escaping can double it (quotes, backslashes) or more (control
  // characters), and the headers count too; measured whenever the bound does not settle it.
  if (!fitsLambdaPayload(plain, limitBytes)) {
    const fitsWithGzip =
      !gzipAccepted && fitsLambdaPayload(gzipResponse(response.body, headers), limitBytes);
    return { kind: 'too-large', rawBytes, gzipAccepted, fitsWithGzip };
  }
  return { kind: 'response', response: plain };
}

function gzipResponse(body: string, headers: Record<string, string>): GetResponse {
  return {
    statusCode: 200,
    headers: { ...headers, 'content-encoding': 'gzip' },
    body: gzipSync(body).toString('base64'),
    isBase64Encoded: true,
  };
}
