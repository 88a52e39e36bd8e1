import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface XRayDocument {
  name: string;
  id: string;
  trace_id: string;
  parent_id: string;
  start_time: number;
  end_time: number;
  type: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  http?: { response: { status: number } };
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
}

/** A stand-in X-Ray daemon: a real UDP socket on a free port that keeps every document. */
export async function startXRayDaemon() {
  const socket = createSocket('udp4');
  const documents: XRayDocument[] = [];
  const malformed: string[] = [];
  let waiters: (() => void)[] = [];
  socket.on('message', (message) => {
    const text = message.toString('utf8');
    const newline = text.indexOf('\n');
    const header = text.slice(0, newline);
    try {
      if (JSON.stringify(JSON.parse(header)) !== '{"format":"json","version":1}') throw new Error();
      documents.push(JSON.parse(text.slice(newline + 1)) as XRayDocument);
    } catch {
      malformed.push(text);
    }
    for (const wake of waiters) wake();
    waiters = [];
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    documents,
    malformed,
    /** Resolves once at least `count` documents have arrived. */
    async waitFor(count: number): Promise<XRayDocument[]> {
      while (documents.length < count) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return documents;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export const traceHeader = (root: string, parent: string, sampled = true) =>
  `Root=${root};Parent=${parent};Sampled=${sampled ? 1 : 0}`;
