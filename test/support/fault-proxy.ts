import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inject, test } from 'vitest';

export type FaultKind =
  | 'throttle'
  | 'provisioned'
  | 'internal'
  | 'unavailable'
  | 'timeout'
  | 'reset'
  /** Forwarded and applied by the engine, then the connection drops: the SDK retries a write whose first attempt landed. */
  | 'lost-response';

export interface FaultRule {
  kind: FaultKind;
  /** DynamoDB operation, e.g. 'Query', 'UpdateItem'; any when absent. */
  operation?: string;
  /** Only requests whose JSON body contains this text (e.g. a bucket id). */
  bodyIncludes?: string;
  /** How many matching requests to fail; Infinity for a lasting fault. */
  times: number;
  /** How many matching requests to let through first (default 0: fail from the first). */
  after?: number;
}

const ERROR_RESPONSES: Record<
  Exclude<FaultKind, 'timeout' | 'reset' | 'lost-response'>,
  [number, string, string]
> = {
  throttle: [400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.'],
  provisioned: [
    400,
    'ProvisionedThroughputExceededException',
    'The level of configured provisioned throughput for the table was exceeded.',
  ],
  internal: [500, 'InternalServerError', 'Internal server error'],
  unavailable: [503, 'ServiceUnavailable', 'Service unavailable'],
};

/**
 * A failing HTTP proxy in front of the test engine: it answers chosen requests with DynamoDB's
 * real error responses, hangs them (timeout) or drops the connection (reset), and forwards
 * the rest. The SDK's real retry and parsing code runs against it.
 */
export class FaultProxy {
  readonly #target: URL;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  rules: FaultRule[] = [];
  /** Every request: its operation, the fault it got, and its JSON body (e.g. a Query's Limit). */
  readonly seen: { operation: string; faulted: FaultKind | undefined; body: string }[] = [];

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  fail(rule: FaultRule): this {
    this.rules.push(rule);
    return this;
  }

  clear(): void {
    this.rules = [];
    this.seen.length = 0;
  }

  count(operation: string, faulted?: boolean): number {
    return this.seen.filter(
      (s) =>
        s.operation === operation &&
        (faulted === undefined || (s.faulted !== undefined) === faulted),
    ).length;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: import('node:http').ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const text = body.toString('utf8');
    const matched = this.rules.find(
      (r) =>
        r.times > 0 &&
        (r.operation === undefined || r.operation === operation) &&
        (r.bodyIncludes === undefined || text.includes(r.bodyIncludes)),
    );
    // A rule with `after` lets that many matching requests through before it fails any.
    let rule = matched;
    if (matched !== undefined && (matched.after ?? 0) > 0) {
      matched.after = (matched.after ?? 0) - 1;
      rule = undefined;
    }
    this.seen.push({ operation, faulted: rule?.kind, body: text });
    if (rule !== undefined) {
      rule.times--;
      if (rule.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (rule.kind === 'timeout') return; // never answer; the client's request timeout fires
      if (rule.kind === 'lost-response') {
        this.#forward(req, body, (answer) => {
          answer.resume();
          req.socket.destroy();
        });
        return;
      }
      const [status, type, message] = ERROR_RESPONSES[rule.kind];
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': 'fault',
      });
      res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));
      return;
    }
    this.#forward(req, body, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
  }

  #forward(req: IncomingMessage, body: Buffer, onAnswer: (answer: IncomingMessage) => void) {
    const upstream = httpRequest(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      // The engine has applied the request once it answers.
      onAnswer,
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }
}

/** Runs `use` with a fresh fault proxy in front of `target`, and closes the proxy however it ends. */
export async function withFaultProxy<T>(
  target: string,
  use: (proxy: FaultProxy) => Promise<T>,
): Promise<T> {
  const proxy = await FaultProxy.start(target);
  try {
    return await use(proxy);
  } finally {
    await proxy.close();
  }
}

/**
 * A fault proxy in front of the run's engine as a file-scoped vitest fixture: started on the
 * file's first use, closed after the file. A test clears what it set (`proxy.clear()`).
 */
export async function fileFaultProxy(
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  {},
  { onCleanup }: { onCleanup: (cleanup: () => Promise<void>) => void },
) {
  const proxy = await FaultProxy.start(inject('dynamoEndpoint'));
  onCleanup(() => proxy.close());
  return proxy;
}

/**
 * `test` with a file's fault `proxy` (see `fileFaultProxy`). A factory, not a module-level
 * `test.extend`: modules outside vitest (the benchmarks) import this file's helpers.
 */
export const faultProxyFixtures = () => test.extend('proxy', { scope: 'file' }, fileFaultProxy);
