import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { isValidId } from '../functions/domain/ids.ts';
import { MAX_BUCKETS_PER_REPORT, parseNodeReport } from '../functions/domain/node-report.ts';
import { MAX_BUCKETS_PER_NODE, REPORTER_VERSION } from './help.ts';
import { LOG_FORMATS, type LogFormat } from './log-format.ts';
import type { ReporterBucket } from './probe.ts';
import { DEFAULT_MIN_REPORT_INTERVAL_MS, REPORT_SPACING_MARGIN_MS } from './reporter.ts';
import { UsageError } from './usage-error.ts';
import type { NodeIdentity } from './wire.ts';

/**
 * The reporter's options from flags and a JSON config file (flags override it), validated in
 * one place; every problem is a one-line UsageError (exit 2).
 */

export { REPORTER_HELP } from './help.ts';
export { readPrivateKeyFile } from './key-file.ts';
export { UsageError } from './usage-error.ts';

export interface ReporterCliOptions {
  apiUrl: string;
  nodeId: string;
  keyFile: string;
  buckets: ReporterBucket[];
  intervalMs: number;
  probeTimeoutMs: number;
  minReportIntervalMs: number;
  identity: NodeIdentity;
  logFormat: LogFormat;
  once: boolean;
  dryRun: boolean;
}

/** Option values as parseArgs gives them; a config file is turned into the same shape. */
export type RawOptions = Record<string, string | string[] | boolean | undefined>;

const OPTIONS = {
  api: { type: 'string' },
  'node-id': { type: 'string' },
  'key-file': { type: 'string' },
  bucket: { type: 'string', multiple: true },
  interval: { type: 'string' },
  'probe-timeout': { type: 'string' },
  'min-report-interval': { type: 'string' },
  ip: { type: 'string' },
  region: { type: 'string' },
  'node-version': { type: 'string' },
  'log-format': { type: 'string' },
  config: { type: 'string' },
  once: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The keys a config file may hold: every option but these. */
const NOT_IN_CONFIG = new Set(['config', 'help']);
const NUMERIC = new Set(['interval', 'probe-timeout', 'min-report-interval']);

/** The first non-internal IPv4 address of this machine, else loopback. */
export function defaultNodeIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

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
  if (url.username !== '' || url.password !== '') {
    // fetch refuses such URLs, and a secret on a command line or in a log is a leak.
    throw new UsageError(`${what} must not carry a user name or password`);
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

/** Flags as given; parseArgs messages are one line and name the option. */
export function parseFlags(argv: string[]): RawOptions {
  const parse = () =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: OPTIONS,
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError((error as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  // parseArgs keeps the last of a repeated flag; a node's settings must not depend on order.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.name === 'bucket') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given twice`);
    seen.add(token.name);
  }
  return parsed.values;
}

/**
 * A config file's JSON object in the shape of parsed flags. Keys are the long flag names;
 * values are strings (numbers for the seconds options, booleans for once and dry-run, an
 * array of "ID[=PROBE_URL]" strings or { bucketId, probeUrl } objects for bucket).
 */
export function configToOptions(config: unknown, where: string): RawOptions {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UsageError(`${where} must hold a JSON object`);
  }
  const raw: RawOptions = {};
  for (const [key, value] of Object.entries(config)) {
    const spec = (OPTIONS as Record<string, { type: string; multiple?: boolean }>)[key];
    const shown = key.slice(0, 64);
    if (spec === undefined || NOT_IN_CONFIG.has(key)) {
      throw new UsageError(`${where}: unknown key "${shown}"`);
    }
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') throw new UsageError(`${where}: "${key}" must be a boolean`);
      raw[key] = value;
    } else if (spec.multiple) {
      if (!Array.isArray(value)) throw new UsageError(`${where}: "${key}" must be an array`);
      raw[key] = value.map((entry: unknown) => {
        if (typeof entry === 'string') return entry;
        if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
          const { bucketId, probeUrl, ...rest } = entry as Record<string, unknown>;
          const extra = Object.keys(rest)[0];
          if (extra !== undefined) {
            throw new UsageError(`${where}: a "${key}" entry has an unknown key "${extra}"`);
          }
          if (
            typeof bucketId === 'string' &&
            (probeUrl === undefined || typeof probeUrl === 'string')
          ) {
            return probeUrl === undefined ? bucketId : `${bucketId}=${probeUrl}`;
          }
        }
        throw new UsageError(
          `${where}: each "${key}" entry must be "ID[=PROBE_URL]" or { "bucketId", "probeUrl" }`,
        );
      });
    } else if (typeof value === 'string' || (NUMERIC.has(key) && typeof value === 'number')) {
      raw[key] = String(value);
    } else {
      throw new UsageError(
        `${where}: "${key}" must be a string${NUMERIC.has(key) ? ' or a number' : ''}`,
      );
    }
  }
  return raw;
}

