/**
 * X-Ray tracing without the X-Ray SDK. Powertools Tracer wraps aws-xray-sdk-core (CommonJS,
 * cls-hooked, semver): measured, it adds 12.6 ms (+15.6% of the bare-SDK floor) to a function's
 * cold import, which alone breaks the 1.15x budget (docs/evidence/performance.md). Lambda's active tracing
 * already records the invocation; this module adds what Tracer would: a `## handler` subsegment
 * per invocation (annotations ColdStart and Service, error/fault flags from the response status)
 * and one `DynamoDB` subsegment per SDK command (operation, table, request id, attempts, status),
 * sent as UDP documents to the X-Ray daemon in the daemon's own protocol
 * (`{"format":"json","version":1}\n<document>`).
 *
 * Active only inside a sampled Lambda invocation with a daemon address: locally, in tests and
 * when POWERTOOLS_TRACE_ENABLED=false it costs one environment check per invocation. Lambda runs
 * one invocation at a time per execution environment, so the current handler subsegment is
 * plain module state.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MiddlewareObj } from '@middy/core';

type Env = Record<string, string | undefined>;

interface Daemon {
  host: string;
  port: number;
}

interface TraceHeader {
  root: string;
  parent: string;
}

export interface Subsegment {
  name: string;
  id: string;
  trace_id: string;
  parent_id: string;
  start_time: number;
  end_time?: number;
  type: 'subsegment';
  namespace?: 'aws' | 'remote';
  annotations?: Record<string, string | number | boolean>;
  aws?: Record<string, string | number>;
  http?: { response: { status: number } };
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: { exceptions: { id: string; type: string; message: string }[] };
}

const HEADER = '{"format":"json","version":1}\n';

/** `AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or Lambda's `udp:host:port tcp:host:port` form. */
export function parseDaemonAddress(raw: string | undefined): Daemon | undefined {
  if (!raw) return undefined;
  const udp = raw.split(/\s+/).find((part) => part.startsWith('udp:')) ?? raw.split(/\s+/)[0];
  const match = /^(?:udp:)?([^\s:]+):(\d{1,5})$/.exec(udp ?? '');
  if (!match) return undefined;
  return { host: match[1] as string, port: Number(match[2]) };
}

/** `_X_AMZN_TRACE_ID` of a sampled invocation, else undefined. */
export function parseTraceHeader(raw: string | undefined): TraceHeader | undefined {
  if (!raw) return undefined;
  const fields = Object.fromEntries(
    raw.split(';').map((part) => part.split('=', 2) as [string, string | undefined]),
  );
  if (fields.Sampled !== '1' || !fields.Root || !fields.Parent) return undefined;
  return { root: fields.Root, parent: fields.Parent };
}

const newId = () => randomBytes(8).toString('hex');
const epochSeconds = () => Date.now() / 1000;

export class XRayTracer {
  readonly #serviceName: string;
  readonly #env: Env;
  #socket: Socket | undefined;
  #coldStart = true;
  /** The open `## handler` subsegment of the current invocation, when sampled. */
  #current: { segment: Subsegment; daemon: Daemon } | undefined;

  constructor(serviceName: string, env: Env = process.env) {
    this.#serviceName = serviceName;
    this.#env = env;
  }

