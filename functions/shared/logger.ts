/**
 * One structured JSON logger per function: one JSON line per entry, in the shape of the
 * Powertools for AWS Lambda logger (level, message, timestamp, service, the Lambda context keys
 * added by `addContext`, sampling_rate, xray_trace_id, then the entry's own keys), written to
 * stdout (TRACE, DEBUG, INFO) or stderr (WARN, ERROR, CRITICAL) directly, not through the
 * runtime's patched console. A house module rather than @aws-lambda-powertools/logger because
 * that library's bytes cost every function's cold import (docs/evidence/performance.md); the
 * line is checked against Powertools' own in test/unit/house-logger.test.ts.
 *
 * Level: Lambda's log-level filter (AWS_LAMBDA_LOG_LEVEL, FATAL read as CRITICAL) wins, then the
 * `logLevel` option, then POWERTOOLS_LOG_LEVEL, then LOG_LEVEL, else INFO. Service: the
 * POWERTOOLS_SERVICE_NAME the stack sets, else the name given. Errors anywhere in an entry are
 * written as `{ name, location, message, stack, cause, ...own fields }`, bigints as strings, and
 * a value that refers back to one of its own containers is left out.
 */
import type { Context } from 'aws-lambda';

type Env = Record<string, string | undefined>;

/** The keys an entry adds after the standard ones. */
export type LogAttributes = Record<string, unknown>;

/** What the functions log through. */
export interface Logger {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
  /** Keys added to every entry until `resetKeys`. */
  appendKeys(attributes: LogAttributes): void;
  resetKeys(): void;
  /** The invocation's function context: name, ARN, memory, request id, cold start. */
  addContext(context: Context): void;
}

const THRESHOLDS = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28,
} as const;

export type LogLevel = keyof typeof THRESHOLDS;

/** Keys of the line itself: an attribute of that name is dropped (with a warning). */
const RESERVED = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);
/** Keys never copied from an entry's attributes. */
const UNSAFE = new Set(['__proto__', 'constructor']);

const LEVELS: ReadonlySet<string | undefined> = new Set(Object.keys(THRESHOLDS));

const levelOf = (name: string | undefined): LogLevel | undefined =>
  LEVELS.has(name) ? (name as LogLevel) : undefined;

/** The threshold the environment (and the `logLevel` option) gives, as Powertools reads it. */
export function resolveLogLevel(env: Env, option?: string): LogLevel {
  const lambda = env.AWS_LAMBDA_LOG_LEVEL?.trim();
  return (
    levelOf(lambda === 'FATAL' ? 'CRITICAL' : lambda) ??
    levelOf(option?.toUpperCase()) ??
    levelOf(env.POWERTOOLS_LOG_LEVEL?.trim() || env.LOG_LEVEL?.trim()) ??
    'INFO'
  );
}

/** The (last) Root of the invocation's trace header (`Root=1-...;Parent=...;Sampled=1`). */
export function traceRootOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (!header.includes('=')) return header;
  let root: string | undefined;
  for (const field of header.split(';')) {
    const [key, value] = field.split('=');
    if (key === 'Root') root = value;
  }
  return root;
}

/** `file:line` of the first stack frame that names one, as `(file:line:column)`. */
export function codeLocationOf(stack: string | undefined): string {
  const frame = /\(([^()\n]+):(\d+):\d+\)$/m.exec(String(stack));
  return frame ? `${frame[1]}:${Number(frame[2])}` : '';
}

/**
 * An error as a plain record: name, location, message, stack, cause, then its own fields (an
 * error cause is written as a record in turn, by the replacer).
 */
const errorRecord = (error: Error): Record<string, unknown> =>
  Object.assign(
    {
      name: error.name,
      location: codeLocationOf(error.stack),
      message: error.message,
      stack: error.stack,
      cause: error.cause,
    } as Record<string, unknown>,
    error,
  );

/**
 * JSON.stringify's replacer: errors as records, bigints as strings, cycles left out. A cycle is
 * found by the value as given (an error that is its own cause, or one a field of its points back
 * to), since each error is written as a new record.
 */
