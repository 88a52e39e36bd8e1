import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  bucketPk,
  META_SK,
  nodePk,
  nodeSk,
  PROFILE_SK,
  userPk,
  workspacePk,
  workspaceSk,
} from '../../functions/data/keys.ts';
import { generateNodeKeyPair } from '../../functions/domain/node-signature.ts';

/**
 * Raw rows in the layout of DESIGN.md section 4, written straight to the engine: tests pin the
 * table layout itself, not a convenience layer over it.
 */
type Row = Record<string, string | number | undefined>;

const toItem = (row: Row): Record<string, AttributeValue> => {
  const item: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value === undefined) continue;
    item[key] = typeof value === 'number' ? { N: String(value) } : { S: value };
  }
  return item;
};

export class Seeder {
  readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async put(row: Row): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(row) }));
  }

  async putMany(rows: Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 25) {
      const chunk = rows.slice(i, i + 25);
      await this.client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [this.tableName]: chunk.map((row) => ({ PutRequest: { Item: toItem(row) } })),
          },
        }),
      );
    }
  }

  user(
    userId: string,
    profile: { orgId?: string; orgRole?: string; status?: string; tokensValidAfter?: number } = {},
  ) {
    return this.put({
      pk: userPk(userId),
      sk: PROFILE_SK,
      orgId: profile.orgId ?? 'org-1',
      orgRole: profile.orgRole ?? 'MEMBER',
      status: profile.status ?? 'ACTIVE',
      tokensValidAfter: profile.tokensValidAfter,
    });
  }

  membership(userId: string, workspaceId: string, role: string) {
    return this.put({ pk: userPk(userId), sk: workspaceSk(workspaceId), role });
  }

  /** The workspace's META row (DESIGN.md section 7): the org it belongs to. */
  workspace(workspaceId: string, meta: { orgId: string; name?: string }) {
    return this.put({
      pk: workspacePk(workspaceId),
      sk: META_SK,
      orgId: meta.orgId,
      name: meta.name ?? workspaceId,
    });
  }

  bucket(bucketId: string, meta: { workspaceId: string; orgId: string; name?: string }) {
    return this.put({ pk: bucketPk(bucketId), sk: META_SK, name: meta.name ?? bucketId, ...meta });
  }

  /** Registers a node (META row) and returns its private key (base64 raw seed). */
  async node(nodeId: string, options: { status?: string; orgId?: string } = {}): Promise<string> {
    const keys = generateNodeKeyPair();
    await this.put({
      pk: nodePk(nodeId),
      sk: META_SK,
      publicKey: keys.publicKey,
      status: options.status ?? 'ACTIVE',
      orgId: options.orgId,
    });
    return keys.privateKey;
  }

  /** Assignment row; `report` fields simulate a stored report. */
  assignment(bucketId: string, nodeId: string, report: Row = {}) {
    return this.put({ pk: bucketPk(bucketId), sk: nodeSk(nodeId), ...report });
  }

  assignmentRow(bucketId: string, nodeId: string, report: Row = {}): Row {
    return { pk: bucketPk(bucketId), sk: nodeSk(nodeId), ...report };
  }
}
