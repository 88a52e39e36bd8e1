import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.ts';
import {
  MAX_BUCKETS_PER_REPORT,
  MAX_LATENCY_MS,
  MAX_REPORT_BYTES,
  parseNodeReport,
} from '../../functions/domain/node-report.ts';
import { errorResponse } from '../../functions/http/response.ts';

const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

const valid = () => ({
  ip: '203.0.113.7',
  region: 'us-east-1',
  version: '1.2.3',
  buckets: [{ bucketId: 'bucket-1', status: 'ONLINE', latency_ms: 45 }] as unknown[],
});

const withField = (field: string, value: unknown) => ({ ...valid(), [field]: value });
const withBucket = (fields: Record<string, unknown>) => ({
  ...valid(),
  buckets: [{ bucketId: 'bucket-1', status: 'ONLINE', ...fields }],
});
const without = (field: string) => {
  const body: Record<string, unknown> = valid();
  delete body[field];
  return body;
};

/** The 400 message for this body; fails the test if the body parses. */
function rejection(body: unknown): string {
  try {
    parseNodeReport(bytes(body));
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect(errorResponse(error).statusCode).toBe(400);
    return (error as Error).message;
  }
  throw new Error(`parsed: ${JSON.stringify(body)}`);
}

describe('parseNodeReport: a valid report', () => {
  it('returns the report with latency_ms as latencyMs', () => {
    expect(parseNodeReport(bytes(valid()))).toStrictEqual({
      ip: '203.0.113.7',
      region: 'us-east-1',
      version: '1.2.3',
      buckets: [{ bucketId: 'bucket-1', status: 'ONLINE', latencyMs: 45 }],
    });
  });

  it('leaves latencyMs undefined when latency_ms is omitted', () => {
    const report = parseNodeReport(bytes(withBucket({ status: 'OFFLINE' })));
    expect(report.buckets).toStrictEqual([
      { bucketId: 'bucket-1', status: 'OFFLINE', latencyMs: undefined },
    ]);
  });

  it.each([
    ['ip', '10.0.0.1'],
    ['ip', '0.0.0.0'],
    ['ip', '::'],
    ['ip', '2001:db8::8a2e:370:7334'],
    ['ip', '::ffff:192.0.2.128'],
    // The longest literal: 45 characters, the bound of DESIGN.md section 7.
    ['ip', '0000:0000:0000:0000:0000:ffff:255.255.255.255'],
    ['region', 'a'],
    ['region', `${'z'.repeat(63)}9`],
    ['region', 'eu-central-2'],
    ['version', '0.0.0'],
    ['version', '10.20.30'],
    ['version', '1.0.0-alpha'],
    ['version', '1.0.0-0.3.7'],
    ['version', '1.0.0-x.7.z.92'],
    ['version', '1.0.0+20130313144700'],
    ['version', '1.0.0-beta+exp.sha.5114f85'],
  ])('accepts %s %j', (field, value) => {
    expect(parseNodeReport(bytes(withField(field, value)))).toMatchObject({ [field]: value });
  });

  it.each([0, 1, MAX_LATENCY_MS])('accepts latency_ms %d', (latency) => {
    expect(parseNodeReport(bytes(withBucket({ latency_ms: latency }))).buckets[0]?.latencyMs).toBe(
      latency,
    );
  });

  it('accepts a 128-character bucketId and the whole id alphabet', () => {
    const bucketId = `${'a'.repeat(100)}ABCXYZ0123456789_-${'b'.repeat(10)}`;
    expect(bucketId).toHaveLength(128);
    expect(parseNodeReport(bytes(withBucket({ bucketId }))).buckets[0]?.bucketId).toBe(bucketId);
  });

  it(`accepts ${MAX_BUCKETS_PER_REPORT} buckets`, () => {
    const buckets = Array.from({ length: MAX_BUCKETS_PER_REPORT }, (_, i) => ({
      bucketId: `b-${i}`,
      status: i % 2 === 0 ? 'ONLINE' : 'OFFLINE',
    }));
    expect(parseNodeReport(bytes({ ...valid(), buckets })).buckets).toHaveLength(
      MAX_BUCKETS_PER_REPORT,
    );
  });

  it('accepts JSON whitespace around the object', () => {
    expect(parseNodeReport(bytes(`\n  ${JSON.stringify(valid())}  \n`)).ip).toBe('203.0.113.7');
  });

  it('accepts any well-formed report (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
    const report = fc.record({
      ip: fc.oneof(fc.ipV4(), fc.ipV6()),
      region: fc.stringMatching(/^[a-z0-9-]{1,64}$/),
      version: fc
        .tuple(fc.nat(999), fc.nat(999), fc.nat(999))
        .map(([major, minor, patch]) => `${major}.${minor}.${patch}`),
      buckets: fc.uniqueArray(
        fc.record(
          {
            bucketId: id,
            status: fc.constantFrom('ONLINE', 'OFFLINE'),
            latency_ms: fc.integer({ min: 0, max: MAX_LATENCY_MS }),
          },
          { requiredKeys: ['bucketId', 'status'] },
        ),
        { minLength: 1, maxLength: MAX_BUCKETS_PER_REPORT, selector: (b) => b.bucketId },
      ),
    });
    fc.assert(
      fc.property(report, (body) => {
        const parsed = parseNodeReport(bytes(body));
        expect(parsed.ip).toBe(body.ip);
        expect(parsed.buckets.map((b) => b.bucketId)).toStrictEqual(
          body.buckets.map((b) => b.bucketId),
        );
        expect(parsed.buckets.map((b) => b.latencyMs)).toStrictEqual(
          body.buckets.map((b) => b.latency_ms),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseNodeReport: 400 names what is wrong', () => {
  it.each([
    ['not JSON', '{"ip":', /not valid UTF-8 JSON/],
    ['empty', '', /not valid UTF-8 JSON/],
    ['JSON with a trailing comma', '{"ip":"10.0.0.1",}', /not valid UTF-8 JSON/],
    ['an array', [], /The body must be a JSON object/],
    ['null', null, /The body must be a JSON object/],
    ['a number', 42, /The body must be a JSON object/],
  ])('body: %s', (_, body, message) => {
    expect(rejection(body)).toMatch(message);
  });

  it('body: not UTF-8', () => {
    const json = bytes(valid());
    const broken = new Uint8Array([...json.subarray(0, 8), 0xff, ...json.subarray(8)]);
    expect(() => parseNodeReport(broken)).toThrow(/not valid UTF-8 JSON/);
  });

  it('body: an unknown field, named (and truncated when huge)', () => {
    expect(rejection(withField('status', 'ONLINE'))).toBe('The body has an unknown field "status"');
    const long = 'x'.repeat(1000);
    const message = rejection(withField(long, 1));
    expect(message).toContain(`"${'x'.repeat(64)}"`);
    expect(message.length).toBeLessThan(200);
  });

  it.each([
    ['missing', without('ip')],
    ['a number', withField('ip', 167772161)],
    ['a host name', withField('ip', 'localhost')],
    ['an octet over 255', withField('ip', '10.0.0.256')],
    ['too few octets', withField('ip', '10.0.1')],
    ['a CIDR block', withField('ip', '10.0.0.0/8')],
    ['a port', withField('ip', '10.0.0.1:80')],
    ['bracketed IPv6', withField('ip', '[::1]')],
    ['a double :: IPv6', withField('ip', '1::2::3')],
    ['surrounded by spaces', withField('ip', ' 10.0.0.1 ')],
    ['empty', withField('ip', '')],
    // Node's isIP accepts a zone id of any length; it would be stored in every bucket row.
    ['an IPv6 zone id', withField('ip', 'fe80::1%eth0')],
    ['a 60,000-character zone id', withField('ip', `fe80::1%${'z'.repeat(60_000)}`)],
    ['46 characters', withField('ip', `0${'0000:0000:0000:0000:0000:ffff:255.255.255.255'}`)],
  ])('ip: %s', (_, body) => {
    expect(rejection(body)).toBe(
      'ip must be an IPv4 or IPv6 address literal of at most 45 characters, without a zone id',
    );
  });

  it.each([
    ['missing', without('region')],
    ['empty', withField('region', '')],
    ['upper case', withField('region', 'US-EAST-1')],
    ['with an underscore', withField('region', 'us_east_1')],
    ['with a space', withField('region', 'us east')],
    ['65 characters', withField('region', 'a'.repeat(65))],
    ['not a string', withField('region', ['us-east-1'])],
  ])('region: %s', (_, body) => {
    expect(rejection(body)).toBe('region must be 1-64 characters of a-z, 0-9 or -');
  });

  it.each([
    ['missing', without('version')],
    ['two parts', withField('version', '1.2')],
    ['four parts', withField('version', '1.2.3.4')],
    ['a v prefix', withField('version', 'v1.2.3')],
    ['a leading zero', withField('version', '1.02.3')],
    ['a numeric pre-release with a leading zero', withField('version', '1.2.3-01')],
    ['an empty pre-release', withField('version', '1.2.3-')],
    ['an empty build', withField('version', '1.2.3+')],
    ['a number', withField('version', 1.2)],
    ['over 64 characters', withField('version', `1.2.3-${'a'.repeat(59)}`)],
  ])('version: %s', (_, body) => {
    expect(rejection(body)).toBe('version must be a semantic version such as 1.2.3');
  });

  it('version: 64 characters is still fine', () => {
    const version = `1.2.3-${'a'.repeat(58)}`;
    expect(version).toHaveLength(64);
    expect(parseNodeReport(bytes(withField('version', version))).version).toBe(version);
  });

  it.each([
    ['missing', without('buckets')],
    ['empty', withField('buckets', [])],
    ['an object', withField('buckets', { bucketId: 'b' })],
    ['a string', withField('buckets', 'bucket-1')],
    [
      `${MAX_BUCKETS_PER_REPORT + 1} entries`,
      withField(
        'buckets',
        Array.from({ length: MAX_BUCKETS_PER_REPORT + 1 }, (_, i) => ({
          bucketId: `b-${i}`,
          status: 'ONLINE',
        })),
      ),
    ],
  ])('buckets: %s', (_, body) => {
    expect(rejection(body)).toBe(
      `buckets must be an array of 1 to ${MAX_BUCKETS_PER_REPORT} entries`,
    );
  });

  it.each([
    ['a string entry', withField('buckets', ['bucket-1']), 'buckets[0] must be an object'],
    ['a null entry', withField('buckets', [null]), 'buckets[0] must be an object'],
    ['an array entry', withField('buckets', [[]]), 'buckets[0] must be an object'],
    [
      'an unknown field in an entry',
      withBucket({ lastUpdated: '2024-01-01T00:00:00Z' }),
      'buckets[0] has an unknown field "lastUpdated"',
    ],
    [
      'a missing bucketId',
      withField('buckets', [{ status: 'ONLINE' }]),
      'buckets[0].bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -',
    ],
    [
      'an empty bucketId',
      withBucket({ bucketId: '' }),
      'buckets[0].bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -',
    ],
    [
      'a 129-character bucketId',
      withBucket({ bucketId: 'a'.repeat(129) }),
      'buckets[0].bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -',
    ],
    [
      'a bucketId with #',
      withBucket({ bucketId: 'a#b' }),
      'buckets[0].bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -',
    ],
    [
      'a numeric bucketId',
      withBucket({ bucketId: 7 }),
      'buckets[0].bucketId must be 1-128 characters of A-Z, a-z, 0-9, _ or -',
    ],
    [
      'a repeated bucketId',
      withField('buckets', [
        { bucketId: 'x', status: 'ONLINE' },
        { bucketId: 'y', status: 'ONLINE' },
        { bucketId: 'x', status: 'OFFLINE' },
      ]),
      'buckets[2].bucketId repeats "x"',
    ],
    [
      'a missing status',
      withField('buckets', [{ bucketId: 'b' }]),
      'buckets[0].status must be ONLINE or OFFLINE',
    ],
    [
      'status online',
      withBucket({ status: 'online' }),
      'buckets[0].status must be ONLINE or OFFLINE',
    ],
    [
      'status DISCONNECTED (derived, never reported)',
      withBucket({ status: 'DISCONNECTED' }),
      'buckets[0].status must be ONLINE or OFFLINE',
    ],
    [
      'latency_ms -1',
      withBucket({ latency_ms: -1 }),
      `buckets[0].latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
    ],
    [
      `latency_ms ${MAX_LATENCY_MS + 1}`,
      withBucket({ latency_ms: MAX_LATENCY_MS + 1 }),
      `buckets[0].latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
    ],
    [
      'latency_ms 0.5',
      withBucket({ latency_ms: 0.5 }),
      `buckets[0].latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
    ],
    [
      'latency_ms as a string',
      withBucket({ latency_ms: '45' }),
      `buckets[0].latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
    ],
    [
      'latency_ms null',
      withBucket({ latency_ms: null }),
      `buckets[0].latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
    ],
    [
      'latency_ms 1e400 (Infinity)',
      '{"ip":"10.0.0.1","region":"r","version":"1.0.0","buckets":[{"bucketId":"b","status":"ONLINE","latency_ms":1e400}]}',
      `buckets[0].latency_ms must be an integer from 0 to ${MAX_LATENCY_MS}`,
    ],
  ])('bucket entry: %s', (_, body, message) => {
    expect(rejection(body)).toBe(message);
  });

  it('names the index of the bad entry', () => {
    const body = withField('buckets', [
      { bucketId: 'a', status: 'ONLINE' },
      { bucketId: 'b', status: 'ONLINE' },
      { bucketId: 'c', status: 'SLEEPING' },
    ]);
    expect(rejection(body)).toBe('buckets[2].status must be ONLINE or OFFLINE');
  });

  it('the size limit is 64 KiB (enforced before parsing, by the caller)', () => {
    expect(MAX_REPORT_BYTES).toBe(65_536);
  });
});
