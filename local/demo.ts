import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mintToken } from '../admin/mint-token.ts';
import { createAdminStore } from '../admin/operator-store.ts';
import { isValidId } from '../functions/domain/ids.ts';
import { privateKeyFromSeed } from '../functions/domain/node-signature.ts';

/**
 * The demo data set of `npm start` (DESIGN.md sections 6 and 7): one organization with two
 * workspaces; a user with READ on the first, a second user who is its ADMIN; the first
 * workspace's bucket with three nodes, and a second bucket in the workspace the users may not
 * read.
 */
export interface Demo {
  userId: string;
  /** The second demo user: ADMIN of the demo workspace (DESIGN.md section 7). */
  adminUserId: string;
  orgId: string;
  workspaceId: string;
  bucketId: string;
  forbiddenBucketId: string;
  nodes: DemoNode[];
}

export interface DemoNode {
  nodeId: string;
  /** base64 of the raw 32-byte Ed25519 seed. */
  privateKey: string;
}

/** `.local/demo.json`, field for field as DESIGN.md sections 6 and 7 fix it. */
export interface DemoFile extends Demo {
  apiUrl: string;
  token: string;
  /** A token for the second demo user, ADMIN of the demo workspace. */
  adminToken: string;
  /** The table and the engine the running API uses, for the admin CLI and the reporter. */
  tableName: string;
  dynamodbEndpoint: string;
  jwtSecret: string;
  /** The status page opened on the demo bucket, the token in the fragment (DESIGN.md 11). */
  statusPageUrl?: string;
}

export const DEMO_NODE_COUNT = 3;
export const DEMO_TOKEN_LIFETIME_SECONDS = 12 * 3600;

/**
 * Seeds a new demo through the operator store (the same conditional writes as the admin CLI).
 * Ids carry a random suffix, so seeding into a table that already holds an older demo never
 * collides with it.
 */
export async function seedDemo(client: DynamoDBClient, tableName: string): Promise<Demo> {
  const store = createAdminStore(client, tableName);
  const suffix = randomBytes(3).toString('hex');
  const orgId = `demo-org-${suffix}`;
  const workspaceId = `demo-workspace-${suffix}`;
  const otherWorkspaceId = `other-workspace-${suffix}`;
  const userId = `demo-user-${suffix}`;
  const adminUserId = `demo-admin-${suffix}`;
  const bucketId = randomUUID();
  const forbiddenBucketId = randomUUID();

  await store.createWorkspace({ workspaceId, orgId, name: 'demo workspace' });
  await store.createWorkspace({
    workspaceId: otherWorkspaceId,
    orgId,
    name: 'a workspace the demo users cannot read',
  });
  await store.createUser({ userId, orgId, orgRole: 'MEMBER' });
  await store.grant({ userId, workspaceId, role: 'READ' });
  await store.createUser({ userId: adminUserId, orgId, orgRole: 'MEMBER' });
  await store.grant({ userId: adminUserId, workspaceId, role: 'ADMIN' });
  await store.createBucket({ bucketId, workspaceId, orgId, name: 'demo bucket' });
  await store.createBucket({
    bucketId: forbiddenBucketId,
    workspaceId: otherWorkspaceId,
    orgId,
    name: 'bucket in a workspace the demo user cannot read',
  });
  const nodes: DemoNode[] = [];
  for (let index = 1; index <= DEMO_NODE_COUNT; index++) {
    const registered = await store.registerNode({ nodeId: `demo-node-${index}-${suffix}`, orgId });
    await store.assignNode({ bucketId, nodeId: registered.nodeId });
    nodes.push({ nodeId: registered.nodeId, privateKey: registered.privateKey as string });
  }
  return { userId, adminUserId, orgId, workspaceId, bucketId, forbiddenBucketId, nodes };
}

/** The raw public key (base64) that belongs to a raw private seed. */
function publicKeyOfSeed(seed: string): string {
  const { x } = privateKeyFromSeed(seed).export({ format: 'jwk' });
  return Buffer.from(x as string, 'base64url').toString('base64');
}

