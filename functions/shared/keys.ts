/** Key builders for the single-table layout of DESIGN.md section 4. */
export const userPk = (userId: string) => `USER#${userId}`;
export const PROFILE_SK = 'PROFILE';
export const WORKSPACE_SK_PREFIX = 'WORKSPACE#';
export const workspaceSk = (workspaceId: string) => `${WORKSPACE_SK_PREFIX}${workspaceId}`;
export const bucketPk = (bucketId: string) => `BUCKET#${bucketId}`;
export const META_SK = 'META';
export const NODE_SK_PREFIX = 'NODE#';
export const nodeSk = (nodeId: string) => `${NODE_SK_PREFIX}${nodeId}`;
export const nodePk = (nodeId: string) => `NODE#${nodeId}`;

/** Ids of users, buckets, nodes, workspaces and orgs: 1-128 chars of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const isValidId = (value: unknown): value is string =>
  typeof value === 'string' && ID_PATTERN.test(value);
