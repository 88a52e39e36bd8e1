/**
 * The house logger (functions/shared/logger.ts) against the library it replaces: for the same
 * environment and the same calls, every line it writes, and the stream it writes it to, equals
 * the line Powertools Logger (a devDependency, the reference) writes, timestamps aside. Example
 * cases first, then random environments and call sequences (fast-check).
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Unavailable } from '../../functions/domain/errors.ts';
import {
  codeLocationOf,
  createLogger,
  type LogAttributes,
  type Logger,
  resolveLogLevel,
  traceRootOf,
} from '../../functions/shared/logger.ts';
import { lambdaContext } from '../support/events.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

type Env = Record<string, string | undefined>;

/** The variables either logger reads; each run sets all of them. */
const BASE_ENV: Env = {
  AWS_LAMBDA_LOG_LEVEL: undefined,
  POWERTOOLS_LOG_LEVEL: undefined,
  LOG_LEVEL: undefined,
  AWS_LAMBDA_INITIALIZATION_TYPE: undefined,
  _X_AMZN_TRACE_ID: undefined,
  POWERTOOLS_SERVICE_NAME: undefined,
  POWERTOOLS_LOGGER_SAMPLE_RATE: undefined,
  POWERTOOLS_LOGGER_LOG_EVENT: undefined,
  POWERTOOLS_DEV: 'false',
  TZ: ':UTC',
};

function stubEnv(env: Env) {
  for (const [name, value] of Object.entries({ ...BASE_ENV, ...env })) vi.stubEnv(name, value);
}

interface Written {
  stream: 'stdout' | 'stderr';
  line: string;
}

/** Every line written to stdout and stderr while `run` runs (synchronously). */
function written(run: () => void): Written[] {
  const lines: Written[] = [];
  const spies = (['stdout', 'stderr'] as const).map((stream) =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk) => {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push({ stream, line });
      return true;
    }),
  );
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}

const TIMESTAMP = /"timestamp":"([^"]*)"/;
const withoutTimestamp = (lines: Written[]) =>
  lines.map(({ stream, line }) => ({ stream, line: line.replace(TIMESTAMP, '"timestamp":"T"') }));

type Op =
  | { op: 'append'; attributes: LogAttributes }
  | { op: 'reset' }
  | { op: 'context'; context: Context }
  | {
      op: 'log';
      level: 'debug' | 'info' | 'warn' | 'error';
      message: string;
      attributes?: LogAttributes | undefined;
    };

function play(logger: Logger, ops: readonly Op[]) {
  for (const op of ops) {
    if (op.op === 'append') logger.appendKeys(op.attributes);
    else if (op.op === 'reset') logger.resetKeys();
    else if (op.op === 'context') logger.addContext(op.context);
    else if (op.attributes === undefined) logger[op.level](op.message);
    else logger[op.level](op.message, op.attributes);
  }
}

/**
 * The lines of the house logger and of Powertools' (built as functions/shared/logger.ts built it
 * before: the stack's service name, else the given one), for the same calls in `env`.
 */
function bothWrite(env: Env, ops: readonly Op[], name = 'house-logger-test', logLevel?: string) {
  stubEnv(env);
  const reference = new PowertoolsLogger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? name,
    ...(logLevel !== undefined && { logLevel: logLevel as 'INFO' }),
  });
  const house = createLogger(name, logLevel === undefined ? {} : { logLevel });
  // The same objects (errors and their stacks included) go to both.
  const powertools = written(() => play(reference as unknown as Logger, ops));
  const ours = written(() => play(house, ops));
  return { powertools, ours };
}