function parseDemo(value: unknown): Demo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const demo = value as Partial<Demo>;
  const ids = [
    demo.userId,
    demo.adminUserId,
    demo.orgId,
    demo.workspaceId,
    demo.bucketId,
    demo.forbiddenBucketId,
  ];
  if (!ids.every(isValidId) || !Array.isArray(demo.nodes) || demo.nodes.length === 0) {
    return undefined;
  }
  for (const node of demo.nodes) {
    if (!isValidId(node?.nodeId) || typeof node.privateKey !== 'string') return undefined;
  }
  return {
    userId: demo.userId as string,
    adminUserId: demo.adminUserId as string,
    orgId: demo.orgId as string,
    workspaceId: demo.workspaceId as string,
    bucketId: demo.bucketId as string,
    forbiddenBucketId: demo.forbiddenBucketId as string,
    nodes: demo.nodes.map(({ nodeId, privateKey }) => ({ nodeId, privateKey })),
  };
}

/**
 * The demo recorded in `demoFile`, if the table still holds all of it: the user's profile and
 * grant, both buckets, and every node registered with the public key of the recorded private
 * key and assigned to the bucket. Anything less (another engine, a wiped data dir, an edited
 * file) returns undefined and the caller seeds a new demo.
 */
export async function findExistingDemo(
  client: DynamoDBClient,
  tableName: string,
  demoFile: string,
): Promise<Demo | undefined> {
  let demo: Demo | undefined;
  try {
    demo = parseDemo(JSON.parse(await readFile(demoFile, 'utf8')));
  } catch {
    return undefined;
  }
  if (demo === undefined) return undefined;
  const store = createAdminStore(client, tableName);
  const { workspaceId } = demo;
  const [bucket, workspace] = await Promise.all([
    store.getBucket(demo.bucketId),
    store.getWorkspace(workspaceId),
  ]);
  if (bucket?.workspaceId !== workspaceId || workspace?.orgId !== demo.orgId) return undefined;
  const found = await Promise.all([
    store.getUser(demo.userId),
    store.getMembership(demo.userId, workspaceId),
    store.getUser(demo.adminUserId),
    store.getBucket(demo.forbiddenBucketId),
    ...demo.nodes.map((node) => store.isAssigned(demo.bucketId, node.nodeId)),
  ]);
  if (found.some((row) => row === undefined || row === false)) return undefined;
  if ((await store.getMembership(demo.adminUserId, workspaceId)) !== 'ADMIN') return undefined;
  for (const node of demo.nodes) {
    const meta = await store.getNode(node.nodeId);
    let expected: string;
    try {
      expected = publicKeyOfSeed(node.privateKey);
    } catch {
      return undefined;
    }
    if (meta?.publicKey !== expected || meta.status !== 'ACTIVE') return undefined;
  }
  return demo;
}

export async function mintDemoToken(input: {
  userId: string;
  jwtSecret: string;
  issuer?: string | undefined;
  audience?: string[] | undefined;
}): Promise<string> {
  return mintToken({
    userId: input.userId,
    secret: input.jwtSecret,
    expiresInSeconds: DEMO_TOKEN_LIFETIME_SECONDS,
    ...(input.issuer !== undefined && { issuer: input.issuer }),
    ...(input.audience?.length && {
      audience: input.audience.length === 1 ? (input.audience[0] as string) : input.audience,
    }),
  });
}

/** Writes the demo file atomically, readable by its owner only (it holds keys and a secret). */
export async function writeDemoFile(path: string, demo: DemoFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const ordered: DemoFile = {
    apiUrl: demo.apiUrl,
    token: demo.token,
    ...(demo.statusPageUrl !== undefined && { statusPageUrl: demo.statusPageUrl }),
    adminToken: demo.adminToken,
    userId: demo.userId,
    adminUserId: demo.adminUserId,
    orgId: demo.orgId,
    workspaceId: demo.workspaceId,
    bucketId: demo.bucketId,
    forbiddenBucketId: demo.forbiddenBucketId,
    tableName: demo.tableName,
    dynamodbEndpoint: demo.dynamodbEndpoint,
    jwtSecret: demo.jwtSecret,
    nodes: demo.nodes.map(({ nodeId, privateKey }) => ({ nodeId, privateKey })),
  };
  await writeFile(temporary, `${JSON.stringify(ordered, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}
