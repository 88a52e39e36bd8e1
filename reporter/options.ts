import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { isValidId } from '../functions/domain/ids.ts';
import { MAX_BUCKETS_PER_REPORT, parseNodeReport } from '../functions/domain/node-report.ts';
import { privateKeyFromSeed } from '../functions/domain/node-signature.ts';
import packageJson from '../package.json' with { type: 'json' };
import type { NodeIdentity, ReporterBucket } from './reporter.ts';

/** `npm run reporter -- ...` arguments, validated; every problem is a one-line UsageError. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ReporterCliOptions {
  apiUrl: string;
  nodeId: string;
  keyFile: string;
  buckets: ReporterBucket[];
  intervalMs: number;
  probeTimeoutMs: number;
  identity: NodeIdentity;
  once: boolean;
}

export const REPORTER_HELP = `Usage: npm run reporter -- --api URL --node-id ID --key-file FILE --bucket ID[=PROBE_URL] ... [options]

Runs on a bridge node: every interval it probes each bucket's storage (HTTP HEAD on the probe
URL; a response is ONLINE with its latency, a timeout or network error is OFFLINE; a bucket
without a probe URL is reported ONLINE without latency) and sends one signed report to
POST <api>/node/status. 5xx, 429 and network errors are retried with exponential backoff and
jitter; other 4xx are not. One log line per report. SIGTERM or SIGINT stops it cleanly.

Options:
  --api URL                 (required) base URL of the API, e.g. http://localhost:3000
  --node-id ID              (required) the node's id, as registered
  --key-file FILE           (required) the node's private key: base64 of the raw 32-byte Ed25519 seed
  --bucket ID[=PROBE_URL]   (required, repeatable, at most ${MAX_BUCKETS_PER_REPORT}) a bucket this node serves
  --interval SECONDS        seconds between reports (default 30, 1-3600)
  --probe-timeout SECONDS   a probe slower than this is OFFLINE (default 5, at most the interval)
  --ip ADDRESS              IP reported for the node (default: first non-internal IPv4)
  --region REGION           region reported for the node (default: $AWS_REGION or "local")
  --node-version SEMVER     software version reported (default ${packageJson.version})
  --once                    send one report and exit (0 accepted, 1 failed)
  --help, -h                show this help

Exit codes: 0 stopped or accepted, 1 the report failed (--once) or the key file is unreadable,
2 invalid arguments.

Example:
  npm run reporter -- --api http://localhost:3000 --node-id my-node --key-file my-node.key \\
    --bucket 550e8400-e29b-41d4-a716-446655440000=https://storage.example.com/health --interval 30
`;

/** The server's own body validation is the authority on ip, region and version. */
function checkIdentity(identity: NodeIdentity): void {
  const sample = { ...identity, buckets: [{ bucketId: 'probe', status: 'ONLINE' }] };
  try {
    parseNodeReport(Buffer.from(JSON.stringify(sample)));
  } catch (error) {
    const message = (error as Error).message;
    const flag = /^(ip|region|version)\b/.exec(message)?.[1];
    const option = flag === 'version' ? '--node-version' : `--${flag ?? 'ip'}`;
    throw new UsageError(`${option}: ${message}`);
  }
}

function seconds(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(
      `--${name} must be a number of seconds from ${min} to ${max} (got "${raw}")`,
    );
  }
  return value;
}

function httpUrl(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${what} is not a URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} must be an http(s) URL (got "${raw}")`);
  }
  return url.toString();
}

function parseBucket(raw: string): ReporterBucket {
  const separator = raw.indexOf('=');
  const bucketId = separator === -1 ? raw : raw.slice(0, separator);
  if (!isValidId(bucketId)) {
    throw new UsageError(`--bucket id must be 1-128 chars of [A-Za-z0-9_-] (got "${bucketId}")`);
  }
  if (separator === -1) return { bucketId };
  return {
    bucketId,
    probeUrl: httpUrl(raw.slice(separator + 1), `--bucket ${bucketId} probe URL`),
  };
}

/** The first non-internal IPv4 address of this machine, else loopback. */
export function defaultNodeIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

/** Parses argv (without node and script); `help` true means print REPORTER_HELP and exit 0. */
export function parseReporterArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): { help: true } | { help: false; options: ReporterCliOptions } {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        api: { type: 'string' },
        'node-id': { type: 'string' },
        'key-file': { type: 'string' },
        bucket: { type: 'string', multiple: true },
        interval: { type: 'string' },
        'probe-timeout': { type: 'string' },
        ip: { type: 'string' },
        region: { type: 'string' },
        'node-version': { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs messages are one line and name the option; drop its trailing advice.
    throw new UsageError((error as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  if (values.help) return { help: true };
  const required = (name: string): string => {
    const value = values[name];
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
    return value;
  };
  const apiUrl = httpUrl(required('api'), '--api');
  const nodeId = required('node-id');
  if (!isValidId(nodeId)) {
    throw new UsageError(`--node-id must be 1-128 chars of [A-Za-z0-9_-] (got "${nodeId}")`);
  }
  const keyFile = required('key-file');
  const rawBuckets = (values.bucket as string[] | undefined) ?? [];
  if (rawBuckets.length === 0) throw new UsageError('at least one --bucket is required');
  if (rawBuckets.length > MAX_BUCKETS_PER_REPORT) {
    throw new UsageError(`at most ${MAX_BUCKETS_PER_REPORT} --bucket options (one report)`);
  }
  const buckets = rawBuckets.map(parseBucket);
  const ids = new Set(buckets.map((b) => b.bucketId));
  if (ids.size !== buckets.length) throw new UsageError('a --bucket id is given twice');
  const intervalSeconds = seconds(values.interval as string | undefined, 'interval', 30, 1, 3600);
  const probeTimeoutSeconds = seconds(
    values['probe-timeout'] as string | undefined,
    'probe-timeout',
    Math.min(5, intervalSeconds),
    0.1,
    intervalSeconds,
  );
  const identity = {
    ip: (values.ip as string | undefined) ?? defaultNodeIp(),
    region: (values.region as string | undefined) ?? (env.AWS_REGION?.trim() || 'local'),
    version: (values['node-version'] as string | undefined) ?? packageJson.version,
  };
  checkIdentity(identity);
  return {
    help: false,
    options: {
      apiUrl,
      nodeId,
      keyFile,
      buckets,
      intervalMs: Math.round(intervalSeconds * 1000),
      probeTimeoutMs: Math.round(probeTimeoutSeconds * 1000),
      identity,
      once: values.once === true,
    },
  };
}

/** Reads and checks the key file: base64 of the raw 32-byte seed, surrounding space ignored. */
export async function readPrivateKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot read --key-file ${path} (${code})`);
  }
  const seed = text.trim();
  try {
    privateKeyFromSeed(seed);
  } catch {
    throw new UsageError(
      `--key-file ${path} must hold base64 of a raw 32-byte Ed25519 seed (as written by register-node)`,
    );
  }
  return seed;
}
