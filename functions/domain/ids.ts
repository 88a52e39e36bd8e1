/** Ids of users, buckets, nodes, workspaces and orgs: 1-128 chars of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const isValidId = (value: unknown): value is string =>
  typeof value === 'string' && ID_PATTERN.test(value);
