/** Share links of a bucket (DESIGN.md section 17): management routes and the public badge. */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id } from './common.ts';

export const MAX_SHARE_LABEL_LENGTH = 256;
export const MAX_SHARES_PER_BUCKET = 10;
/** `bss_` + base64url (no padding) of 32 random bytes. */
export const SHARE_TOKEN_PATTERN = /^bss_[A-Za-z0-9_-]{43}$/;

const Label = Type.String({
  maxLength: MAX_SHARE_LABEL_LENGTH,
  description:
    'At most 256 printable characters, counted in code points (the rule of every stored ' +
    'text: no character of general category Cc, Cf, Cs, Co, Cn, Zl or Zp). Empty or null: ' +
    'no label.',
});

export const NewShare = Type.Object(
  {
    label: Type.Optional(Label),
    showIps: Type.Optional(
      Type.Boolean({
        default: false,
        description: "Whether the public routes show the nodes' `ip` (default false).",
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewShare = Static<typeof NewShare>;

const shareFields = {
  id: Id,
  label: Type.Optional(Label),
  showIps: Type.Boolean(),
  createdAt: DateTime(),
};

export const Share = Type.Object(shareFields, { additionalProperties: false });
export type Share = Static<typeof Share>;

/** POST /bucket/{bucketId}/shares: the token is shown only here. */
export const CreatedShare = Type.Object(
  {
    ...shareFields,
    token: Type.String({
      pattern: SHARE_TOKEN_PATTERN.source,
      description:
        '`bss_` + base64url of 32 random bytes: the credential of the public routes. Shown ' +
        'only in this response; stored only as a hash.',
    }),
    pageUrl: Type.String({
      format: 'uri',
      description: 'The status page opened on the shared view: `<status page>#share=<token>`.',
    }),
  },
  { additionalProperties: false },
);
export type CreatedShare = Static<typeof CreatedShare>;

export const ShareList = Type.Object(
  { shares: Type.Array(Share, { maxItems: MAX_SHARES_PER_BUCKET }) },
  { additionalProperties: false },
);
export type ShareList = Static<typeof ShareList>;
