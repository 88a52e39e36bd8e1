// Template assertions for the events side: the sweep's index, TTL, the
// schedule, the sweep and events functions and their least-privilege IAM.
import { describe, expect, it } from 'vitest';
import { createTableInput, TTL_ATTRIBUTE } from '../../functions/data/table-definition.ts';
import { logicalId, resourcesOfType, synthesize } from './synth-stack.ts';

const main = synthesize();

describe('table for events and the sweep', () => {
  it('has the sparse sweep and overview GSIs of the shared definition and TTL on expiresAt', () => {
    const [table] = Object.values(resourcesOfType(main.template, 'AWS::DynamoDB::Table'));
    const definition = createTableInput('unused');
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'sweep',
        KeySchema: [
          { AttributeName: 'sweepShard', KeyType: 'HASH' },
          { AttributeName: 'sweepAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: 'overview',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'ovAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    expect(table?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TTL_ATTRIBUTE,
      Enabled: true,
    });
  });
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every IAM statement of the role of the function with this logical id. */
function statementsOf(functionId: string): Statement[] {
  const fn = resourcesOfType(main.template, 'AWS::Lambda::Function')[functionId];
  const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(resourcesOfType(main.template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the sweep in the stack', () => {
  const { stack } = main;
  const sweepId = logicalId(stack, stack.sweepFunction.function);
  const tableId = logicalId(stack, stack.table);

  it('runs every minute from an EventBridge rule, with a timeout shorter than the period', () => {
    const rules = Object.values(resourcesOfType(main.template, 'AWS::Events::Rule'));
    const sweepRules = rules.filter((rule) =>
      rule.Properties.Targets.some(
        (t: { Arn: { 'Fn::GetAtt': string[] } }) => t.Arn['Fn::GetAtt']?.[0] === sweepId,
      ),
    );
    expect(sweepRules.map((r) => r.Properties.ScheduleExpression)).toStrictEqual([
      'rate(1 minute)',
    ]);
    const fn = resourcesOfType(main.template, 'AWS::Lambda::Function')[sweepId];
    expect(fn?.Properties.Timeout).toBeLessThan(60);
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      STALE_AFTER_SECONDS: '90',
      EVENT_RETENTION_DAYS: '90',
    });
  });

  it('may query the table and its sweep index, get, put, update and batch-write items: no Scan, no delete of a single item', () => {
    const dynamo = statementsOf(sweepId).filter((s) =>
      actions(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo).toStrictEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchWriteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:UpdateItem',
        ],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/sweep']] },
      },
    ]);
  });

  it('no function of the stack may Scan the table', () => {
    const all = Object.values(resourcesOfType(main.template, 'AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
    expect(all.length).toBeGreaterThan(0);
    const granted = all.flatMap(actions);
    expect(granted.filter((a) => /^dynamodb:(Scan|\*)$/.test(a) || a === '*')).toStrictEqual([]);
  });

  it('has its errors alarmed like the API functions', () => {
    const alarms = Object.values(resourcesOfType(main.template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.AlarmName)).toContain(
      'BucketStatus-test-sweep-function-errors',
    );
  });
});
