// Template assertions for the alert pipeline (DESIGN.md section 10): the delivery queue and its
// encrypted, alarmed dead-letter queue, the stream-driven fan-out and queue-driven delivery
// functions (house construct), EventBridge on the default bus only, least privilege per function.
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_ATTEMPTS } from '../../functions/domain/retry-schedule.ts';
import { logicalId, resourcesOfType, synthesize } from './synth-stack.ts';

type Synthesized = ReturnType<typeof synthesize>;
let s: Synthesized;
let ids: Record<'fanOut' | 'delivery' | 'queue' | 'dlq' | 'table' | 'failures', string>;

beforeAll(() => {
  s = synthesize({ alarmEmail: 'oncall@example.com' });
  const { stack } = s;
  ids = {
    fanOut: logicalId(stack, stack.functions.fanOut.function),
    delivery: logicalId(stack, stack.functions.delivery.function),
    queue: logicalId(stack, stack.alerts.queue),
    dlq: logicalId(stack, stack.alerts.deadLetterQueue),
    table: logicalId(stack, stack.table),
    failures: logicalId(
      stack,
      stack.functions.fanOut.failureQueue as NonNullable<
        typeof stack.functions.fanOut.failureQueue
      >,
    ),
  };
}, 120_000);

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

function statementsOf(functionId: string): Statement[] {
  const fn = resourcesOfType(s.template, 'AWS::Lambda::Function')[functionId];
  const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
  const role = resourcesOfType(s.template, 'AWS::IAM::Role')[roleId];
  expect(role?.Properties.ManagedPolicyArns ?? []).toEqual([]);
  return Object.values(resourcesOfType(s.template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actions = (statements: Statement[]) =>
  statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])).sort();
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('queues', () => {
  it('the delivery queue is encrypted and redrives to the DLQ after the last attempt', () => {
    const queues = resourcesOfType(s.template, 'AWS::SQS::Queue');
    expect(queues[ids.queue]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 90,
      RedrivePolicy: { deadLetterTargetArn: arn(ids.dlq), maxReceiveCount: DELIVERY_ATTEMPTS },
    });
    expect(queues[ids.dlq]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    expect(queues[ids.failures]?.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('every queue refuses plain-HTTP access', () => {
    const policies = Object.values(resourcesOfType(s.template, 'AWS::SQS::QueuePolicy'));
    for (const id of [ids.queue, ids.dlq, ids.failures]) {
      const policy = policies.find((p) =>
        p.Properties.Queues.some((q: { Ref?: string }) => q.Ref === id),
      );
      expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('the DLQ depth and the fan-out failures are alarmed, notifying the alarm topic', () => {
    const alarms = Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Alarm'));
    for (const queueId of [ids.dlq, ids.failures]) {
      const alarm = alarms.find(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties.Dimensions).includes(queueId),
      );
      expect(alarm?.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [expect.anything()],
      });
    }
  });
});

describe('functions and their triggers', () => {
  it('the table stream feeds the fan-out, filtered to event-row and health-event-row INSERTs, with a failure queue', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
    const mappings = Object.values(
      resourcesOfType(s.template, 'AWS::Lambda::EventSourceMapping'),
    ).map((m) => m.Properties);
    const stream = mappings.find((m) => m.FunctionName.Ref === ids.fanOut);
    expect(stream).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [ids.table, 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: arn(ids.failures) } },
    });
    expect(
      ((stream?.FilterCriteria.Filters ?? []) as { Pattern: string }[]).map((f) =>
        JSON.parse(f.Pattern),
      ),
    ).toEqual([
      { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'EVENTS#' }] } } } },
      {
        eventName: ['INSERT'],
        dynamodb: { Keys: { pk: { S: [{ prefix: 'HEALTH#' }] }, sk: { S: [{ prefix: 'E#' }] } } },
      },
    ]);
    const queue = mappings.find((m) => m.FunctionName.Ref === ids.delivery);
    expect(queue).toMatchObject({
      EventSourceArn: arn(ids.queue),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('both are house functions (arm64, Node 24, tracing) and the stack never allows loopback', () => {
    const fns = resourcesOfType(s.template, 'AWS::Lambda::Function');
    for (const id of [ids.fanOut, ids.delivery]) {
      expect(fns[id]?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: { TABLE_NAME: { Ref: ids.table }, DELIVERY_QUEUE_URL: { Ref: ids.queue } },
        },
      });
    }
    for (const fn of Object.values(fns)) {
      expect(fn.Properties.Environment?.Variables?.WEBHOOK_ALLOW_LOOPBACK).toBeUndefined();
    }
  });
});

describe('least privilege', () => {
  it('fan-out: GetItem/Query the table, read its stream, send to the queue, PutEvents on the default bus', () => {
    const statements = statementsOf(ids.fanOut);
    expect(actions(statements)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:Query',
      'events:PutEvents',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: arn(ids.table),
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: arn(ids.queue),
    });
    const putEvents = statements.find((st) => st.Action === 'events:PutEvents');
    expect(JSON.stringify(putEvents?.Resource)).toMatch(/:event-bus\/default"/);
    // The failure queue's grant comes from the on-failure destination, on that queue only.
    expect(statements.find((st) => actions([st]).includes('sqs:GetQueueUrl'))?.Resource).toEqual(
      arn(ids.failures),
    );
  });

  it('delivery: GetItem and Query on the table and consuming its own queue, nothing else', () => {
    const statements = statementsOf(ids.delivery);
    expect(actions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    for (const st of statements.filter((x) => actions([x]).some((a) => a.startsWith('sqs:')))) {
      expect(st.Resource).toEqual(arn(ids.queue));
    }
  });

  it('nothing in the stack may put events on another bus', () => {
    const all = Object.values(resourcesOfType(s.template, 'AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
    const put = all.filter((st) => actions([st]).includes('events:PutEvents'));
    expect(put).toHaveLength(1);
    expect(JSON.stringify(put[0]?.Resource)).not.toContain('*');
  });
});

it('no function in the stack has a Scan grant', () => {
  expect(JSON.stringify(s.template.toJSON())).not.toMatch(/dynamodb:Scan/);
});
