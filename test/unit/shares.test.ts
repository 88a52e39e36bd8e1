// The pure parts of sharing (DESIGN.md section 17): the token's form and hash, a new share's
// body, the share's access decision, the public headers, and what a badge says.
import { describe, expect, it } from 'vitest';
import {
  parseBadgeShow,
  uptimeBadge,
  uptimePercent,
  verdictBadge,
} from '../../functions/badge/badge.ts';
import { ValidationError } from '../../functions/domain/errors.ts';
import {
  generateShareToken,
  isShareToken,
  parseNewShare,
  SHARE_NOT_FOUND_MESSAGE,
  shareBucketRead,
  shareTokenHash,
} from '../../functions/domain/shares.ts';
import { publicResponses } from '../../functions/http/public-responses.ts';
import { openShare } from '../../functions/reads/open-share.ts';
import type { UptimeResponse } from '../../functions/wire/history.ts';

describe('share tokens', () => {
  it('bss_ and 43 base64url characters of 32 random bytes, never twice the same', () => {
    const a = generateShareToken();
    expect(a).toMatch(/^bss_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(generateShareToken()).not.toBe(a);
    expect(isShareToken(a)).toBe(true);
  });

  it.each([
    undefined,
    42,
    '',
    'bss_',
    `bss_${'A'.repeat(42)}`,
    `bss_${'A'.repeat(44)}`,
    `BSS_${'A'.repeat(43)}`,
    `bsk_${'A'.repeat(43)}`,
    `bss_${'A'.repeat(42)}=`,
    `bss_${'A'.repeat(42)}/`,
    `bss_${'A'.repeat(42)}+`,
    ` bss_${'A'.repeat(43)}`,
    `bss_${'A'.repeat(43)}\n`,
  ])('%j is no token', (value) => {
    expect(isShareToken(value)).toBe(false);
  });

  it('a value that only reads as a token is none', () => {
    const token = generateShareToken();
    expect(isShareToken([token])).toBe(false);
    expect(isShareToken({ toString: () => token })).toBe(false);
    expect(isShareToken(new String(token))).toBe(false);
  });

  it('the hash is base64url SHA-256 of the token text', () => {
    expect(shareTokenHash('bss_x')).toBe('ASordAAgzNzXZkYReNWy_QaZZavh-h03XWjm-IzYjxY');
    expect(shareTokenHash(`bss_${'A'.repeat(43)}`)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('parseNewShare', () => {
  it('defaults, and what it keeps', () => {
    expect(parseNewShare(undefined)).toEqual({ label: undefined, showIps: false });
    expect(parseNewShare({})).toEqual({ label: undefined, showIps: false });
    expect(parseNewShare({ label: null, showIps: true })).toEqual({
      label: undefined,
      showIps: true,
    });
    expect(parseNewShare({ label: '' })).toEqual({ label: undefined, showIps: false });
    expect(parseNewShare({ label: 'ops', showIps: false })).toEqual({
      label: 'ops',
      showIps: false,
    });
    expect(parseNewShare({ label: '😀'.repeat(256) }).label).toHaveLength(512);
  });

  it.each([
    [null, 'body must be a JSON object { "label"?, "showIps"? }'],
    [[], 'body must be a JSON object { "label"?, "showIps"? }'],
    ['x', 'body must be a JSON object { "label"?, "showIps"? }'],
    [{ other: 1 }, 'unknown field: other'],
    [{ showIps: 'true' }, 'showIps must be true or false'],
    [{ showIps: null }, 'showIps must be true or false'],
    [{ label: 3 }, 'label must be a string'],
    [{ label: 'l'.repeat(257) }, 'label must be at most 256 characters'],
    [{ label: '😀'.repeat(257) }, 'label must be at most 256 characters'],
  ])('%j: %s', (body, message) => {
    expect(() => parseNewShare(body)).toThrow(message);
  });
});

describe("a share's access decision", () => {
  it('allows its bucket with what the share shows; a bucket that is gone is the one 404', async () => {
    const check = await shareBucketRead({ showIps: false })();
    expect(check({ workspaceId: 'w', orgId: 'o' })).toEqual({ showIps: false });
    const shown = await shareBucketRead({ showIps: true })();
    expect(shown({ workspaceId: 'w', orgId: 'o' })).toEqual({ showIps: true });
    expect(() => check(undefined)).toThrow(SHARE_NOT_FOUND_MESSAGE);
  });

  it('openShare: a malformed token is refused before any read; unknown is the same 404', async () => {
    const looked: string[] = [];
    const find = async (hash: string) => {
      looked.push(hash);
      return hash === shareTokenHash(`bss_${'B'.repeat(43)}`)
        ? { bucketId: 'b', shareId: 's', showIps: false }
        : undefined;
    };
    await expect(openShare('bss_short', find)).rejects.toThrow(SHARE_NOT_FOUND_MESSAGE);
    expect(looked).toEqual([]);
    await expect(openShare(`bss_${'A'.repeat(43)}`, find)).rejects.toThrow(SHARE_NOT_FOUND_MESSAGE);
    await expect(openShare(`bss_${'B'.repeat(43)}`, find)).resolves.toEqual({
      bucketId: 'b',
      shareId: 's',
      showIps: false,
    });
    expect(looked).toHaveLength(2);
  });
});

describe('publicResponses', () => {
  const run = async (hook: 'after' | 'onError', response: unknown) => {
    const request = { response } as never;
    await publicResponses(30)[hook]?.(request);
    return (request as { response: unknown }).response;
  };

  it('CORS on every answer; public caching on 200 and 304 only', async () => {
    for (const status of [200, 304]) {
      expect(
        await run('after', { statusCode: status, headers: { 'cache-control': 'no-store' } }),
      ).toEqual({
        statusCode: status,
        headers: { 'cache-control': 'public, max-age=30', 'access-control-allow-origin': '*' },
      });
    }
    for (const status of [400, 404, 406, 500, 503]) {
      expect(
        await run('onError', { statusCode: status, headers: { 'cache-control': 'no-store' } }),
      ).toEqual({
        statusCode: status,
        headers: { 'cache-control': 'no-store', 'access-control-allow-origin': '*' },
      });
    }
    expect(await run('after', undefined)).toBeUndefined();
    expect(await run('after', null)).toBeNull();
    expect(await run('onError', null)).toBeNull();
    expect(await run('after', { statusCode: 200 })).toEqual({
      statusCode: 200,
      headers: { 'cache-control': 'public, max-age=30', 'access-control-allow-origin': '*' },
    });
  });
});

describe('badges', () => {
  it('show: health by default, uptime, anything else a 400', () => {
    expect(parseBadgeShow(undefined)).toBe('health');
    expect(parseBadgeShow('health')).toBe('health');
    expect(parseBadgeShow('uptime')).toBe('uptime');
    for (const raw of ['', 'Health', 'ips', 'uptime ']) {
      expect(() => parseBadgeShow(raw)).toThrow(ValidationError);
    }
  });

  it.each([
    ['OPERATIONAL', 'operational', 'brightgreen'],
    ['DEGRADED', 'degraded', 'yellow'],
    ['PARTIAL_OUTAGE', 'partial outage', 'orange'],
    ['MAJOR_OUTAGE', 'major outage', 'red'],
    ['MAINTENANCE', 'maintenance', 'blue'],
    ['UNKNOWN', 'unknown', 'lightgrey'],
  ] as const)('%s: bucket | %s', (verdict, message, color) => {
    expect(verdictBadge(verdict)).toEqual({ label: 'bucket', message, color });
  });

  const day = (figures: Partial<Record<string, number>>) => ({
    day: '2026-12-01',
    operational_seconds: 0,
    degraded_seconds: 0,
    partial_outage_seconds: 0,
    major_outage_seconds: 0,
    maintenance_seconds: 0,
    unknown_seconds: 0,
    observed_seconds: 0,
    perc_available: null,
    ...figures,
  });
  const uptime = (days: ReturnType<typeof day>[]) =>
    ({
      bucketId: 'b',
      from: 'x',
      to: 'y',
      nodes: [],
      bucket: { days },
    }) as unknown as UptimeResponse;

  it('the percentage: available over observed less maintenance and unknown, rounded down', () => {
    expect(uptimePercent(uptime([]))).toBeUndefined();
    expect(uptimePercent(uptime([day({ observed_seconds: 100, unknown_seconds: 100 })]))).toBe(
      undefined,
    );
    expect(
      uptimePercent(
        uptime([
          day({
            operational_seconds: 80,
            degraded_seconds: 10,
            major_outage_seconds: 10,
            observed_seconds: 120,
            maintenance_seconds: 15,
            unknown_seconds: 5,
          }),
        ]),
      ),
    ).toBe(90);
    // 99.999 % reads 99.99, never 100.
    expect(
      uptimePercent(
        uptime([
          day({ operational_seconds: 99_999, major_outage_seconds: 1, observed_seconds: 100_000 }),
        ]),
      ),
    ).toBe(99.99);
    expect(
      uptimePercent(
        uptime([
          day({ operational_seconds: 50, observed_seconds: 100, major_outage_seconds: 50 }),
          day({ operational_seconds: 100, observed_seconds: 100 }),
        ]),
      ),
    ).toBe(75);
  });

  it.each([
    [100, 'brightgreen'],
    [99.9, 'brightgreen'],
    [99.89, 'green'],
    [99, 'green'],
    [98.99, 'yellow'],
    [95, 'yellow'],
    [94.99, 'orange'],
    [90, 'orange'],
    [89.99, 'red'],
    [0, 'red'],
  ])('%s %% is %s', (percent, color) => {
    expect(uptimeBadge(30, percent)).toEqual({
      label: 'uptime 30d',
      message: `${percent}%`,
      color,
    });
  });

  it('nothing observed: no data', () => {
    expect(uptimeBadge(7, undefined)).toEqual({
      label: 'uptime 7d',
      message: 'no data',
      color: 'lightgrey',
    });
  });
});
