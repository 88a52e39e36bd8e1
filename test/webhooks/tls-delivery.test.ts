// HTTPS delivery to a pinned address: the socket goes to the address the URL rules checked,
// while SNI and the certificate check use the URL's host name (a receiver with its own CA, a
// certificate for hooks.receiver.test only, served on 127.0.0.1).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { postWebhook } from '../../functions/delivery/webhook-client.ts';
import type { ResolveHost } from '../../functions/domain/webhook-url.ts';

let server: Server;
let port: number;
let cert: string;
const seen: { servername: string | undefined; host: string | undefined }[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'webhook-tls-'));

beforeAll(async () => {
  const key = path.join(dir, 'key.pem');
  const crt = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '1',
      '-subj',
      '/CN=hooks.receiver.test',
      '-addext',
      'subjectAltName=DNS:hooks.receiver.test',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(crt, 'utf8');
  server = createServer({ key: readFileSync(key), cert }, (request, response) => {
    seen.push({
      servername: (request.socket as { servername?: string }).servername,
      host: request.headers.host,
    });
    request.resume();
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const toLoopback: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];

it('connects to the checked address with SNI, certificate name and Host of the URL', async () => {
  const result = await postWebhook({
    url: `https://hooks.receiver.test:${port}/in`,
    body: '{}',
    headers: {},
    policy: { allowLoopback: true },
    resolve: toLoopback,
    ca: cert,
  });
  expect(result).toEqual({ outcome: 'delivered', status: 204 });
  expect(seen.at(-1)).toEqual({
    servername: 'hooks.receiver.test',
    host: `hooks.receiver.test:${port}`,
  });
});

it('a certificate for another name fails the attempt (no silent fallback to the address)', async () => {
  const before = seen.length;
  const result = await postWebhook({
    url: `https://other.receiver.test:${port}/in`,
    body: '{}',
    headers: {},
    policy: { allowLoopback: true },
    resolve: toLoopback,
    ca: cert,
  });
  expect(result).toMatchObject({ outcome: 'failed', reason: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  expect(seen.length).toBe(before);
});

it('an untrusted certificate fails the attempt', async () => {
  const result = await postWebhook({
    url: `https://hooks.receiver.test:${port}/in`,
    body: '{}',
    headers: {},
    policy: { allowLoopback: true },
    resolve: toLoopback,
  });
  expect(result.outcome).toBe('failed');
});
