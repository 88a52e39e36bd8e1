import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  checkWebhookUrl,
  type ResolvedAddress,
  type ResolveHost,
  type UrlPolicy,
  WebhookUrlError,
} from '../domain/webhook-url.ts';
import { systemResolve } from '../shared/system-resolve.ts';

/**
 * One webhook POST with the SSRF rules of DESIGN.md section 10:
 * - the URL rules are checked again now, against the addresses the host resolves to now;
 * - the socket connects to the address that was checked (a pinned `lookup`, so no second DNS
 *   answer can slip in between check and connect), while SNI, certificate name and `Host`
 *   stay the URL's host name; the connected peer is compared with the checked address;
 * - redirects are never followed (a 3xx is a failed attempt);
 * - the status line decides, as soon as it arrives: a 2xx received within the 5 s deadline is
 *   success (DESIGN.md section 12); the body is then drained in the background, at most 64 KiB
 *   of it and never past the deadline, and the socket is closed.
 */

export const DELIVERY_TIMEOUT_MS = 5_000;
export const MAX_RESPONSE_BYTES = 64 * 1024;

export type DeliveryResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'failed'; status?: number; reason: string }
  /** The URL rules refused the target: nothing was sent. */
  | { outcome: 'refused'; reason: string };

export interface PostWebhookInput {
  url: string;
  body: string;
  headers: Record<string, string>;
  policy: UrlPolicy;
  resolve?: ResolveHost;
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for tests with a receiver of their own CA. */
  ca?: string;
}

const pinnedLookup =
  (pinned: ResolvedAddress): LookupFunction =>
  (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };

const normalize = (address: string | undefined) =>
  address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

export async function postWebhook(input: PostWebhookInput): Promise<DeliveryResult> {
  let target: Awaited<ReturnType<typeof checkWebhookUrl>>;
  try {
    target = await checkWebhookUrl(input.url, input.policy, input.resolve ?? systemResolve);
  } catch (error) {
    if (error instanceof WebhookUrlError) return { outcome: 'refused', reason: error.message };
    throw error;
  }
  const pinned = target.addresses[0] as ResolvedAddress;
  const timeoutMs = input.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const transport = target.url.protocol === 'https:' ? https : http;
  const bodyBytes = Buffer.from(input.body, 'utf8');

  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    /** The attempt's outcome: the first one wins. */
    const settle = (result: DeliveryResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    /** Ends the exchange: nothing more is awaited or read. */
    const close = () => {
      clearTimeout(deadline);
      request.destroy();
    };
    const finish = (result: DeliveryResult) => {
      settle(result);
      close();
    };
    const request = transport.request(target.url, {
      method: 'POST',
      // A fresh connection per attempt: a pooled socket could be connected somewhere else.
      agent: false,
      lookup: pinnedLookup(pinned),
      ...(input.ca !== undefined && { ca: input.ca }),
      headers: {
        ...input.headers,
        'content-length': String(bodyBytes.length),
        'user-agent': 'bucket-status-webhooks/1',
        connection: 'close',
      },
    });
    const deadline = setTimeout(
      () => finish({ outcome: 'failed', reason: `no response within ${timeoutMs} ms` }),
      timeoutMs,
    );
    request.on('socket', (socket) => {
      socket.once('connect', () => {
        const peer = normalize(socket.remoteAddress);
        if (peer !== normalize(pinned.address)) {
          finish({ outcome: 'refused', reason: `connected to ${peer}, not the checked address` });
        }
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ outcome: 'failed', reason: error.code ?? error.message }),
    );
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      // The status line is the answer; the body is not waited for.
      settle(
        status >= 200 && status < 300
          ? { outcome: 'delivered', status }
          : {
              outcome: 'failed',
              status,
              reason:
                status >= 300 && status < 400
                  ? `HTTP ${status} (redirects are not followed)`
                  : `HTTP ${status}`,
            },
      );
      // Drained so that a short body ends cleanly; past the bound, or at the deadline, the
      // socket is closed.
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) close();
      });
      response.on('end', close);
      response.on('error', close);
    });
    request.end(bodyBytes);
  });
}
