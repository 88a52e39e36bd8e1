import type { VerifiedToken } from '../auth/token-verifier.ts';
import type { BucketOwner, UserAccess } from '../domain/access.ts';
import { assertBucketReadable } from '../domain/bucket-read-access.ts';
import type { MaintenanceWindow } from '../domain/health.ts';
import { listedWindows, windowView } from '../domain/maintenance.ts';
import type { MaintenanceWindowList } from '../wire/maintenance.ts';

export interface ReadMaintenanceDeps {
  loadUserAccess: (userId: string) => Promise<UserAccess | undefined>;
  loadBucketOwner: (bucketId: string) => Promise<BucketOwner | undefined>;
  loadWindows: (bucketId: string) => Promise<MaintenanceWindow[]>;
  now?: () => number;
}

/**
 * GET /bucket/{bucketId}/maintenance (DESIGN.md section 15): the user's partition, the bucket's
 * META row and its window rows in parallel (one round trip), the access rule of every bucket
 * read, then the active and upcoming windows and those ended within 30 days, by start.
 */
export async function readMaintenance(
  principal: VerifiedToken,
  bucketId: string,
  deps: ReadMaintenanceDeps,
): Promise<MaintenanceWindowList> {
  const [user, owner, windows] = await Promise.all([
    deps.loadUserAccess(principal.userId),
    deps.loadBucketOwner(bucketId),
    deps.loadWindows(bucketId),
  ]);
  assertBucketReadable(principal, user, owner);
  const now = (deps.now ?? Date.now)();
  return { windows: listedWindows(windows, now).map((w) => windowView(bucketId, w)) };
}
