import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Contract, createContract } from '../support/openapi-contract.ts';

/**
 * End-to-end helpers: a fetch that checks every response against openapi.yaml, and an
 * open-handle check for "stop() leaves nothing running".
 */

export interface SeenResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export interface CheckedFetch {
  fetch: typeof fetch;
  /** Every response seen, in order. */
  seen: SeenResponse[];
  /** Contract violations (also thrown from the fetch, but a caller may swallow those). */
  violations: string[];
}

const GATEWAY_NOT_FOUND = JSON.stringify({ message: 'Not Found' });

/**
 * A fetch for the API under test. Responses of documented routes must match openapi.yaml;
 * any other method or path must be API Gateway's own 404 `{"message":"Not Found"}`.
 */
export function checkedFetch(contract: Contract = createContract()): CheckedFetch {
  const seen: SeenResponse[] = [];
  const violations: string[] = [];
  const checked: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text: the contract check reports it
    }
    const { pathname } = new URL(request.url);
    seen.push({ method: request.method, path: pathname, status: response.status, body });
    const template = contract.templateOf(pathname);
    const documented =
      template !== undefined &&
      contract.doc.paths[template]?.[request.method.toLowerCase()] !== undefined;
    try {
      if (documented) {
        contract.assertResponse({
          method: request.method,
          path: pathname,
          status: response.status,
          headers: response.headers,
          body,
        });
      } else if (response.status !== 404 || text !== GATEWAY_NOT_FOUND) {
        throw new Error(
          `${request.method} ${pathname}: undocumented route answered ${response.status} ${text}`,
        );
      }
    } catch (error) {
      violations.push((error as Error).message);
      throw error;
    }
    return response;
  };
  return { fetch: checked, seen, violations };
}

export async function temporaryDirectory(prefix: string) {
  const path = await mkdtemp(join(tmpdir(), `bucket-status-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

const countResources = () => {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
};

/**
 * Snapshot of the process's active resources (sockets, servers, timers). `leaked()` waits
 * briefly for closing sockets to go, then lists what is still there beyond the snapshot.
 */
export function resourceSnapshot() {
  const before = countResources();
  return {
    async leaked(waitMs = 2_000): Promise<string[]> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const extra: string[] = [];
        for (const [name, count] of countResources()) {
          const more = count - (before.get(name) ?? 0);
          if (more > 0) extra.push(`${more} x ${name}`);
        }
        if (extra.length === 0 || Date.now() > deadline) return extra;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
