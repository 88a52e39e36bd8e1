/**
 * GET /me and GET /workspace/{workspaceId}/buckets (DESIGN.md section 14): plain functions over
 * the ports of functions/domain/ports/ (overview.ts, bucket-reads.ts). Each bucket of a page is
 * read at the request's one instant by ./read-overview-entry.ts: what GET
 * /bucket/{bucketId}/health answers then, from the bucket's log, or by GET health's own use case
 * (functions/reads/read-bucket-health.ts) where the log may not account for its rows.
 */
import {
  isTokenRevoked,
  ORG_ROLES,
  type OrgRole,
  type Principal,
  WORKSPACE_ROLES,
} from '../domain/access.ts';
import { assertBucketReadable, assertWorkspaceReadable } from '../domain/bucket-read-access.ts';
import {
  Forbidden,
  NotFound,
  Unauthenticated,
  Unavailable,
  ValidationError,
} from '../domain/errors.ts';
import { decodeCursor, encodeCursor } from '../domain/events-cursor.ts';
import { isValidId, isValidName } from '../domain/ids.ts';
import type { LoadUserAccess } from '../domain/ports/bucket-reads.ts';
import {
  LISTING_SEPARATOR,
  type ListOrgWorkspaces,
  type LoadWorkspace,
  type LoadWorkspaceBucketsPage,
  type LoadWorkspaces,
} from '../domain/ports/overview.ts';
import { parseIntegerParam } from '../domain/query-params.ts';
import type { Me, MeWorkspace, WorkspaceBucket, WorkspaceBucketsPage } from '../wire/overview.ts';
import { type ReadOverviewEntryDeps, readOverviewEntry } from './read-overview-entry.ts';

export type { Me, WorkspaceBucketsPage };

export interface ReadMeDeps {
  loadUserAccess: LoadUserAccess;
  loadWorkspaces: LoadWorkspaces;
  listOrgWorkspaces: ListOrgWorkspaces;
}

export interface ReadWorkspaceBucketsDeps extends ReadOverviewEntryDeps {
  loadUserAccess: LoadUserAccess;
  loadWorkspace: LoadWorkspace;
  loadWorkspaceBucketsPage: LoadWorkspaceBucketsPage;
  /** The cursor's HMAC key (functions/shared/cursor-key.ts). */
  cursorKey: () => Promise<Uint8Array>;
}

/** `limit` of GET /workspace/{workspaceId}/buckets. */
export const OVERVIEW_LIMIT = { min: 1, max: 200, fallback: 100 } as const;
/** Buckets of one page read at a time (each a few requests in parallel). */
export const OVERVIEW_CONCURRENCY = 8;

const ORG_READERS: ReadonlySet<string> = new Set(['OWNER', 'ADMIN']);
const MEMBER_ROLES: ReadonlySet<string> = new Set(WORKSPACE_ROLES);

/** Names by code point (DynamoDB's order of the listing rows, UTF-8 bytes), then ids. */
const byNameThenId = (
  a: { name: string; workspaceId: string },
  b: { name: string; workspaceId: string },
) =>
  Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) ||
  (a.workspaceId < b.workspaceId ? -1 : a.workspaceId > b.workspaceId ? 1 : 0);

/**
 * GET /me: the user (404 missing, 401 revoked, 403 disabled, as every read), then the
 * workspaces it may read: an org OWNER/ADMIN every workspace of the org (its listing rows, one
 * Query), anyone else its memberships whose workspace is of its org (their META rows, one
 * BatchGetItem). An API key has no user: 403, it reads GET /workspace/{workspaceId}/buckets.
 */
export async function readMe(principal: Principal, deps: ReadMeDeps): Promise<Me> {
  if (principal.apiKey !== undefined) {
    throw new Forbidden(
      'An API key has no user: read its workspace with GET /workspace/{workspaceId}/buckets',
    );
  }
  const user = await deps.loadUserAccess(principal);
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw new Unauthenticated('The token has been revoked', 'bearer-token');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  const { orgId, orgRole } = user;
  // A profile without an org or with an unknown org role reads nothing (the rule fails closed).
  if (orgId === undefined || !(ORG_ROLES as readonly string[]).includes(orgRole ?? '')) {
    throw new Forbidden('The user has no organization role');
  }
  let workspaces: MeWorkspace[];
  if (ORG_READERS.has(orgRole as string)) {
    const role = `ORG_${orgRole}` as MeWorkspace['role'];
    workspaces = (await deps.listOrgWorkspaces(orgId)).map((w) => ({ ...w, role }));
  } else {
    const roles = [...user.workspaceRoles].filter(([, role]) => MEMBER_ROLES.has(role));
    const metas = roles.length === 0 ? [] : await deps.loadWorkspaces(roles.map(([id]) => id));
    const roleOf = new Map(roles);
    workspaces = metas.flatMap((meta) =>
      // A membership counts only inside the user's own org (DESIGN.md section 7).
      meta.orgId === orgId && meta.name !== undefined
        ? [
            {
              workspaceId: meta.workspaceId,
              name: meta.name,
              role: roleOf.get(meta.workspaceId) as MeWorkspace['role'],
            },
          ]
        : [],
    );
  }
  workspaces.sort(byNameThenId);
  return { userId: user.userId, orgId, orgRole: orgRole as OrgRole, workspaces };
}

