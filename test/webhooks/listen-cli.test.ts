// `npm run webhooks:listen`: the receiver of the README walkthrough, as a child process on a
// free port, fed a real signed delivery, a tampered one and an unsigned one.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateWebhookSecret, webhookHeaders } from '../../functions/domain/standard-webhooks.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/webhooks-listen.ts', import.meta.url));
const secret = generateWebhookSecret();
let child: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  child = spawn(process.execPath, [SCRIPT, '--port', '0', '--secret', secret, '--fail', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    const poll = setInterval(() => {
      const match = /listening for webhooks on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearInterval(poll);
        resolve(match[1] as string);
      }
    }, 20);
  });
});

afterAll(() => {
  child?.kill('SIGTERM');
});

/** The child prints after it answers: wait for the line (bounded), then assert on it. */
async function printed(pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200 && !pattern.test(output); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return output;
}

const body = JSON.stringify({
  type: 'node.status_changed',
  timestamp: new Date().toISOString(),
  data: { bucketId: 'b-1', host: 'node-7', from: 'ONLINE', to: 'DISCONNECTED', at: 'then' },
});
const send = (headers: Record<string, string>, payload = body) =>
  fetch(url, { method: 'POST', headers, body: payload });
const signedHeaders = (messageId: string) =>
  webhookHeaders({
    secret,
    messageId,
    timestampSeconds: Math.floor(Date.now() / 1000),
    body,
  });

it('answers 500 on purpose (--fail 1), then 204 to a verified delivery and prints it', async () => {
  expect((await send(signedHeaders('msg_first'))).status).toBe(500);
  expect((await send(signedHeaders('msg_second'))).status).toBe(204);
  const line =
    /verified msg_second node\.status_changed bucket b-1 node node-7: ONLINE -> DISCONNECTED at then/;
  expect(await printed(line)).toMatch(line);
  expect(output).toMatch(/verified msg_first \(answering 500 on purpose\)/);
});

it('prints a bucket health delivery with its verdicts and counts', async () => {
  const health = JSON.stringify({
    type: 'bucket.health_changed',
    timestamp: new Date().toISOString(),
    data: {
      workspaceId: 'ws-1',
      bucketId: 'b-1',
      from: 'OPERATIONAL',
      to: 'DEGRADED',
      at: 'then',
      nodes: { counted: 3, online: 2 },
    },
  });
  const headers = webhookHeaders({
    secret,
    messageId: 'msg_health',
    timestampSeconds: Math.floor(Date.now() / 1000),
    body: health,
  });
  expect((await send(headers, health)).status).toBe(204);
  const line =
    /verified msg_health bucket\.health_changed bucket b-1 health \(2\/3 online\): OPERATIONAL -> DEGRADED at then/;
  expect(await printed(line)).toMatch(line);
});

it('answers 401 to a tampered or unsigned delivery', async () => {
  const tampered = await send(signedHeaders('msg_t'), body.replace('node-7', 'node-8'));
  expect(tampered.status).toBe(401);
  expect((await send({ 'content-type': 'application/json' })).status).toBe(401);
  expect(await printed(/missing headers/)).toMatch(/REJECTED POST \/: missing headers/);
  expect(output).toMatch(/REJECTED POST \/: no matching signature/);
});

it('refuses a malformed secret with exit code 2', async () => {
  const bad = spawn(process.execPath, [SCRIPT, '--secret', 'not-a-secret'], { stdio: 'pipe' });
  let stderr = '';
  bad.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toMatch(/--secret must be whsec_/);
});