function expectSameLines(env: Env, ops: readonly Op[], name?: string, logLevel?: string) {
  const { powertools, ours } = bothWrite(env, ops, name, logLevel);
  expect(withoutTimestamp(ours)).toEqual(withoutTimestamp(powertools));
  for (const { line } of ours) {
    expect(TIMESTAMP.exec(line)?.[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  return ours;
}

const context = (overrides: Partial<Context> = {}) => ({ ...lambdaContext(), ...overrides });

describe('the house logger writes the line Powertools Logger writes', () => {
  it("an HTTP function's request: context, request keys, a 5xx with its cause, a 4xx, the next request", () => {
    const cause = new Error('ECONNRESET 10.0.0.7:8000');
    const failure = new Unavailable('Try again', 2, { cause });
    const lines = expectSameLines(
      {
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        _X_AMZN_TRACE_ID:
          'Root=1-67a1b2c3-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
      },
      [
        { op: 'reset' },
        { op: 'context', context: context({ awsRequestId: 'req-1' }) },
        { op: 'append', attributes: { apiRequestId: 'api-1', route: 'GET /thing/{id}' } },
        {
          op: 'log',
          level: 'error',
          message: 'request failed',
          attributes: {
            statusCode: 503,
            error: failure,
            cause: { name: cause.name, message: cause.message },
          },
        },
        { op: 'log', level: 'info', message: 'request rejected', attributes: { statusCode: 400 } },
        { op: 'log', level: 'debug', message: 'not at INFO' },
        { op: 'reset' },
        { op: 'context', context: context({ awsRequestId: 'req-2' }) },
        { op: 'append', attributes: { apiRequestId: undefined, route: undefined } },
        { op: 'log', level: 'warn', message: 'next', attributes: { nested: { a: [1, 'b'] } } },
      ],
    );
    expect(lines.map((l) => l.stream)).toEqual(['stderr', 'stdout', 'stderr']);
    const [failed, rejected, next] = lines.map((l) => JSON.parse(l.line));
    expect(Object.keys(failed)).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'cold_start',
      'function_arn',
      'function_memory_size',
      'function_name',
      'function_request_id',
      'sampling_rate',
      'xray_trace_id',
      'apiRequestId',
      'route',
      'statusCode',
      'error',
      'cause',
    ]);
    expect(failed).toMatchObject({
      level: 'ERROR',
      service: 'house-logger-test',
      cold_start: true,
      function_request_id: 'req-1',
      xray_trace_id: '1-67a1b2c3-0123456789abcdef01234567',
      error: {
        name: 'Unavailable',
        location: codeLocationOf(failure.stack),
        message: 'Try again',
        stack: failure.stack,
        cause: { name: 'Error', message: 'ECONNRESET 10.0.0.7:8000', stack: cause.stack },
        retryAfterSeconds: 2,
      },
    });
    expect(rejected).toMatchObject({ level: 'INFO', cold_start: true, route: 'GET /thing/{id}' });
    expect(next).toMatchObject({ level: 'WARN', cold_start: false, function_request_id: 'req-2' });
    expect(next.route).toBeUndefined();
  });

  it('values: bigints as strings, a cycle left out, empty values dropped at the top only, errors anywhere', () => {
    const twice = { same: 'object' };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, 1];
    const bare = new Error('no stack');
    delete bare.stack;
    const framed = new Error('framed');
    framed.stack =
      'Error: framed\n    at <anonymous>\n    at run (file:///var/task/index.mjs:0012:5)';
    const lines = expectSameLines({}, [
      {
        op: 'log',
        level: 'info',
        message: 'values',
        attributes: {
          big: 12345678901234567890n,
          cyclic,
          shared: [framed, framed],
          twice: [twice, { again: twice }],
          alsoTwice: twice,
          empty: '',
          none: null,
          missing: undefined,
          inside: { empty: '', none: null, missing: undefined, errors: [bare] },
          date: new Date(0),
          cause: new Error('outer', { cause: 'a string cause' }),
        },
      },
    ]);
    const line = JSON.parse(lines[0]?.line ?? '{}');
    expect(line.big).toBe('12345678901234567890');
    expect(line.cyclic).toEqual({ name: 'loop', list: [null, 1] });
    expect(line.twice).toEqual([twice, { again: twice }]);
    expect(line.alsoTwice).toEqual(twice);
    expect(line.shared[0]).toMatchObject({ location: 'file:///var/task/index.mjs:12' });
    expect(line.inside).toEqual({
      empty: '',
      none: null,
      errors: [{ name: 'Error', location: '', message: 'no stack' }],
    });
    expect(line.cause).toMatchObject({ message: 'outer', cause: 'a string cause' });
    expect(Object.keys(line)).not.toContain('empty');
    expect(Object.keys(line)).not.toContain('none');
  });

  it('reserved keys are dropped with a warning, at append and per entry; unsafe keys are dropped', () => {
    const lines = expectSameLines({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }, [
      { op: 'append', attributes: { level: 'x', kept: 1, service: 'other' } },
      {
        op: 'log',
        level: 'debug',
        message: 'reserved',
        attributes: { message: 'm', timestamp: 't', sampling_rate: 1, own: true },
      },
      {
        op: 'log',
        level: 'info',
        message: 'unsafe',
        attributes: JSON.parse('{"__proto__":{"polluted":true},"constructor":"c","ok":1}'),
      },
    ]);
    expect(lines.map((l) => JSON.parse(l.line).message)).toEqual([
      'The key "level" is a reserved key and will be dropped.',
      'The key "service" is a reserved key and will be dropped.',
      'The key "message" is a reserved key and will be dropped.',
      'The key "timestamp" is a reserved key and will be dropped.',
      'The key "sampling_rate" is a reserved key and will be dropped.',
      'reserved',
      'unsafe',
    ]);
    expect(JSON.parse(lines[6]?.line ?? '{}')).toMatchObject({ kept: 1, ok: 1 });
    expect(lines[6]?.line).not.toMatch(/polluted|constructor/);
  });

  it('an appended key: a later value replaces it in place, undefined does not hide it, an entry may', () => {
    const lines = expectSameLines({}, [
      { op: 'append', attributes: { a: undefined, b: 1 } },
      { op: 'append', attributes: { a: 2, b: undefined, c: null } },
      { op: 'log', level: 'info', message: 'one' },
      { op: 'log', level: 'info', message: 'two', attributes: { b: undefined, d: 4, a: 5 } },
      { op: 'log', level: 'info', message: 'three', attributes: { function_name: 'f', c: 3 } },
      { op: 'reset' },
      { op: 'append', attributes: { u: undefined, v: 1, w: 'first' } },
      { op: 'append', attributes: { w: 'second' } },
      { op: 'context', context: context({ functionName: 'fn' }) },
      {
        op: 'log',
        level: 'info',
        message: 'four',
        attributes: { u: 3, function_name: undefined },
      },
    ]);
    const parsed = lines.map((l) => JSON.parse(l.line));
    expect(parsed).toMatchObject([
      { a: 2, b: 1 },
      { a: 5, d: 4 },
      { function_name: 'f', a: 2, b: 1, c: 3 },
      { function_name: 'fn', v: 1, w: 'second', u: 3 },
    ]);
    expect(Object.keys(parsed[3]).slice(-3)).toEqual(['v', 'w', 'u']);
  });

  it('the service: the stack\'s POWERTOOLS_SERVICE_NAME, else the given name, else "service_undefined"', () => {
    for (const [env, name, service] of [
      [{ POWERTOOLS_SERVICE_NAME: 'bucket-status' }, 'given', 'bucket-status'],
      [{}, 'given', 'given'],
      [{ POWERTOOLS_SERVICE_NAME: '' }, 'given', 'service_undefined'],
      [{}, '', 'service_undefined'],
    ] as const) {
      const lines = expectSameLines(env, [{ op: 'log', level: 'info', message: 'm' }], name);
      expect(JSON.parse(lines[0]?.line ?? '{}').service).toBe(service);
      vi.unstubAllEnvs();
    }
  });

  it('the trace id: the Root field of the header, the header itself without fields', () => {
    for (const [header, root] of [
      ['Root=1-a-b;Parent=c;Sampled=1', '1-a-b'],
      ['Parent=c;Root=1-x;Root=1-y', '1-y'],
      ['  1-plain  ', '1-plain'],
      ['Parent=c;Sampled=0', undefined],
      ['', undefined],
    ] as const) {
      const lines = expectSameLines({ _X_AMZN_TRACE_ID: header }, [
        { op: 'log', level: 'info', message: 'm' },
      ]);
      expect(JSON.parse(lines[0]?.line ?? '{}').xray_trace_id).toBe(root);
      expect(traceRootOf(header.trim())).toBe(root);
      vi.unstubAllEnvs();
    }
    expect(traceRootOf(undefined)).toBeUndefined();
  });

  it('the context: cold start on the first invocation of an on-demand environment only', () => {
    for (const [type, first] of [
      ['on-demand', true],
      [' on-demand ', true],
      ['provisioned-concurrency', false],
      [undefined, false],
    ] as const) {
      const lines = expectSameLines({ AWS_LAMBDA_INITIALIZATION_TYPE: type }, [
        { op: 'log', level: 'info', message: 'before any context' },
        { op: 'context', context: context({ tenantId: 'tenant-1' } as Partial<Context>) },
        { op: 'log', level: 'info', message: 'first' },
        { op: 'context', context: context() },
        { op: 'log', level: 'info', message: 'second' },
      ]);
      const [before, one, two] = lines.map((l) => JSON.parse(l.line));
      expect(before.cold_start).toBeUndefined();
      expect(one).toMatchObject({ cold_start: first, tenant_id: 'tenant-1' });
      expect(two.cold_start).toBe(false);
      vi.unstubAllEnvs();
    }
  });

  it('writes to the process streams themselves, not through console (which Lambda patches)', () => {
    stubEnv({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation(() => {
        throw new Error(`console.${method} called`);
      });
    }
    const logger = createLogger('streams');
    const lines = written(() => {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    });
    expect(lines.map((l) => [l.stream, JSON.parse(l.line).level])).toEqual([
      ['stdout', 'DEBUG'],
      ['stdout', 'INFO'],
      ['stderr', 'WARN'],
      ['stderr', 'ERROR'],
    ]);
  });
});

describe('errors that point back to themselves (where Powertools Logger overflows its stack)', () => {
  it('an error that is its own cause, or that a field of its holds, is written once', () => {
    stubEnv({});
    const own = new Error('own cause');
    own.cause = own;
    const held = Object.assign(new Error('held'), { context: {} as Record<string, unknown> });
    (held.context as Record<string, unknown>).error = held;
    const logger = createLogger('cycles');
    const lines = written(() => {
      logger.error('first', { error: own });
      logger.error('second', { error: held });
    });
    const [first, second] = lines.map((l) => JSON.parse(l.line));
    expect(first.error).toMatchObject({ name: 'Error', message: 'own cause' });
    expect(first.error).not.toHaveProperty('cause');
    expect(second.error).toMatchObject({ message: 'held', context: {} });
  });
});

const LEVEL_VALUES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

describe('the level, as Powertools reads it', () => {
  const everyLevel: Op[] = (['debug', 'info', 'warn', 'error'] as const).map((level) => ({
    op: 'log',
    level,
    message: level,
  }));

  it("Lambda's filter (FATAL as CRITICAL) wins, then the option, then POWERTOOLS_LOG_LEVEL, then LOG_LEVEL", () => {
    const cases: [Env, string | undefined, string][] = [
      [{ AWS_LAMBDA_LOG_LEVEL: 'ERROR', POWERTOOLS_LOG_LEVEL: 'DEBUG' }, undefined, 'ERROR'],
      [{ AWS_LAMBDA_LOG_LEVEL: ' WARN ' }, undefined, 'WARN'],
      [{ AWS_LAMBDA_LOG_LEVEL: 'FATAL' }, undefined, 'CRITICAL'],
      [{ AWS_LAMBDA_LOG_LEVEL: 'bogus', POWERTOOLS_LOG_LEVEL: 'WARN' }, undefined, 'WARN'],
      [{ POWERTOOLS_LOG_LEVEL: 'DEBUG' }, 'error', 'ERROR'],
      [{ POWERTOOLS_LOG_LEVEL: 'DEBUG' }, 'bogus', 'DEBUG'],
      [{ POWERTOOLS_LOG_LEVEL: ' ERROR ', LOG_LEVEL: 'DEBUG' }, undefined, 'ERROR'],
      [{ POWERTOOLS_LOG_LEVEL: 'debug', LOG_LEVEL: 'ERROR' }, undefined, 'INFO'],
      [{ POWERTOOLS_LOG_LEVEL: '', LOG_LEVEL: 'WARN' }, undefined, 'WARN'],
      [{ LOG_LEVEL: ' ERROR ' }, undefined, 'ERROR'],
      [{ LOG_LEVEL: 'SILENT' }, undefined, 'SILENT'],
      [{}, undefined, 'INFO'],
      [{}, 'Debug', 'DEBUG'],
    ];
    for (const [env, option, level] of cases) {
      expectSameLines(env, everyLevel, 'levels', option);
      expect(resolveLogLevel({ ...BASE_ENV, ...env }, option), JSON.stringify([env, option])).toBe(
        level,
      );
      vi.unstubAllEnvs();
    }
  });

  it('writes each entry at or above the level, and nothing at SILENT', () => {
    for (const level of LEVEL_VALUES) {
      const lines = expectSameLines({ POWERTOOLS_LOG_LEVEL: level }, everyLevel, 'levels');
      const kept = ['DEBUG', 'INFO', 'WARN', 'ERROR'].filter(
        (l) => LEVEL_VALUES.indexOf(l) >= LEVEL_VALUES.indexOf(level),
      );
      expect(lines.map((l) => JSON.parse(l.line).level)).toEqual(kept);
      vi.unstubAllEnvs();
    }
  });
});

describe('codeLocationOf', () => {
  it('is the file and line of the first frame written as (file:line:column)', () => {
    expect(
      codeLocationOf('Error: x\n    at f (/var/task/index.mjs:10:2)\n    at g (/b.js:3:4)'),
    ).toBe('/var/task/index.mjs:10');
    expect(codeLocationOf('Error: x\n    at file:///a.mjs:1:2\n    at h (c:\\dir\\d.js:7:1)')).toBe(
      'c:\\dir\\d.js:7',
    );
    expect(codeLocationOf('Error: x\n    at f (/a (b)/c.js:1:2)')).toBe('');
    expect(codeLocationOf('Error: x\n    at f (/a.js:1:2) trailing')).toBe('');
    expect(codeLocationOf('Error: x\n    at f (/a.js:x:2)')).toBe('');
    expect(codeLocationOf(undefined)).toBe('');
  });
});

// ---- Random environments and call sequences ------------------------------------------------

const levelValue = fc.constantFrom(...LEVEL_VALUES, 'debug', ' WARN ', 'bogus', '');
const envArb = fc.record({
  AWS_LAMBDA_LOG_LEVEL: fc.option(fc.constantFrom(...LEVEL_VALUES, 'FATAL', 'warn', 'bogus'), {
    nil: undefined,
  }),
  POWERTOOLS_LOG_LEVEL: fc.option(levelValue, { nil: undefined }),
  LOG_LEVEL: fc.option(levelValue, { nil: undefined }),
  AWS_LAMBDA_INITIALIZATION_TYPE: fc.option(
    fc.constantFrom('on-demand', ' on-demand', 'provisioned-concurrency', 'snap-start'),
    { nil: undefined },
  ),
  _X_AMZN_TRACE_ID: fc.option(
    fc.oneof(
      fc.constantFrom('Root=1-a-b;Parent=c;Sampled=1', 'Parent=c;Root=1-x', '1-plain', ''),
      fc.string({ maxLength: 12 }),
    ),
    { nil: undefined },
  ),
  POWERTOOLS_SERVICE_NAME: fc.option(fc.constantFrom('bucket-status', '', ' svc '), {
    nil: undefined,
  }),
});

const KEYS = [
  'route',
  'apiRequestId',
  'statusCode',
  'error',
  'cause',
  'details',
  'level',
  'message',
  'service',
  'timestamp',
  'sampling_rate',
  'function_name',
  'cold_start',
  'xray_trace_id',
  'constructor',
  'x',
];
const primitive = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.boolean(),
  fc.constantFrom(null, undefined, ''),
);
const errorArb = fc
  .record({
    message: fc.string({ maxLength: 6 }),
    name: fc.constantFrom('Error', 'TypeError', 'Unavailable'),
    cause: fc.option(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('error')), {
      nil: undefined,
    }),
    field: fc.option(primitive, { nil: undefined }),
  })
  .map(({ message, name, cause, field }) => {
    const error = new Error(message, {
      ...(cause !== undefined && { cause: cause === 'error' ? new RangeError('inner') : cause }),
    });
    error.name = name;
    if (field !== undefined) Object.assign(error, { field });
    return error;
  });
