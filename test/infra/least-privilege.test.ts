// Least privilege per function, from the template and the route table alone: every function of
// FUNCTIONS may do to the table exactly what its entry and routes declare (tableActionsOf), on
// the table's ARN, plus Query on the indexes it names; a stream-driven function may also read
// the table's stream (what its event source mapping needs), and nothing else may. No function
// anywhere holds dynamodb:Scan or a DynamoDB wildcard.
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, tableActionsOf } from '../../functions/route-table.ts';
import { resourcesOfType, synthesize } from './synth-stack.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const { stack, template } = synthesize();
const tableId = stack.getLogicalId(stack.table.node.defaultChild as never);
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const streamArn = { 'Fn::GetAtt': [tableId, 'StreamArn'] };
const STREAM_READ = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

/** The DynamoDB statements of one function's role, as [action, resource] pairs. */
function dynamoGrants(name: (typeof FUNCTION_NAMES)[number]): [string, string][] {
  const fn = stack.functions[name];
  const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .flatMap((s) =>
      [s.Action]
        .flat()
        .flatMap((action) =>
          [s.Resource]
            .flat()
            .map((resource) => [action, JSON.stringify(resource)] as [string, string]),
        ),
    )
    .filter(([action]) => action.startsWith('dynamodb:'));
}

describe('least privilege, per function of the route table', () => {
  it('covers every function of the table', () => {
    expect(Object.keys(stack.functions).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  for (const name of FUNCTION_NAMES) {
    it(`${name}: exactly its declared table actions, indexes and (stream kind only) stream reads`, () => {
      const spec = FUNCTIONS[name];
      const indexes: readonly string[] = 'tableIndexes' in spec ? spec.tableIndexes : [];
      const expected: [string, string][] = [
        ...tableActionsOf(name).map((a) => [a, JSON.stringify(tableArn)] as [string, string]),
        ...indexes.map(
          (index) =>
            [
              'dynamodb:Query',
              JSON.stringify({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] }),
            ] as [string, string],
        ),
      ];
      const grants = dynamoGrants(name);
      const onTable = grants.filter(([action]) => !STREAM_READ.includes(action));
      expect(onTable.sort()).toEqual(expected.sort());
      const streamReads = grants.filter(([action]) => STREAM_READ.includes(action));
      if (spec.kind === 'stream') {
        expect(streamReads.map(([a]) => a).sort()).toEqual(STREAM_READ);
        for (const [action, resource] of streamReads) {
          expect(resource, action).toBe(
            JSON.stringify(action === 'dynamodb:ListStreams' ? '*' : streamArn),
          );
        }
      } else {
        expect(streamReads).toEqual([]);
      }
    });
  }

  it('grants dynamodb:Scan and DynamoDB wildcards to nobody', () => {
    const actions = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .flatMap((s) => [s.Action].flat());
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === 'dynamodb:Scan' || a === 'dynamodb:*' || a === '*')).toEqual(
      [],
    );
    expect(JSON.stringify(template.toJSON())).not.toContain('/index/*');
  });
});
