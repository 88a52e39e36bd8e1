/** The workspace overview's listing rows: repair-listings. */
import type { ListingCounts } from '../listing-rows.ts';
import { type Command, type CommandContext, printLine } from '../usage.ts';

const counts = ({ written, present }: ListingCounts) =>
  `${written} listing rows written, ${present} already present`;

async function repairListings({ io, store }: CommandContext) {
  const { workspaces, buckets, skipped } = await store().repairListings();
  printLine(io, `workspaces: ${counts(workspaces)}`);
  printLine(io, `buckets: ${counts(buckets)}`);
  for (const { pk, reason } of skipped) printLine(io, `skipped ${pk}: ${reason}`);
}

export const LISTING_COMMANDS: Record<string, Command> = {
  'repair-listings': {
    summary: "Write the overview's missing listing rows of workspaces and buckets",
    details:
      'Every workspace and bucket META row gets its listing row (GET /me of an org OWNER or ' +
      'ADMIN, GET /workspace/{id}/buckets) if it has none: those created before the listing ' +
      'rows existed, and those of a create that stopped between its writes. Scans the whole ' +
      'table (paged, only META rows kept), so it reads, and is charged for, every item: an ' +
      'operator one-off. Idempotent: prints the rows written and those already present per ' +
      'kind, then each META row it cannot list.',
    options: {},
    examples: ['repair-listings'],
    run: repairListings,
  },
};
