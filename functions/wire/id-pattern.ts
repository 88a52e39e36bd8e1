/**
 * Ids of users, buckets, nodes, workspaces and orgs (DESIGN.md sections 2 and 7): 1-128
 * characters of `[A-Za-z0-9_-]`. A module of its own, with no TypeBox, so code that only checks
 * ids (functions/domain/ids.ts) loads no schema builder.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
