import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The item-level DynamoDB actions a function may be granted. Everything else is refused at
 * synthesis: `dynamodb:Scan` (the single-table design never scans, DESIGN.md section 7),
 * wildcards, and control-plane actions (DescribeTable, DeleteTable, ...), which no handler
 * needs. Transactions are authorized by these same actions, so they need no entry of their own.
 */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export type TableAction = (typeof TABLE_ITEM_ACTIONS)[number];

/** Exactly what one function may do to the table. */
export interface TableGrant {
  /** Actions on the table itself (its base key), at least one unless `indexes` is given. */
  readonly actions: readonly TableAction[];
  /** Secondary indexes the function queries: `dynamodb:Query` on each index ARN, nothing else. */
  readonly indexes?: readonly string[] | undefined;
}

/** Throws unless `grant` is a non-empty set of known item actions and plain index names. */
export function assertTableGrant(grant: TableGrant): void {
  const actions: readonly string[] = grant.actions;
  const indexes = grant.indexes ?? [];
  if (actions.length === 0 && indexes.length === 0) {
    throw new Error('table grant: name at least one action or index');
  }
  for (const action of actions) {
    if (action === 'dynamodb:Scan') {
      throw new Error('table grant: dynamodb:Scan is never granted (the design does not scan)');
    }
    if (!(TABLE_ITEM_ACTIONS as readonly string[]).includes(action)) {
      throw new Error(
        `table grant: ${action} is not one of ${TABLE_ITEM_ACTIONS.join(', ')} (no wildcards, no control-plane actions)`,
      );
    }
  }
  if (new Set(actions).size !== actions.length) {
    throw new Error(`table grant: an action is listed twice (${actions.join(', ')})`);
  }
  for (const index of indexes) {
    // DynamoDB index names: 3-255 of [A-Za-z0-9_.-]; anything else (like "*") would widen the ARN.
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(index)) {
      throw new Error(`table grant: "${index}" is not an index name`);
    }
  }
}

/**
 * The policy statements of one grant: the actions on the table ARN, and `dynamodb:Query` on each
 * named index's ARN. Never the `/index/*` wildcard that `grantReadData` adds.
 */
export function tableGrantStatements(
  table: dynamodb.ITable,
  grant: TableGrant,
): iam.PolicyStatement[] {
  assertTableGrant(grant);
  const statements: iam.PolicyStatement[] = [];
  if (grant.actions.length > 0) {
    statements.push(
      new iam.PolicyStatement({ actions: [...grant.actions], resources: [table.tableArn] }),
    );
  }
  const indexes = grant.indexes ?? [];
  if (indexes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
      }),
    );
  }
  return statements;
}
