import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type AuthenticatedContext,
  bearerToken,
  extractBearerToken,
  MAX_TOKEN_BYTES,
} from '../../functions/auth/bearer-token-middleware.ts';
import type { VerifiedToken } from '../../functions/auth/token-verifier.ts';
import { lambdaContext } from '../support/events.ts';
import { refusalOf, refusalOfCall } from './outcome.ts';

/**
 * The Authorization header parser at its edges (the pattern's anchors, the 8 KiB
 * limit at its boundary, an event with no headers at all). Each refusal is a 401 with the
 * RFC 6750 challenge and the message that says what was wrong.
 */
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

function refusal(authorization: string | undefined): { status: number; message: string } {
  const { status, message, challenge } = refusalOfCall(() => extractBearerToken(authorization));
  expect(challenge).toBe('Bearer error="invalid_token"');
  return { status, message };
}

const SHAPE = 'The Authorization header must be "Bearer <token>"';
const TOO_LONG = 'The bearer token is too long';

describe('extractBearerToken: the header pattern', () => {
  it.each([
    ['the plain form', `Bearer ${TOKEN}`],
    ['lower-case scheme', `bearer ${TOKEN}`],
    ['upper-case scheme', `BEARER ${TOKEN}`],
    ['several spaces after the scheme', `Bearer   ${TOKEN}`],
    ['trailing spaces', `Bearer ${TOKEN}  `],
  ])('accepts %s', (_, header) => {
    expect(extractBearerToken(header)).toBe(TOKEN);
  });

  it('returns the whole token, not a prefix of it', () => {
    expect(extractBearerToken('Bearer ab')).toBe('ab');
  });

  it.each([
    ['another scheme in front (start anchor)', `Basic Bearer ${TOKEN}`],
    ['junk after the token (end anchor)', `Bearer ${TOKEN} junk`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['no space after the scheme', `Bearer${TOKEN}`],
    ['a tab instead of a space', `Bearer\t${TOKEN}`],
    ['a leading space', ` Bearer ${TOKEN}`],
    ['another scheme', `Basic ${TOKEN}`],
    ['the scheme alone', 'Bearer'],
    ['the scheme and a space', 'Bearer '],
    ['a token alone', TOKEN],
  ])('refuses %s', (_, header) => {
    expect(refusal(header)).toStrictEqual({ status: 401, message: SHAPE });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('a header that is %s: 401 "required"', (_, header) => {
    expect(refusal(header)).toStrictEqual({
      status: 401,
      message: 'A bearer token is required',
    });
  });
});

describe('extractBearerToken: the 8 KiB limit', () => {
  it('is 8,192 bytes', () => {
    expect(MAX_TOKEN_BYTES).toBe(8192);
  });

  it('accepts a token of exactly 8,192 bytes', () => {
    const token = 'a'.repeat(8192);
    expect(extractBearerToken(`Bearer ${token}`)).toBe(token);
  });

  it('refuses a token of 8,193 bytes', () => {
    expect(refusal(`Bearer ${'a'.repeat(8193)}`)).toStrictEqual({ status: 401, message: TOO_LONG });
  });

  it('checks the raw header before the pattern: an oversized header is "too long", not malformed', () => {
    // 8,200 characters that the pattern would refuse as malformed: the size check comes first.
    const header = `Bearer ${'a'.repeat(4096)} ${'b'.repeat(4096)}`;
    expect(header.length).toBe(8200);
    expect(refusal(header)).toStrictEqual({ status: 401, message: TOO_LONG });
  });

  it('a raw header of 8,199 characters (scheme, one space, 8,192) passes the raw check', () => {
    // Padded with a second space it is 8,200 long: refused before the pattern runs.
    const token = 'a'.repeat(8192);
    expect(extractBearerToken(`Bearer ${token}`)).toBe(token);
    expect(refusal(`Bearer  ${token}`)).toStrictEqual({ status: 401, message: TOO_LONG });
  });

  it('the raw check counts the whole header: a shorter token with padding up to 8,199 passes', () => {
    const token = 'a'.repeat(8000);
    expect(extractBearerToken(`Bearer ${token}${' '.repeat(192)}`)).toBe(token);
    expect(refusal(`Bearer ${token}${' '.repeat(193)}`)).toStrictEqual({
      status: 401,
      message: TOO_LONG,
    });
  });
});

describe('bearerToken middleware', () => {
  const principal: VerifiedToken = { userId: 'user-1', issuedAt: 1 };

  const run = async (event: Partial<APIGatewayProxyEventV2>) => {
    const seen: string[] = [];
    const middleware = bearerToken(async (token) => {
      seen.push(token);
      return principal;
    });
    const context = lambdaContext() as AuthenticatedContext;
    await middleware.before?.({
      event: event as APIGatewayProxyEventV2,
      context,
      response: undefined,
      error: undefined,
      internal: {},
    });
    return { seen, context };
  };

  it('puts the verified principal on the context, verifying the header token', async () => {
    const { seen, context } = await run({ headers: { authorization: `Bearer ${TOKEN}` } });
    expect(seen).toStrictEqual([TOKEN]);
    expect(context.principal).toBe(principal);
  });

  it('an event with no headers at all is a 401, not a TypeError (500)', async () => {
    expect(await refusalOf(run({}))).toStrictEqual({
      status: 401,
      message: 'A bearer token is required',
      challenge: 'Bearer error="invalid_token"',
      retryAfter: undefined,
    });
  });
});
