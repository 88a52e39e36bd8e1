// Template assertions for the events side (issue 12 parts 1-2): the sweep's index, TTL, the
// schedule, the sweep and events functions and their least-privilege IAM.
import { describe, expect, it } from 'vitest';
import { createTableInput, SWEEP_INDEX, TTL_ATTRIBUTE } from '../../infra/table-definition.ts';
import { resourcesOfType, synthesize } from './synth-stack.ts';

const main = synthesize();

describe('table for events and the sweep', () => {
  it('has the sparse sweep GSI of the shared definition and TTL on expiresAt', () => {
    const [table] = Object.values(resourcesOfType(main.template, 'AWS::DynamoDB::Table'));
    const definition = createTableInput('unused');
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'sweep',
        KeySchema: [
          { AttributeName: 'sweepShard', KeyType: 'HASH' },
          { AttributeName: 'lastUpdated', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...SWEEP_INDEX.projected] },
      },
    ]);
    expect(table?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TTL_ATTRIBUTE,
      Enabled: true,
    });
  });
});
