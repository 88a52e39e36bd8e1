import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { createTableInput, TTL_ATTRIBUTE } from '../../functions/data/table-definition.ts';

const ATTRIBUTE_TYPES: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

const BILLING_MODES: Record<string, dynamodb.BillingMode> = {
  PAY_PER_REQUEST: dynamodb.BillingMode.PAY_PER_REQUEST,
};

/** Reads the key schema and billing mode from the shared definition (functions/data/table-definition.ts). */
export function tableSchemaFromDefinition(): Pick<
  dynamodb.TableProps,
  'partitionKey' | 'sortKey' | 'billingMode'
> {
  const definition = createTableInput('schema-only');
  const attribute = (keyType: 'HASH' | 'RANGE'): dynamodb.Attribute => {
    const name = definition.KeySchema.find((key) => key.KeyType === keyType)?.AttributeName;
    const type = definition.AttributeDefinitions.find(
      (a) => a.AttributeName === name,
    )?.AttributeType;
    const cdkType = type === undefined ? undefined : ATTRIBUTE_TYPES[type];
    if (name === undefined || cdkType === undefined) {
      throw new Error(`table definition has no usable ${keyType} key`);
    }
    return { name, type: cdkType };
  };
  const billingMode = BILLING_MODES[definition.BillingMode];
  if (billingMode === undefined) {
    throw new Error(`unsupported billing mode in table definition: ${definition.BillingMode}`);
  }
  return { partitionKey: attribute('HASH'), sortKey: attribute('RANGE'), billingMode };
}

const PROJECTION_TYPES = {
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
} as const;

/** The GSIs of the shared definition, as CDK props (all on-demand, like the table). */
export function globalIndexesFromDefinition(): dynamodb.GlobalSecondaryIndexProps[] {
  const definition = createTableInput('schema-only');
  const typeOf = (name: string): dynamodb.AttributeType => {
    const type = definition.AttributeDefinitions.find(
      (a) => a.AttributeName === name,
    )?.AttributeType;
    const cdkType = type === undefined ? undefined : ATTRIBUTE_TYPES[type];
    if (cdkType === undefined) throw new Error(`table definition has no type for ${name}`);
    return cdkType;
  };
  return definition.GlobalSecondaryIndexes.map((index) => {
    const key = (keyType: 'HASH' | 'RANGE') => {
      const name = index.KeySchema.find((k) => k.KeyType === keyType)?.AttributeName;
      if (name === undefined) throw new Error(`index ${index.IndexName} has no ${keyType} key`);
      return { name, type: typeOf(name) };
    };
    return {
      indexName: index.IndexName,
      partitionKey: key('HASH'),
      sortKey: key('RANGE'),
      projectionType: PROJECTION_TYPES[index.Projection.ProjectionType],
    };
  });
}

/**
 * The bucket-status table, derived from the shared definition so AWS and the local engines
 * cannot drift. It holds the data of record (users, grants, buckets, node keys), so it is
 * protected three ways: point-in-time recovery, deletion protection, and RETAIN on stack delete.
 *
 * `Table` (AWS::DynamoDB::Table) rather than `TableV2` (a single-region GlobalTable): the service
 * is regional and cdk-nag's DynamoDB checks evaluate AWS::DynamoDB::Table.
 *
 * Encryption at rest uses the AWS-owned key: the items are operational metadata (ids, roles,
 * node addresses, Ed25519 public keys, no end-user content) plus the webhook signing secrets,
 * which only the delivery function reads (docs/SECURITY.md, "Webhook secrets"); a customer
 * managed key would add cost, a KMS call path and key-policy upkeep without a compliance
 * requirement that asks for it.
 */
export class StatusTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      ...tableSchemaFromDefinition(),
      encryption: dynamodb.TableEncryption.DEFAULT,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Feeds the alert fan-out (event-row INSERTs only, by the mapping's filter). NEW_IMAGE:
      // the fan-out needs the recorded event, never an old image.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    for (const index of globalIndexesFromDefinition()) this.table.addGlobalSecondaryIndex(index);
  }
}
