/** The webhook routes and what a webhook receives (DESIGN.md section 10). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id, NodeState } from './common.ts';
import { Verdict } from './health.ts';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 256;

const Description = Type.String({ maxLength: MAX_DESCRIPTION_LENGTH });

/** The alert policy's fields (DESIGN.md section 16). */
export const WebhookEvents = Type.Array(
  Type.Union([Type.Literal('node.status_changed'), Type.Literal('bucket.health_changed')]),
  {
    minItems: 1,
    maxItems: 2,
    uniqueItems: true,
    description:
      'The event types this webhook receives: a non-empty subset, no duplicates. Default: both.',
  },
);
export const MinDurationSeconds = Type.Integer({
  minimum: 0,
  maximum: 900,
  description:
    'A change is delivered only if its subject (the node in that bucket, or the bucket) is ' +
    'still in the new state this many seconds after `at`; it is then sent within 10 s of ' +
    'that moment (or of the moment the change was recorded, when later), carrying the ' +
    'original `at`. A change undone or superseded within that time is never delivered to ' +
    'this webhook. Default 0: every change, at once.',
});

export const NewWebhook = Type.Object(
  {
    url: Type.String({
      format: 'uri',
      maxLength: MAX_WEBHOOK_URL_LENGTH,
      description: 'An https URL of a public host (see the URL rules above).',
    }),
    description: Type.Optional(
      Type.String({
        maxLength: MAX_DESCRIPTION_LENGTH,
        description:
          'At most 256 printable characters, counted in code points: no character of general ' +
          'category Cc, Cf, Cs, Co, Cn, Zl or Zp (controls, bidirectional and zero-width ' +
          'characters, U+FEFF, tag characters, lone surrogates, private-use and unassigned ' +
          'code points, line and paragraph separators). Empty or null: no description.',
      }),
    ),
    events: Type.Optional(WebhookEvents),
    minDurationSeconds: Type.Optional(MinDurationSeconds),
  },
  { additionalProperties: false },
);
export type NewWebhook = Static<typeof NewWebhook>;

/** PATCH /workspace/{workspaceId}/webhooks/{webhookId}: the fields it changes, at least one. */
export const WebhookPatch = Type.Object(
  {
    url: Type.Optional(
      Type.String({
        format: 'uri',
        maxLength: MAX_WEBHOOK_URL_LENGTH,
        description: 'As on POST: checked by the same URL rules; the secret stays.',
      }),
    ),
    description: Type.Optional(
      Type.String({
        maxLength: MAX_DESCRIPTION_LENGTH,
        description: 'As on POST; empty or null removes the description.',
      }),
    ),
    events: Type.Optional(WebhookEvents),
    minDurationSeconds: Type.Optional(MinDurationSeconds),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type WebhookPatch = Static<typeof WebhookPatch>;

const webhookFields = {
  id: Id,
  url: Type.String(),
  description: Type.Optional(Description),
  createdAt: DateTime(),
  events: WebhookEvents,
  minDurationSeconds: MinDurationSeconds,
};

export const Webhook = Type.Object(webhookFields, { additionalProperties: false });
export type Webhook = Static<typeof Webhook>;

/** POST /workspace/{workspaceId}/webhooks: the secret is shown only here. */
export const CreatedWebhook = Type.Object(
  {
    ...webhookFields,
    secret: Type.String({
      description: '`whsec_` + base64 of 32 random bytes; shown only in this response.',
      pattern: '^whsec_[A-Za-z0-9+/]{43}=$',
    }),
  },
  { additionalProperties: false },
);
export type CreatedWebhook = Static<typeof CreatedWebhook>;

export const WebhookList = Type.Object(
  { webhooks: Type.Array(Webhook, { maxItems: 10 }) },
  { additionalProperties: false },
);
export type WebhookList = Static<typeof WebhookList>;

/** The body a webhook receives (Standard Webhooks). */
export const NodeStatusChanged = Type.Object(
  {
    type: Type.Literal('node.status_changed'),
    timestamp: DateTime('When the event was handed to delivery (the same on every retry).'),
    data: Type.Object(
      {
        workspaceId: Id,
        bucketId: Id,
        host: { ...Id, description: "The node's id." },
        ip: Type.Optional(Type.String()),
        region: Type.Optional(Type.String()),
        from: NodeState,
        to: NodeState,
        at: DateTime(
          'The instant of the change (for DISCONNECTED, last report + STALE_AFTER_SECONDS).',
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The body a webhook subscribed to `bucket.health_changed` receives (DESIGN.md section 16). */
export const BucketHealthChanged = Type.Object(
  {
    type: Type.Literal('bucket.health_changed'),
    timestamp: DateTime('When the event was handed to delivery (the same on every retry).'),
    data: Type.Object(
      {
        workspaceId: Id,
        bucketId: Id,
        from: Verdict,
        to: Verdict,
        at: DateTime('The instant of the verdict change.'),
        nodes: Type.Object(
          {
            counted: Type.Integer({ minimum: 0, description: 'The nodes that count, at `at`.' }),
            online: Type.Integer({ minimum: 0, description: 'Of them, ONLINE at `at`.' }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type BucketHealthChanged = Static<typeof BucketHealthChanged>;
