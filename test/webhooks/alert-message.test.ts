// What an alert carries (DESIGN.md section 10): the webhook body built from a recorded event, and
// the queue message of one delivery, which the delivery handler parses back (anything that is
// not one is dead-lettered, not delivered).
import { describe, expect, it } from 'vitest';
import {
  alertData,
  deliveryMessage,
  parseDeliveryMessage,
  type RecordedEvent,
  webhookBody,
} from '../../functions/domain/alert-message.ts';
import { webhookMessageId } from '../../functions/domain/standard-webhooks.ts';

const event: RecordedEvent = {
  id: 'evt_1',
  bucketId: 'b-1',
  nodeId: 'node-7',
  ip: '198.51.100.21',
  region: 'eu-west-1',
  from: 'ONLINE',
  to: 'DISCONNECTED',
  at: '2026-12-01T09:00:00.000Z',
};

describe('webhook body', () => {
  it('is the contract body: type, timestamp and the event as data (node id as host)', () => {
    const body = webhookBody(alertData(event, 'ws-1'), '2026-12-01T09:00:01.000Z');
    expect(JSON.parse(body)).toEqual({
      type: 'node.status_changed',
      timestamp: '2026-12-01T09:00:01.000Z',
      data: {
        workspaceId: 'ws-1',
        bucketId: 'b-1',
        host: 'node-7',
        ip: '198.51.100.21',
        region: 'eu-west-1',
        from: 'ONLINE',
        to: 'DISCONNECTED',
        at: '2026-12-01T09:00:00.000Z',
      },
    });
  });

  it('leaves out an ip or region the node did not report', () => {
    const { ip: _ip, region: _region, ...bare } = event;
    const body = webhookBody(alertData(bare, 'ws-1'), '2026-12-01T09:00:01.000Z');
    expect(Object.keys(JSON.parse(body).data).sort()).toEqual(
      ['at', 'bucketId', 'from', 'host', 'to', 'workspaceId'].sort(),
    );
    expect(body).not.toMatch(/"ip"|"region"|null/);
  });
});

describe('delivery message', () => {
  const input = { eventId: 'evt_1', workspaceId: 'ws-1', webhookId: 'wh_1', slot: 3, body: '{}' };
  const valid = deliveryMessage(input);

  it('carries the stable webhook-id and survives the queue unchanged', () => {
    expect(valid).toEqual({ v: 1, messageId: webhookMessageId('evt_1', 'wh_1'), ...input });
    expect(parseDeliveryMessage(JSON.stringify(valid))).toEqual(valid);
  });

  const changed = (change: Record<string, unknown>) => JSON.stringify({ ...valid, ...change });
  it.each([
    ['not JSON', '{"v":1,'],
    ['JSON null', 'null'],
    ['a JSON string', JSON.stringify(JSON.stringify(valid))],
    ['a JSON number', '1'],
    ['a JSON array of messages', JSON.stringify([valid])],
    ['another version', changed({ v: 2 })],
    ['no version', changed({ v: undefined })],
    ['the version as text', changed({ v: '1' })],
    ['no body', changed({ body: undefined })],
    ['a body that is not text', changed({ body: { a: 1 } })],
    ['no messageId', changed({ messageId: undefined })],
    ['a numeric webhookId', changed({ webhookId: 7 })],
    ['only the body as text', changed({ messageId: 1, eventId: 2, workspaceId: 3, webhookId: 4 })],
    ['no slot', changed({ slot: undefined })],
    ['the slot as text', changed({ slot: '3' })],
    ['a fractional slot', changed({ slot: 1.5 })],
  ])('is refused when it is %s', (_what, raw) => {
    expect(parseDeliveryMessage(raw)).toBeUndefined();
  });
});