const valueArb = fc.oneof(
  primitive,
  fc.bigInt(),
  errorArb,
  fc.array(fc.oneof(primitive, errorArb), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'b', 'message'), fc.oneof(primitive, errorArb), {
    maxKeys: 2,
  }),
);
const attributesArb = (values: fc.Arbitrary<unknown>) =>
  fc.dictionary(fc.constantFrom(...KEYS), values, { maxKeys: 4 });
const contextArb = fc
  .record({
    functionName: fc.string({ maxLength: 6 }),
    awsRequestId: fc.uuid(),
    invokedFunctionArn: fc.constantFrom('arn:aws:lambda:us-east-1:123456789012:function:f', ''),
    memoryLimitInMB: fc.constantFrom('1024', '256'),
    tenantId: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
  })
  .map((fields) => ({ ...lambdaContext(), ...fields }) as Context);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  // appendKeys takes primitives (what the functions append; nested objects are not merged).
  attributesArb(primitive).map((attributes) => ({ op: 'append' as const, attributes })),
  fc.constant({ op: 'reset' as const }),
  contextArb.map((context) => ({ op: 'context' as const, context })),
  fc.record({
    op: fc.constant('log' as const),
    level: fc.constantFrom('debug' as const, 'info' as const, 'warn' as const, 'error' as const),
    message: fc.string({ maxLength: 8 }),
    attributes: fc.option(attributesArb(valueArb), { nil: undefined }),
  }),
);

describe('random environments and call sequences', () => {
  it('the house lines equal Powertools Logger lines', () => {
    fc.assert(
      fc.property(
        envArb,
        // The option only without a valid Lambda level (Powertools then warns about the pair).
        fc.option(fc.constantFrom('debug', 'WARN', 'error', 'Info', 'bogus'), { nil: undefined }),
        fc.constantFrom('given', ''),
        fc.array(opArb, { maxLength: 8 }),
        (env, option, name, ops) => {
          const lambda = env.AWS_LAMBDA_LOG_LEVEL;
          const logLevel =
            lambda === undefined || lambda === 'warn' || lambda === 'bogus' ? option : undefined;
          const { powertools, ours } = bothWrite(env, ops, name, logLevel);
          vi.unstubAllEnvs();
          expect(withoutTimestamp(ours)).toEqual(withoutTimestamp(powertools));
        },
      ),
      { numRuns: Number(process.env.LOGGER_PROPERTY_RUNS ?? 300) },
    );
  });
});
