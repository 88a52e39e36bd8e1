import { describe, expect } from 'vitest';
import { signNodeReport } from '../../functions/domain/node-signature.ts';
import {
  expectError,
  ingestFixtures,
  NO_RATE_LIMIT,
  type PostReport,
  reportBody,
  signed,
} from '../support/ingest-fixture.ts';

const NODE = 'validating-node';
const BUCKET = 'validation-bucket';
const OTHER_BUCKET = 'validation-bucket-2';
const HUNDRED_BUCKETS = Array.from({ length: 100 }, (_, i) => `hundred-${i}`);
let privateKey: string;

const it = ingestFixtures('ingest-validation', NO_RATE_LIMIT);

it.beforeAll(async ({ seed }) => {
  privateKey = await seed.node(NODE);
  await seed.putMany(
    [BUCKET, OTHER_BUCKET, ...HUNDRED_BUCKETS].map((bucketId) =>
      seed.assignmentRow(bucketId, NODE),
    ),
  );
});

// Every report of the one node here needs a strictly newer timestamp than the last.
let lastTimestamp = 0;
const nextTimestamp = () => {
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  return lastTimestamp;
};

/** A validly signed report with this exact body (object or raw string). */
function postSigned(post: PostReport, body: unknown, isBase64Encoded = false) {
  const report = signed(NODE, privateKey, body, nextTimestamp());
  const raw = isBase64Encoded ? Buffer.from(report.body).toString('base64') : report.body;
  return post(raw, report.headers, isBase64Encoded);
}

const bucket = (fields: Record<string, unknown>) =>
  reportBody([{ bucketId: BUCKET }], {
    buckets: [{ bucketId: BUCKET, status: 'ONLINE', ...fields }],
  });

const withBuckets = (buckets: unknown) => reportBody([], { buckets });

const omit = (field: string) => {
  const body = reportBody([{ bucketId: BUCKET }]);
  delete body[field];
  return body;
};