export interface WorkspaceBucketsQuery {
  workspaceId: string;
  limit: string | undefined;
  cursor: string | undefined;
}

/**
 * The MAC's scope of an overview cursor: the workspace and `buckets` (ids hold no newline), so
 * no cursor of GET events or health events (scoped by a bucket id) passes here, nor one of
 * another workspace.
 */
const cursorScope = (workspaceId: string) => `${workspaceId}\nbuckets`;
/** A listing row's sort key: `<name>\u0001<bucketId>` (functions/data/keys.ts). */
function isBucketPosition(position: string): boolean {
  const parts = position.split(LISTING_SEPARATOR);
  return parts.length === 2 && isValidName(parts[0]) && isValidId(parts[1]);
}
/** A position is at most 256 code points of name (4 bytes each), the separator and an id. */
const MAX_OVERVIEW_CURSOR = 2048;

async function keyOf(deps: ReadWorkspaceBucketsDeps): Promise<Uint8Array> {
  try {
    return await deps.cursorKey();
  } catch (error) {
    throw new Unavailable('The overview is temporarily unavailable; retry shortly', 1, {
      cause: error,
    });
  }
}

/** A listed bucket that is not (or no longer) a bucket of the workspace: left out. */
class NotListed extends Error {}

/** `fn` over `items`, at most `limit` at a time, the results in the items' order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * GET /workspace/{workspaceId}/buckets: the limit and the cursor checked first (400 before any
 * read); then the user's partition, the workspace's META row and the page's listing rows in
 * one round trip; the workspace rule; then each bucket of the page through GET health's use
 * case, all at the one instant of the request, OVERVIEW_CONCURRENCY at a time.
 */
export async function readWorkspaceBuckets(
  principal: Principal,
  query: WorkspaceBucketsQuery,
  deps: ReadWorkspaceBucketsDeps,
): Promise<WorkspaceBucketsPage> {
  const { workspaceId } = query;
  const limit = parseIntegerParam('limit', query.limit, OVERVIEW_LIMIT);
  const key = await keyOf(deps);
  let after: string | undefined;
  if (query.cursor !== undefined) {
    after = decodeCursor(key, cursorScope(workspaceId), query.cursor, MAX_OVERVIEW_CURSOR);
    if (after === undefined || !isBucketPosition(after)) {
      throw new ValidationError("cursor is not a cursor of this workspace's buckets");
    }
  }
  const nowMs = (deps.now ?? Date.now)();
  const [user, workspace, page] = await Promise.all([
    deps.loadUserAccess(principal),
    deps.loadWorkspace(workspaceId),
    deps.loadWorkspaceBucketsPage({ workspaceId, limit, after }),
  ]);
  assertWorkspaceReadable(
    principal,
    user,
    workspace === undefined ? undefined : { workspaceId, orgId: workspace.orgId },
  );
  // Every entry at the same instant, what GET health answers then (its own access check
  // included: the bucket must be of this workspace, which the caller may read).
  const decide = async () => (owner: Parameters<typeof assertBucketReadable>[2]) => {
    if (owner === undefined || owner.workspaceId !== workspaceId) throw new NotListed();
    assertBucketReadable(principal, user, owner);
    return { showIps: true };
  };
  const entries = await mapBounded(page.buckets, OVERVIEW_CONCURRENCY, async (listed) => {
    try {
      const health = await readOverviewEntry(decide, listed.bucketId, deps, nowMs);
      return {
        bucketId: listed.bucketId,
        name: listed.name,
        verdict: health.verdict,
        ...(health.since !== undefined && { since: health.since }),
        nodes: health.nodes,
        ...(health.maintenance !== undefined && { maintenance: health.maintenance }),
      } satisfies WorkspaceBucket;
    } catch (error) {
      if (error instanceof NotListed) return undefined;
      throw error;
    }
  });
  const response: WorkspaceBucketsPage = {
    workspaceId,
    buckets: entries.filter((e): e is WorkspaceBucket => e !== undefined),
  };
  const last = page.buckets.at(-1);
  if (page.more && last !== undefined) {
    response.nextCursor = encodeCursor(key, cursorScope(workspaceId), last.position);
  }
  return response;
}