/** Reads --config FILE (unreadable, not JSON or not valid: a UsageError, exit 2). */
export async function readConfigFile(path: string): Promise<RawOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot read --config ${path} (${code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path} is not valid JSON (${(error as Error).message})`);
  }
  return configToOptions(parsed, `--config ${path}`);
}

/**
 * Parses argv (without node and script) over an optional config (already read); flags given
 * override the config's values, a --bucket flag replaces its whole list. `help` true means
 * print REPORTER_HELP and exit 0.
 */
export function parseReporterArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  config: RawOptions = {},
): { help: true } | { help: false; options: ReporterCliOptions } {
  const flags = parseFlags(argv);
  if (flags.help) return { help: true };
  const values: RawOptions = { ...config };
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) values[key] = value;
  return { help: false, options: resolveOptions(values, env) };
}

function resolveOptions(values: RawOptions, env: Record<string, string | undefined>) {
  const string = (name: string) => values[name] as string | undefined;
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
  if (rawBuckets.length > MAX_BUCKETS_PER_NODE) {
    throw new UsageError(`at most ${MAX_BUCKETS_PER_NODE} --bucket options`);
  }
  const buckets = rawBuckets.map(parseBucket);
  const ids = new Set(buckets.map((b) => b.bucketId));
  if (ids.size !== buckets.length) throw new UsageError('a --bucket id is given twice');
  const intervalSeconds = seconds(string('interval'), 'interval', 30, 1, 3600);
  const probeTimeoutSeconds = seconds(
    string('probe-timeout'),
    'probe-timeout',
    Math.min(5, intervalSeconds),
    0.1,
    intervalSeconds,
  );
  const minReportIntervalSeconds = seconds(
    string('min-report-interval'),
    'min-report-interval',
    DEFAULT_MIN_REPORT_INTERVAL_MS / 1000,
    0,
    3600,
  );
  const reports = Math.ceil(buckets.length / MAX_BUCKETS_PER_REPORT);
  const roundSeconds =
    (reports * (minReportIntervalSeconds * 1000 + REPORT_SPACING_MARGIN_MS)) / 1000;
  if (reports > 1 && intervalSeconds < roundSeconds) {
    throw new UsageError(
      `--interval must be at least ${roundSeconds} s for ${buckets.length} buckets ` +
        `(${reports} reports per round, one per ${minReportIntervalSeconds} s rate-limit interval)`,
    );
  }
  const logFormat = string('log-format') ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new UsageError(`--log-format must be ${LOG_FORMATS.join(' or ')} (got "${logFormat}")`);
  }
  const identity = {
    ip: string('ip') ?? defaultNodeIp(),
    region: string('region') ?? (env.AWS_REGION?.trim() || 'local'),
    version: string('node-version') ?? REPORTER_VERSION,
  };
  checkIdentity(identity);
  return {
    apiUrl,
    nodeId,
    keyFile,
    buckets,
    intervalMs: Math.round(intervalSeconds * 1000),
    probeTimeoutMs: Math.round(probeTimeoutSeconds * 1000),
    minReportIntervalMs: Math.round(minReportIntervalSeconds * 1000),
    identity,
    logFormat: logFormat as LogFormat,
    once: values.once === true,
    dryRun: values['dry-run'] === true,
  };
}
