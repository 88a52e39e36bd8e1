// The README's walkthrough as a test: `npm start` in this process, a webhook created over real
// HTTP with a workspace admin's token, a simulated node stopped (disabled, so its reports are
// refused), and the signed DISCONNECTED alert arriving at a real receiver, verified with the
// standardwebhooks package, through the sweep and the in-process alert queue.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { type Receiver, startReceiver } from './support.ts';

let runtime: LocalRuntime;
let receiver: Receiver;
const lines: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver((_q, s) => s.writeHead(204).end());
  runtime = await startLocalRuntime({
    env: {
      STALE_AFTER_SECONDS: '3',
      SWEEP_INTERVAL_SECONDS: '0.5',
      WEBHOOK_RETRY_BASE_SECONDS: '0.1',
      NODE_MIN_REPORT_INTERVAL_MS: '0',
    },
    port: 0,
    reportIntervalMs: 300,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await runtime?.stop();
  await receiver?.close();
});

async function until<T>(what: string, probe: () => T | undefined, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}:\n${lines.slice(-30).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('a stopped node reaches the webhook as a signed DISCONNECTED alert', async () => {
  const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    // Exactly the README's steps: the demo's workspace and its ADMIN's token from demo.json.
    const { bucketId, nodes, workspaceId, adminToken } = runtime.demo;
    const created = await fetch(`${runtime.apiUrl}/workspace/${workspaceId}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, description: 'walkthrough' }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };

    // "Stop" the first simulated node: disabled, its reports are refused from now on.
    const stopped = nodes[0]?.nodeId as string;
    await dynamo.send(
      new UpdateItemCommand({
        TableName: runtime.tableName,
        Key: { pk: { S: `NODE#${stopped}` }, sk: { S: 'META' } },
        UpdateExpression: 'SET #s = :d',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':d': { S: 'DISABLED' } },
      }),
    );

    const alert = await until('the DISCONNECTED alert', () =>
      receiver.requests.find((r) => {
        const body = JSON.parse(r.body) as { data?: { host?: string; to?: string } };
        return body.data?.host === stopped && body.data.to === 'DISCONNECTED';
      }),
    );
    const payload = new Webhook(secret).verify(
      alert.body,
      alert.headers as Record<string, string>,
    ) as { type: string; data: Record<string, string> };
    expect(payload.type).toBe('node.status_changed');
    expect(payload.data).toMatchObject({
      workspaceId,
      bucketId,
      host: stopped,
      to: 'DISCONNECTED',
    });
    expect(['ONLINE', 'OFFLINE']).toContain(payload.data.from);
    // One log line per delivery attempt: written once the queue has the receiver's answer,
    // which may come after the receiver has recorded the request.
    const logged = await until('the delivery log line', () =>
      lines.find(
        (l) =>
          l.startsWith('[webhook] delivered 204') &&
          l.includes(alert.headers['webhook-id'] as string),
      ),
    );
    expect(logged).toContain(alert.headers['webhook-id'] as string);
  } finally {
    dynamo.destroy();
  }
}, 90_000);

interface FeedEvent {
  host: string;
  from: string;
  to: string;
  at: string;
}

it('unassigning a reporting node: ONLINE -> DISCONNECTED at the unassign instant, in the feed and as an alert; a reassigned node comes back from DISCONNECTED', async () => {
  const { bucketId, nodes, workspaceId, adminToken, token } = runtime.demo;
  const hooked = await startReceiver((_q, s) => s.writeHead(204).end());
  try {
    const created = await fetch(`${runtime.apiUrl}/workspace/${workspaceId}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: hooked.url, description: 'unassign' }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    // The second demo node never flaps: its first report after the assignment makes it ONLINE.
    const nodeId = nodes[1]?.nodeId as string;
    /** The node's events in the bucket's feed (every page), oldest first. */
    const feed = async () => {
      const all: FeedEvent[] = [];
      let cursor: string | undefined;
      do {
        const query = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const response = await fetch(
          `${runtime.apiUrl}/bucket/${bucketId}/events?limit=200${query}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        expect(response.status).toBe(200);
        const page = (await response.json()) as { events: FeedEvent[]; nextCursor?: string };
        all.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return all.filter((e) => e.host === nodeId).reverse();
    };
    const probeFeed = async (test: (events: FeedEvent[]) => boolean) => {
      for (;;) {
        const events = await feed();
        if (test(events)) return events;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await probeFeed((events) => events.at(-1)?.to === 'ONLINE');

    const before = Date.now();
    await runtime.admin.unassignNode({ bucketId, nodeId });
    const after = Date.now();
    const closed = (await feed()).at(-1) as FeedEvent;
    expect(closed).toMatchObject({ from: 'ONLINE', to: 'DISCONNECTED' });
    expect(Date.parse(closed.at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(closed.at)).toBeLessThanOrEqual(after);

    // Delivered like every other event: a signed alert through the local queue.
    const alert = await until('the unassign alert', () =>
      hooked.requests.find((r) => {
        const body = JSON.parse(r.body) as { data?: { host?: string; at?: string } };
        return body.data?.host === nodeId && body.data.at === closed.at;
      }),
    );
    const payload = new Webhook(secret).verify(
      alert.body,
      alert.headers as Record<string, string>,
    ) as { data: Record<string, string> };
    expect(payload.data).toMatchObject({
      workspaceId,
      bucketId,
      host: nodeId,
      from: 'ONLINE',
      to: 'DISCONNECTED',
      at: closed.at,
    });

    // Reassigned, the node's next report is a change from DISCONNECTED: every chain closes.
    await runtime.admin.assignNode({ bucketId, nodeId });
    const events = await probeFeed((list) => Date.parse(list.at(-1)?.at ?? '') > after);
    const last = events.at(-1) as FeedEvent;
    expect(last).toMatchObject({ from: 'DISCONNECTED', to: 'ONLINE' });
    for (const [index, event] of events.entries()) {
      expect(event.from).toBe(index === 0 ? 'DISCONNECTED' : events[index - 1]?.to);
    }
  } finally {
    await hooked.close();
  }
}, 90_000);
