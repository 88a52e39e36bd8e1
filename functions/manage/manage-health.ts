import type { VerifiedToken } from '../auth/token-verifier.ts';
import type { HealthPolicyStore } from '../data/health-policy.ts';
import type { MaintenanceWindowStore } from '../data/maintenance-windows.ts';
import { type BucketOwner, isTokenRevoked, type UserAccess } from '../domain/access.ts';
import { Forbidden, NotFound, Unauthenticated } from '../domain/errors.ts';
import { parsePolicyRequest, parseWindowRequest, windowView } from '../domain/maintenance.ts';
import { mayManageBucket } from '../domain/webhook-access.ts';
import type { BucketHealthPolicy } from '../wire/health-policy.ts';
import type { MaintenanceWindow } from '../wire/maintenance.ts';

/**
 * The use cases of a bucket's health settings (DESIGN.md sections 13 and 15): maintenance
 * windows and the policy, over the ports they declare. The caller is as for webhooks:
 * workspace ADMIN, or org OWNER/ADMIN, of the bucket's workspace and organization.
 */
export interface ManageHealthDeps {
  loadUserAccess: (principal: VerifiedToken) => Promise<UserAccess | undefined>;
  loadBucketOwner: (bucketId: string) => Promise<BucketOwner | undefined>;
  windows: Pick<MaintenanceWindowStore, 'addWindow' | 'deleteWindow'>;
  policies: Pick<HealthPolicyStore, 'setPolicy'>;
  now?: () => number;
  newWindowId?: () => string;
}

/**
 * The user's partition and the bucket's META row in parallel (one round trip), then, in the
 * order of every route: user missing 404, revoked 401, disabled 403, bucket missing 404, not a
 * manager 403.
 */
async function authorize(principal: VerifiedToken, bucketId: string, deps: ManageHealthDeps) {
  const [user, owner] = await Promise.all([
    deps.loadUserAccess(principal),
    deps.loadBucketOwner(bucketId),
  ]);
  if (user === undefined) throw new NotFound('User not found');
  if (isTokenRevoked(principal.issuedAt, user.tokensValidAfter)) {
    throw new Unauthenticated('The token has been revoked', 'bearer-token');
  }
  if (user.status !== 'ACTIVE') throw new Forbidden('The user is disabled');
  if (owner === undefined) throw new NotFound('Bucket not found');
  if (!mayManageBucket(user, owner)) {
    throw new Forbidden(
      "Changing a bucket's maintenance or health policy needs workspace ADMIN or org OWNER/ADMIN",
    );
  }
}

/** POST /bucket/{bucketId}/maintenance: 201 with the window. */
export async function createMaintenanceWindow(
  principal: VerifiedToken,
  bucketId: string,
  body: unknown,
  deps: ManageHealthDeps,
): Promise<MaintenanceWindow> {
  const now = (deps.now ?? Date.now)();
  const request = parseWindowRequest(body, now);
  await authorize(principal, bucketId, deps);
  const window = await deps.windows.addWindow(bucketId, request, now, deps.newWindowId);
  return windowView(bucketId, window);
}

/** DELETE /bucket/{bucketId}/maintenance/{windowId}: upcoming removed, active ended now. */
export async function deleteMaintenanceWindow(
  principal: VerifiedToken,
  bucketId: string,
  windowId: string,
  deps: ManageHealthDeps,
): Promise<void> {
  await authorize(principal, bucketId, deps);
  await deps.windows.deleteWindow(bucketId, windowId, (deps.now ?? Date.now)());
}

/** PUT /bucket/{bucketId}/health/policy: the policy from now on. */
export async function putHealthPolicy(
  principal: VerifiedToken,
  bucketId: string,
  body: unknown,
  deps: ManageHealthDeps,
): Promise<BucketHealthPolicy> {
  const minOnlinePercent = parsePolicyRequest(body);
  await authorize(principal, bucketId, deps);
  await deps.policies.setPolicy(bucketId, minOnlinePercent, (deps.now ?? Date.now)());
  return { bucketId, minOnlinePercent };
}
