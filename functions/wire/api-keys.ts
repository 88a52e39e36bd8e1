/** The workspace API key routes (DESIGN.md section 18). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id } from './common.ts';

export const MAX_API_KEY_DESCRIPTION_LENGTH = 256;
export const MIN_API_KEY_DAYS = 1;
export const MAX_API_KEY_DAYS = 365;
export const DEFAULT_API_KEY_DAYS = 90;

const Description = Type.String({ maxLength: MAX_API_KEY_DESCRIPTION_LENGTH });

export const NewApiKey = Type.Object(
  {
    description: Type.Optional(
      Type.String({
        maxLength: MAX_API_KEY_DESCRIPTION_LENGTH,
        description:
          "At most 256 printable characters, counted in code points (a webhook description's " +
          'rule). Empty or null: no description.',
      }),
    ),
    expiresInDays: Type.Optional(
      Type.Integer({
        minimum: MIN_API_KEY_DAYS,
        maximum: MAX_API_KEY_DAYS,
        default: DEFAULT_API_KEY_DAYS,
        description: 'Days until the key stops working: 1-365, default 90.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewApiKey = Static<typeof NewApiKey>;

const apiKeyFields = {
  id: Id,
  description: Type.Optional(Description),
  createdAt: DateTime(),
  expiresAt: DateTime('From this instant on the key is refused (401).'),
};

export const ApiKey = Type.Object(apiKeyFields, { additionalProperties: false });
export type ApiKey = Static<typeof ApiKey>;

/** POST /workspace/{workspaceId}/api-keys: the key is shown only here. */
export const CreatedApiKey = Type.Object(
  {
    ...apiKeyFields,
    key: Type.String({
      description:
        '`bsk_` + base64url of 32 random bytes; shown only in this response. Send it as ' +
        '`Authorization: Bearer bsk_...` to the read routes of the workspace.',
      pattern: '^bsk_[A-Za-z0-9_-]{43}$',
    }),
  },
  { additionalProperties: false },
);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

export const ApiKeyList = Type.Object(
  { keys: Type.Array(ApiKey, { maxItems: 20 }) },
  { additionalProperties: false },
);
export type ApiKeyList = Static<typeof ApiKeyList>;
