/** The maintenance window routes (DESIGN.md section 15). */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { DateTime, Id } from './common.ts';

export const MAX_REASON_LENGTH = 256;
/** Longer than any ISO 8601 instant with milliseconds and an offset (29 characters). */
const MAX_INSTANT_LENGTH = 40;

const Instant = (description: string) =>
  Type.String({ maxLength: MAX_INSTANT_LENGTH, description });

const REASON_RULE =
  'At most 256 printable characters, counted in code points: no character of general ' +
  'category Cc, Cf, Cs, Co, Cn, Zl or Zp.';

export const NewMaintenanceWindow = Type.Object(
  {
    start: Instant(
      'ISO 8601 instant with seconds and a zone (`Z` or `+HH:MM`), at most milliseconds; at ' +
        'most 60 s in the past and at most 90 days ahead.',
    ),
    end: Instant('ISO 8601 instant, after `start`, at most 7 days after it.'),
    reason: Type.Optional(
      Type.String({
        maxLength: MAX_REASON_LENGTH,
        description: `${REASON_RULE} Empty or null: no reason.`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewMaintenanceWindow = Static<typeof NewMaintenanceWindow>;

export const MaintenanceWindow = Type.Object(
  {
    id: { ...Id, description: '`mw_` + 22 base64url characters.' },
    bucketId: Id,
    start: DateTime('The window is active from `start` (inclusive)...'),
    end: DateTime(
      '...to `end` (exclusive). A window deleted while active ends at the deletion instant.',
    ),
    reason: Type.Optional(Type.String({ maxLength: MAX_REASON_LENGTH })),
    createdAt: DateTime(),
  },
  { additionalProperties: false },
);
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

export const MaintenanceWindowList = Type.Object(
  {
    windows: Type.Array(MaintenanceWindow, {
      description: 'Active and upcoming windows and those ended within the last 30 days, by start.',
    }),
  },
  { additionalProperties: false },
);
export type MaintenanceWindowList = Static<typeof MaintenanceWindowList>;
