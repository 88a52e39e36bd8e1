/** Bucket health: add-maintenance, list-maintenance, end-maintenance, set-health-policy. */
import { ValidationError } from '../../functions/domain/errors.ts';
import {
  MAX_REASON_LENGTH,
  parsePolicyPercent,
  parseWindowRequest,
} from '../../functions/domain/maintenance.ts';
import { type Command, type CommandContext, printJson, printLine, UsageError } from '../usage.ts';
import { idArg, requiredValue } from '../validators.ts';
import { bucketId } from './options.ts';

/** The API's validation, its 400s as usage errors (exit 2, nothing written). */
function validated<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(error.message);
    throw error;
  }
}

async function addMaintenance({ values, io, store }: CommandContext) {
  const bucket = idArg(values, 'bucket-id');
  const start = requiredValue(values, 'start');
  const end = requiredValue(values, 'end');
  const reason = values.reason;
  const request = validated(() =>
    parseWindowRequest({ start, end, ...(reason !== undefined && { reason }) }, Date.now()),
  );
  printJson(io, await store().addMaintenance(bucket, request));
}

async function listMaintenance({ values, io, store }: CommandContext) {
  const bucket = idArg(values, 'bucket-id');
  printJson(io, { windows: await store().listMaintenance(bucket) });
}

async function endMaintenance({ values, io, store }: CommandContext) {
  const bucket = idArg(values, 'bucket-id');
  const windowId = idArg(values, 'window-id');
  const { outcome, window } = await store().endMaintenance(bucket, windowId);
  printLine(
    io,
    outcome === 'removed'
      ? `removed upcoming maintenance window ${windowId} of bucket ${bucket}`
      : `ended maintenance window ${windowId} of bucket ${bucket} at ${window.end}`,
  );
}

async function setHealthPolicy({ values, io, store }: CommandContext) {
  const bucket = idArg(values, 'bucket-id');
  const raw = requiredValue(values, 'min-online-percent');
  const percent = validated(() => parsePolicyPercent(raw));
  await store().setHealthPolicy(bucket, percent);
  printLine(io, `bucket ${bucket}: minOnlinePercent ${percent}`);
}

const INSTANT = 'ISO 8601 instant with seconds and a zone, e.g. 2026-12-07T02:00:00Z';

export const HEALTH_COMMANDS: Record<string, Command> = {
  'add-maintenance': {
    summary: 'Schedule a maintenance window for a bucket',
    details:
      'While the window is active (start inclusive, end exclusive) the verdict is MAINTENANCE. ' +
      'The rules of POST /bucket/{bucketId}/maintenance: start at most 60 s in the past and at ' +
      'most 90 days ahead, end after start, at most 7 days long, at most 20 active or upcoming ' +
      'windows per bucket. Prints the window as JSON.',
    options: {
      'bucket-id': bucketId,
      start: { value: 'INSTANT', description: INSTANT, required: true },
      end: { value: 'INSTANT', description: INSTANT, required: true },
      reason: {
        value: 'TEXT',
        description: `why (at most ${MAX_REASON_LENGTH} printable characters; optional)`,
      },
    },
    examples: [
      'add-maintenance --bucket-id b-1 --start 2026-12-07T02:00:00Z --end 2026-12-07T04:00:00Z --reason "firmware upgrade"',
    ],
    run: addMaintenance,
  },
  'list-maintenance': {
    summary: "List a bucket's maintenance windows",
    details:
      'Active and upcoming windows and those ended within the last 30 days, by start, as ' +
      'GET /bucket/{bucketId}/maintenance shows them (JSON).',
    options: { 'bucket-id': bucketId },
    examples: ['list-maintenance --bucket-id b-1'],
    run: listMaintenance,
  },
  'end-maintenance': {
    summary: 'Cancel an upcoming maintenance window, or end an active one now',
    details:
      'As DELETE /bucket/{bucketId}/maintenance/{windowId}: an upcoming window is removed, an ' +
      'active one ends at this instant; an ended or unknown window is refused.',
    options: {
      'bucket-id': bucketId,
      'window-id': { value: 'ID', description: 'the window id (mw_...)', required: true },
    },
    examples: ['end-maintenance --bucket-id b-1 --window-id mw_3q2-7wBZnM0y8QfJ1nYd9A'],
    run: endMaintenance,
  },
  'set-health-policy': {
    summary: "Set a bucket's health policy (minOnlinePercent)",
    details:
      'With n counted nodes the verdict is DEGRADED, not PARTIAL_OUTAGE, while at least ' +
      'max(1, ceil(n * minOnlinePercent / 100)) of them are ONLINE. Default 50; applies from ' +
      'now on, as PUT /bucket/{bucketId}/health/policy.',
    options: {
      'bucket-id': bucketId,
      'min-online-percent': { value: 'N', description: 'an integer 1-100', required: true },
    },
    examples: ['set-health-policy --bucket-id b-1 --min-online-percent 75'],
    run: setHealthPolicy,
  },
};