  /** Whether this invocation is traced (read per invocation: the runtime sets the header). */
  #context(): { header: TraceHeader; daemon: Daemon } | undefined {
    if (this.#env.POWERTOOLS_TRACE_ENABLED === 'false') return undefined;
    const daemon = parseDaemonAddress(this.#env.AWS_XRAY_DAEMON_ADDRESS);
    const header = parseTraceHeader(this.#env._X_AMZN_TRACE_ID);
    return daemon && header ? { header, daemon } : undefined;
  }

  /** Opens the invocation's `## handler` subsegment (no-op when not traced). */
  begin(): void {
    const coldStart = this.#coldStart;
    this.#coldStart = false;
    const context = this.#context();
    if (!context) {
      this.#current = undefined;
      return;
    }
    this.#current = {
      daemon: context.daemon,
      segment: {
        name: `## ${this.#env._HANDLER ?? 'handler'}`,
        id: newId(),
        trace_id: context.header.root,
        parent_id: context.header.parent,
        start_time: epochSeconds(),
        type: 'subsegment',
        annotations: { ColdStart: coldStart, Service: this.#serviceName },
      },
    };
  }

  /** Closes the handler subsegment with the response status (5xx: fault, 4xx: error). */
  end(statusCode: number | undefined, error?: unknown): void {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    const segment = current.segment;
    segment.end_time = epochSeconds();
    if (statusCode !== undefined) segment.http = { response: { status: statusCode } };
    if (error !== undefined || (statusCode !== undefined && statusCode >= 500)) {
      segment.fault = true;
    } else if (statusCode !== undefined && statusCode >= 400) segment.error = true;
    if (error instanceof Error) {
      segment.cause = { exceptions: [{ id: newId(), type: error.name, message: error.message }] };
    }
    this.#send(current.daemon, segment);
  }

  /** Records every command of `client` as a DynamoDB subsegment of the current invocation. */
  captureDynamoClient<T extends DynamoDBClient>(client: T): T {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const parent = this.#current;
        if (!parent) return next(args);
        const input = args.input as { TableName?: string };
        const subsegment: Subsegment = {
          name: 'DynamoDB',
          id: newId(),
          trace_id: parent.segment.trace_id,
          parent_id: parent.segment.id,
          start_time: epochSeconds(),
          type: 'subsegment',
          namespace: 'aws',
          aws: {
            operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
            ...(input.TableName !== undefined && { table_name: input.TableName }),
            ...(this.#env.AWS_REGION !== undefined && { region: this.#env.AWS_REGION }),
          },
        };
        const finish = (
          metadata: { httpStatusCode?: number; requestId?: string; attempts?: number } = {},
        ) => {
          subsegment.end_time = epochSeconds();
          if (metadata.requestId)
            (subsegment.aws as Record<string, string>).request_id = metadata.requestId;
          if (metadata.attempts) {
            (subsegment.aws as Record<string, number>).retries = metadata.attempts - 1;
          }
          if (metadata.httpStatusCode !== undefined) {
            subsegment.http = { response: { status: metadata.httpStatusCode } };
          }
          this.#send(parent.daemon, subsegment);
        };
        try {
          const result = await next(args);
          finish((result.output as { $metadata?: object }).$metadata);
          return result;
        } catch (error) {
          const e = error as Error & { $metadata?: { httpStatusCode?: number } };
          const status = e.$metadata?.httpStatusCode;
          if (status === 429 || /Throttl|ProvisionedThroughputExceeded/.test(e.name)) {
            subsegment.throttle = true;
          }
          if (status !== undefined && status < 500) subsegment.error = true;
          else subsegment.fault = true;
          subsegment.cause = { exceptions: [{ id: newId(), type: e.name, message: e.message }] };
          finish(e.$metadata);
          throw error;
        }
      },
      { step: 'initialize', name: 'xrayTracingMiddleware', priority: 'high' },
    );
    return client;
  }

  #send(daemon: Daemon, document: Subsegment): void {
    if (!this.#socket) {
      this.#socket = createSocket('udp4');
      // Never keeps a process alive, never throws into a request.
      this.#socket.unref();
      this.#socket.on('error', () => undefined);
    }
    const message = Buffer.from(HEADER + JSON.stringify(document));
    this.#socket.send(message, daemon.port, daemon.host, () => undefined);
  }
}

/**
 * The tracer in the middy chain (outermost, beside the metrics middleware): opens the handler
 * subsegment before anything runs, closes it with the status the error handler mapped.
 */
export function tracing(tracer: XRayTracer): MiddlewareObj {
  return {
    before: () => tracer.begin(),
    after: (request) => tracer.end((request.response as { statusCode?: number })?.statusCode),
    onError: (request) => {
      const statusCode = (request.response as { statusCode?: number } | undefined)?.statusCode;
      tracer.end(statusCode, statusCode === undefined ? request.error : undefined);
    },
  };
}