describe('POST /node/status: 400 names the bad field', () => {
  const cases: [string, unknown, RegExp][] = [
    ['body: not JSON', '{"ip": "203.0.113.7",', /not valid UTF-8 JSON/],
    ['body: empty', '', /not valid UTF-8 JSON/],
    ['body: an array', '[]', /must be a JSON object/],
    ['body: null', 'null', /must be a JSON object/],
    ['body: a string', '"report"', /must be a JSON object/],
    ['body: unknown field', reportBody([{ bucketId: BUCKET }], { nodeId: NODE }), /"nodeId"/],
    ['ip: missing', omit('ip'), /^ip /],
    ['ip: a number', reportBody([{ bucketId: BUCKET }], { ip: 3232235777 }), /^ip /],
    ['ip: a host name', reportBody([{ bucketId: BUCKET }], { ip: 'node.example.com' }), /^ip /],
    ['ip: octet over 255', reportBody([{ bucketId: BUCKET }], { ip: '256.1.1.1' }), /^ip /],
    ['ip: a CIDR', reportBody([{ bucketId: BUCKET }], { ip: '10.0.0.0/8' }), /^ip /],
    ['ip: padded', reportBody([{ bucketId: BUCKET }], { ip: ' 10.0.0.1' }), /^ip /],
    ['ip: bad IPv6', reportBody([{ bucketId: BUCKET }], { ip: '2001:db8:::1' }), /^ip /],
    ['region: missing', omit('region'), /^region /],
    ['region: empty', reportBody([{ bucketId: BUCKET }], { region: '' }), /^region /],
    ['region: upper case', reportBody([{ bucketId: BUCKET }], { region: 'US-EAST-1' }), /^region /],
    ['region: underscore', reportBody([{ bucketId: BUCKET }], { region: 'us_east_1' }), /^region /],
    [
      'region: 65 chars',
      reportBody([{ bucketId: BUCKET }], { region: 'a'.repeat(65) }),
      /^region /,
    ],
    ['version: missing', omit('version'), /^version /],
    ['version: two parts', reportBody([{ bucketId: BUCKET }], { version: '1.2' }), /^version /],
    ['version: v prefix', reportBody([{ bucketId: BUCKET }], { version: 'v1.2.3' }), /^version /],
    [
      'version: leading zero',
      reportBody([{ bucketId: BUCKET }], { version: '01.2.3' }),
      /^version /,
    ],
    [
      'version: empty pre-release',
      reportBody([{ bucketId: BUCKET }], { version: '1.2.3-' }),
      /^version /,
    ],
    ['version: a number', reportBody([{ bucketId: BUCKET }], { version: 1 }), /^version /],
    [
      'version: over 64 chars',
      reportBody([{ bucketId: BUCKET }], { version: `1.2.3-${'a'.repeat(59)}` }),
      /^version /,
    ],
    ['buckets: missing', omit('buckets'), /^buckets /],
    ['buckets: empty', withBuckets([]), /^buckets must be an array of 1 to 100/],
    ['buckets: an object', withBuckets({ bucketId: BUCKET }), /^buckets /],
    [
      'buckets: 101 entries',
      withBuckets(
        Array.from({ length: 101 }, (_, i) => ({ bucketId: `b-${i}`, status: 'ONLINE' })),
      ),
      /^buckets must be an array of 1 to 100/,
    ],
    ['bucket entry: a string', withBuckets([BUCKET]), /^buckets\[0\] must be an object/],
    [
      'bucket entry: unknown field',
      bucket({ nodeId: NODE }),
      /^buckets\[0\] has an unknown field "nodeId"/,
    ],
    ['bucketId: missing', withBuckets([{ status: 'ONLINE' }]), /^buckets\[0\]\.bucketId /],
    ['bucketId: a slash', bucket({ bucketId: 'a/b' }), /^buckets\[0\]\.bucketId /],
    ['bucketId: 129 chars', bucket({ bucketId: 'b'.repeat(129) }), /^buckets\[0\]\.bucketId /],
    ['bucketId: a number', bucket({ bucketId: 42 }), /^buckets\[0\]\.bucketId /],
    [
      'bucketId: repeated',
      withBuckets([
        { bucketId: BUCKET, status: 'ONLINE' },
        { bucketId: OTHER_BUCKET, status: 'ONLINE' },
        { bucketId: BUCKET, status: 'OFFLINE' },
      ]),
      new RegExp(`^buckets\\[2\\]\\.bucketId repeats "${BUCKET}"`),
    ],
    ['status: missing', withBuckets([{ bucketId: BUCKET }]), /^buckets\[0\]\.status /],
    [
      'status: lower case',
      bucket({ status: 'online' }),
      /^buckets\[0\]\.status must be ONLINE or OFFLINE/,
    ],
    ['status: DISCONNECTED', bucket({ status: 'DISCONNECTED' }), /^buckets\[0\]\.status /],
    ['latency_ms: negative', bucket({ latency_ms: -1 }), /^buckets\[0\]\.latency_ms /],
    ['latency_ms: over 600000', bucket({ latency_ms: 600_001 }), /^buckets\[0\]\.latency_ms /],
    ['latency_ms: fractional', bucket({ latency_ms: 1.5 }), /^buckets\[0\]\.latency_ms /],
    ['latency_ms: a string', bucket({ latency_ms: '45' }), /^buckets\[0\]\.latency_ms /],
    ['latency_ms: null', bucket({ latency_ms: null }), /^buckets\[0\]\.latency_ms /],
    [
      'latency_ms: in the second entry',
      withBuckets([
        { bucketId: BUCKET, status: 'ONLINE' },
        { bucketId: OTHER_BUCKET, status: 'ONLINE', latency_ms: 1e9 },
      ]),
      /^buckets\[1\]\.latency_ms must be an integer from 0 to 600000/,
    ],
  ];

  it.for(cases)('%s', async ([_, body, message], { post }) => {
    expect(expectError(await postSigned(post, body), 400)).toMatch(message);
  });

  it('refuses a body that is not UTF-8', async ({ post }) => {
    const json = Buffer.from(JSON.stringify(reportBody([{ bucketId: BUCKET }])));
    // An invalid UTF-8 sequence inside the ip string.
    const broken = Buffer.concat([
      json.subarray(0, 8),
      Buffer.from([0xc3, 0x28]),
      json.subarray(8),
    ]);
    // Sent base64-encoded, as API Gateway does for non-UTF-8 bodies; signed over the raw bytes.
    const headers = { ...signNodeReport(NODE, privateKey, broken, nextTimestamp()) };
    const response = await post(broken.toString('base64'), headers, true);
    expect(expectError(response, 400)).toMatch(/not valid UTF-8 JSON/);
  });

  it('none of the refused reports advanced the replay guard or wrote a row', async ({ read }) => {
    // Runs after the cases above (vitest keeps file order within a file).
    const meta = await read.nodeMeta(NODE);
    expect(meta?.lastTimestamp).toBeUndefined();
    for (const bucketId of [BUCKET, OTHER_BUCKET]) {
      const rows = await read.bucketPartition(bucketId);
      expect(rows).toStrictEqual([{ pk: `BUCKET#${bucketId}`, sk: `NODE#${NODE}` }]);
    }
  });
});

