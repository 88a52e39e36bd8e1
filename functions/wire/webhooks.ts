/** The webhook routes and what a webhook receives (DESIGN.md section 10). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id, NodeState } from './common.ts';

export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 256;

const Description = Type.String({ maxLength: MAX_DESCRIPTION_LENGTH });

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
  },
  { additionalProperties: false },
);
export type NewWebhook = Static<typeof NewWebhook>;

const webhookFields = {
  id: Id,
  url: Type.String(),
  description: Type.Optional(Description),
  createdAt: DateTime(),
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
