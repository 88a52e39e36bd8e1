/**
 * The share routes (DESIGN.md section 17): create, list and revoke a bucket's share links.
 * Caller as for webhooks: ACTIVE, and workspace ADMIN of the bucket's workspace or org
 * OWNER/ADMIN of its organization (the bucket's META row gives both).
 */
import type { VerifiedToken } from '../auth/token-verifier.ts';
import { invalidBearerToken } from '../auth/token-verifier.ts';
import type { ShareStore, ShareSummary } from '../data/shares.ts';
import { MAX_SHARES_PER_BUCKET } from '../data/shares.ts';
import { isTokenRevoked } from '../domain/access.ts';
import { Conflict, Forbidden, NotFound, ValidationError } from '../domain/errors.ts';
import type { LoadBucketOwner, LoadUserAccess } from '../domain/ports/bucket-reads.ts';
import { generateShareToken, newShareId, parseNewShare, shareTokenHash } from '../domain/shares.ts';
import { mayManageWebhooks } from '../domain/webhook-access.ts';
import type { CreatedShare, Share, ShareList } from '../wire/shares.ts';

export interface ManageSharesDeps {
  loadUserAccess: LoadUserAccess;
  loadBucketOwner: LoadBucketOwner;
  shares: Pick<ShareStore, 'listShares' | 'putShare' | 'deleteShare'>;
  /** The status page (STATUS_PAGE_URL): a share's `pageUrl` is `<page>#share=<token>`. */
  statusPageUrl: string;
  now?: () => number;
  newShareId?: () => string;
  newShareToken?: () => string;
}

const view = (share: ShareSummary): Share => ({
  id: share.shareId,
  ...(share.label !== undefined && { label: share.label }),
  showIps: share.showIps,
  createdAt: share.createdAt,
});

const tooMany = () => new Conflict(`A bucket has at most ${MAX_SHARES_PER_BUCKET} shares`);

/** `<page>#share=<token>`: any fragment the setting carries is replaced. */
export function sharePageUrl(statusPageUrl: string, token: string): string {
  const url = new URL(statusPageUrl);
  url.hash = `share=${token}`;
  return url.href;
}

/**
 * The user's partition, the bucket's META row and its share slots in parallel (one round trip;
 * the slots are at most ten small rows), then, in order: user missing 404, revoked 401,
 * disabled 403, bucket missing 404, not a manager 403.
 */
async function authorize(principal: VerifiedToken, bucketId: string, deps: ManageSharesDeps) {
  const [user, owner, shares] = await Promise.all([
    deps.loadUserAccess(principal),
    deps.loadBucketOwner(bucketId),
    deps.shares.listShares(bucketId),
  ]);
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw invalidBearerToken('The token has been revoked');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  if (owner === undefined) throw new NotFound('Bucket not found');
  const workspace = { workspaceId: owner.workspaceId ?? '', orgId: owner.orgId };
  if (owner.workspaceId === undefined || !mayManageWebhooks(user, workspace)) {
    throw new Forbidden('Managing shares needs workspace ADMIN or org OWNER/ADMIN');
  }
  return shares;
}

export async function listShares(
  principal: VerifiedToken,
  bucketId: string,
  deps: ManageSharesDeps,
): Promise<ShareList> {
  const shares = await authorize(principal, bucketId, deps);
  return {
    shares: [...shares].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(view),
  };
}

export async function createShare(
  principal: VerifiedToken,
  bucketId: string,
  body: unknown,
  deps: ManageSharesDeps,
): Promise<CreatedShare> {
  let input: ReturnType<typeof parseNewShare>;
  try {
    input = parseNewShare(body);
  } catch (error) {
    throw new ValidationError((error as Error).message);
  }
  const existing = await authorize(principal, bucketId, deps);
  if (existing.length >= MAX_SHARES_PER_BUCKET) throw tooMany();
  const token = (deps.newShareToken ?? generateShareToken)();
  const share = {
    shareId: (deps.newShareId ?? newShareId)(),
    label: input.label,
    showIps: input.showIps,
    createdAt: new Date((deps.now ?? Date.now)()).toISOString(),
    tokenHash: shareTokenHash(token),
  };
  // Free slots first; a slot taken by a concurrent creator makes us try the next one.
  const taken = new Set(existing.map((s) => s.slot));
  for (let slot = 0; slot < MAX_SHARES_PER_BUCKET; slot++) {
    if (taken.has(slot)) continue;
    if (await deps.shares.putShare(bucketId, { ...share, slot })) {
      return {
        ...view({ ...share, slot }),
        token,
        pageUrl: sharePageUrl(deps.statusPageUrl, token),
      };
    }
  }
  throw tooMany();
}

export async function revokeShare(
  principal: VerifiedToken,
  bucketId: string,
  shareId: string,
  deps: ManageSharesDeps,
): Promise<void> {
  const existing = await authorize(principal, bucketId, deps);
  const target = existing.find((s) => s.shareId === shareId);
  if (target === undefined || !(await deps.shares.deleteShare(bucketId, target))) {
    throw new NotFound('Share not found');
  }
}