function lineReplacer() {
  // The values being written, outermost first: each as given and as written.
  const open: { raw: unknown; value: unknown }[] = [];
  return function (this: unknown, _key: string, raw: unknown) {
    while (open.length > 0 && open.at(-1)?.value !== this) open.pop();
    if (open.some((entry) => entry.raw === raw)) return undefined;
    const value =
      raw instanceof Error ? errorRecord(raw) : typeof raw === 'bigint' ? raw.toString() : raw;
    open.push({ raw, value });
    return value;
  };
}

interface FunctionContext {
  coldStart: boolean;
  arn: string;
  memorySize: unknown;
  name: string;
  requestId: string;
  tenantId: unknown;
}

class JsonLogger implements Logger {
  readonly #service: string;
  readonly #threshold: number;
  readonly #env: Env;
  #coldStart: boolean;
  #context: FunctionContext | undefined;
  #keys: LogAttributes = {};

  constructor(service: string, level: LogLevel, env: Env) {
    this.#service = service;
    this.#threshold = THRESHOLDS[level];
    this.#env = env;
    this.#coldStart = env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';
  }

  debug(message: string, attributes?: LogAttributes): void {
    this.#log('DEBUG', message, attributes);
  }

  info(message: string, attributes?: LogAttributes): void {
    this.#log('INFO', message, attributes);
  }

  warn(message: string, attributes?: LogAttributes): void {
    this.#log('WARN', message, attributes);
  }

  error(message: string, attributes?: LogAttributes): void {
    this.#log('ERROR', message, attributes);
  }

  appendKeys(attributes: LogAttributes): void {
    // An undefined value does not hide one appended before (Powertools' merge).
    for (const [key, value] of Object.entries(this.#allowed(attributes))) {
      if (value !== undefined || this.#keys[key] === undefined) this.#keys[key] = value;
    }
  }

  resetKeys(): void {
    this.#keys = {};
  }

  addContext(context: Context): void {
    this.#context = {
      coldStart: this.#coldStart,
      arn: context.invokedFunctionArn,
      memorySize: context.memoryLimitInMB,
      name: context.functionName,
      requestId: context.awsRequestId,
      tenantId: (context as { tenantId?: unknown }).tenantId,
    };
    this.#coldStart = false;
  }

  /** `attributes` without the reserved keys (each dropped with a warning) nor unsafe ones. */
  #allowed(attributes: LogAttributes): LogAttributes {
    const allowed: LogAttributes = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (RESERVED.has(key)) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      else if (!UNSAFE.has(key)) allowed[key] = value;
    }
    return allowed;
  }

  #log(level: Exclude<LogLevel, 'SILENT'>, message: string, attributes: LogAttributes = {}) {
    if (THRESHOLDS[level] < this.#threshold) return;
    const context = this.#context;
    const entry: LogAttributes = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.#service,
      cold_start: context?.coldStart,
      function_arn: context?.arn,
      function_memory_size: context?.memorySize,
      function_name: context?.name,
      function_request_id: context?.requestId,
      sampling_rate: 0,
      xray_trace_id: traceRootOf(this.#env._X_AMZN_TRACE_ID?.trim()),
      tenant_id: context?.tenantId,
    };
    // The appended keys that have a value, then the entry's own (which may hide one).
    const own: LogAttributes = {};
    for (const [key, value] of Object.entries(this.#keys))
      if (value !== undefined) own[key] = value;
    for (const [key, value] of Object.entries(Object.assign(own, this.#allowed(attributes)))) {
      if (value !== undefined) entry[key] = value;
    }
    // Empty top-level keys are left out (undefined ones by JSON.stringify itself).
    for (const [key, value] of Object.entries(entry)) {
      if (value === null || value === '') delete entry[key];
    }
    const stream = THRESHOLDS[level] >= THRESHOLDS.WARN ? process.stderr : process.stdout;
    stream.write(`${JSON.stringify(entry, lineReplacer())}\n`);
  }
}

/**
 * The logger of one function (or of the local runtime): `serviceName` unless the stack set
 * POWERTOOLS_SERVICE_NAME; `logLevel` below Lambda's own filter, above the environment's.
 */
export function createLogger(
  serviceName: string,
  options: { logLevel?: string; env?: Env } = {},
): Logger {
  const env = options.env ?? process.env;
  return new JsonLogger(
    (env.POWERTOOLS_SERVICE_NAME ?? serviceName) || 'service_undefined',
    resolveLogLevel(env, options.logLevel),
    env,
  );
}
