/**
 * The single definition of the bucket-status table. The CDK stack, the local runtime, the
 * admin CLI's tests and the test suite all derive the table from this object, so the key
 * schema cannot drift between AWS and local engines.
 */
export const TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const TABLE_BILLING_MODE = 'PAY_PER_REQUEST' as const;

/** CreateTable input (without TableName) for the DynamoDB API: local engines and tests. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: TABLE_BILLING_MODE,
    AttributeDefinitions: [
      { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' as const },
    ],
  };
}