describe('POST /node/status: accepted edge values', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['an IPv6 ip', reportBody([{ bucketId: BUCKET }], { ip: '2001:db8::1' })],
    ['the IPv6 loopback', reportBody([{ bucketId: BUCKET }], { ip: '::1' })],
    ['an IPv4-mapped IPv6 ip', reportBody([{ bucketId: BUCKET }], { ip: '::ffff:192.0.2.1' })],
    ['a 64-char region', reportBody([{ bucketId: BUCKET }], { region: `${'a'.repeat(63)}1` })],
    ['a digits-and-dash region', reportBody([{ bucketId: BUCKET }], { region: '1-2' })],
    ['version 0.0.0', reportBody([{ bucketId: BUCKET }], { version: '0.0.0' })],
    [
      'a pre-release and build version',
      reportBody([{ bucketId: BUCKET }], { version: '1.2.3-alpha.1+build.7' }),
    ],
    ['latency 0', bucket({ latency_ms: 0 })],
    ['latency 600000', bucket({ latency_ms: 600_000 })],
    ['no latency', bucket({})],
    ['OFFLINE', bucket({ status: 'OFFLINE' })],
    ['a 128-char bucketId (not assigned)', bucket({ bucketId: `${'B'.repeat(127)}_` })],
  ];

  it.for(cases)('%s', async ([_, body], { post }) => {
    const response = await postSigned(post, body);
    expect(response.statusCode).toBe(200);
    expect(response.json.success).toBe(true);
  });

  it('100 buckets', async ({ post }) => {
    const response = await postSigned(
      post,
      withBuckets(HUNDRED_BUCKETS.map((bucketId) => ({ bucketId, status: 'ONLINE' }))),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual(HUNDRED_BUCKETS);
    expect(response.json.rejected).toStrictEqual([]);
  });
});

describe('POST /node/status: the 64 KiB limit', () => {
  const LIMIT = 64 * 1024;

  /** A valid report padded with trailing JSON whitespace to exactly `bytes` bytes. */
  const paddedTo = (bytes: number) => {
    const json = JSON.stringify(reportBody([{ bucketId: BUCKET }]));
    return json + ' '.repeat(bytes - Buffer.byteLength(json));
  };

  it('accepts exactly 64 KiB', async ({ post }) => {
    const body = paddedTo(LIMIT);
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    const response = await postSigned(post, body);
    expect(response.statusCode).toBe(200);
    expect(response.json.accepted).toStrictEqual([BUCKET]);
  });

  it('answers 413 to 64 KiB + 1 byte, and stores nothing', async ({ post, read }) => {
    const before = await read.nodeMeta(NODE);
    const response = await postSigned(post, paddedTo(LIMIT + 1));
    expect(expectError(response, 413)).toMatch(/65536 bytes/);
    expect((await read.nodeMeta(NODE))?.lastTimestamp).toBe(before?.lastTimestamp);
  });

  it('counts bytes, not characters', async ({ post }) => {
    // 32769 two-byte characters: under 64 Ki characters, over 64 KiB.
    const body = JSON.stringify({ pad: 'é'.repeat(32_769) });
    expect(body.length).toBeLessThan(LIMIT);
    expect(expectError(await postSigned(post, body), 413)).toMatch(/at most/);
  });

  it('measures a base64-encoded body after decoding', async ({ post }) => {
    const atLimit = await postSigned(post, paddedTo(LIMIT), true);
    expect(atLimit.statusCode).toBe(200);
    expect(expectError(await postSigned(post, paddedTo(LIMIT + 1), true), 413)).toMatch(/at most/);
  });
});
