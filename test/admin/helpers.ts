import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type AdminIo, runAdmin } from '../../admin/run.ts';
import type { TestTable } from '../support/table.ts';

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in process against the test table, capturing its output. */
export function adminRunner(table: TestTable, extraEnv: Record<string, string> = {}) {
  const env = { TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: table.endpoint, ...extraEnv };
  return async (argv: string[], envOverride: Record<string, string | undefined> = {}) => {
    let stdout = '';
    let stderr = '';
    const io: AdminIo = {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
    };
    const code = await runAdmin(argv, { ...env, ...envOverride }, io);
    return { code, stdout, stderr } satisfies AdminRun;
  };
}

/** A raw row as stored, attribute values flattened to strings/numbers; undefined if absent. */
export async function readRow(table: TestTable, pk: string, sk: string) {
  const { Item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  if (Item === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(Item).map(([name, value]) => [
      name,
      value.N !== undefined ? Number(value.N) : value.S,
    ]),
  );
}
