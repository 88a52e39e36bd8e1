// The house function construct for its three kinds (http, schedule, queue) and its table-grant
// helper, on a scratch stack checked by the same cdk-nag packs as the real one.
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  type FunctionTrigger,
  HouseNodejsFunction,
} from '../../infra/constructs/house-nodejs-function.ts';
import { StatusTable } from '../../infra/constructs/status-table.ts';
import { assertTableGrant, type TableAction } from '../../infra/constructs/table-grant.ts';
import { resourcesOfType } from './synth-stack.ts';

const ENTRY = 'functions/status/handler.ts';

function scratch() {
  // No bundling: only the resources around the function are under test here.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Scratch');
  const table = new StatusTable(stack, 'Data').table;
  const make = (id: string, trigger: FunctionTrigger | undefined, timeoutSeconds = 10) =>
    new HouseNodejsFunction(stack, id, {
      entry: ENTRY,
      description: `scratch ${id}`,
      memorySize: 512,
      timeout: Duration.seconds(timeoutSeconds),
      environment: {},
      serviceName: 'bucket-status',
      logLevel: 'INFO',
      logRetention: logs.RetentionDays.ONE_WEEK,
      trigger,
    });
  const deliveryQueue = (visibilitySeconds = 180) => {
    const dlq = new sqs.Queue(stack, `Dlq${visibilitySeconds}`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(dlq).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'Scratch dead-letter queue of the test source queue: the end of its failure path.',
    });
    return new sqs.Queue(stack, `Queue${visibilitySeconds}`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilitySeconds),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
  };
  return { app, stack, table, make, deliveryQueue };
}

function allKinds() {
  const s = scratch();
  const http = s.make('Http', { kind: 'http' });
  const sweep = s.make(
    'Sweep',
    { kind: 'schedule', schedule: events.Schedule.rate(Duration.minutes(1)) },
    50,
  );
  const delivery = s.make('Delivery', { kind: 'queue', queue: s.deliveryQueue() }, 30);
  http.grantTable(s.table, { actions: ['dynamodb:Query'] });
  sweep.grantTable(s.table, { actions: ['dynamodb:UpdateItem'], indexes: ['bySilence'] });
  delivery.grantTable(s.table, { actions: ['dynamodb:GetItem'] });
  Validations.of(s.app).addPlugins(new AwsSolutionsChecks(s.app), new ServerlessChecks(s.app));
  const template = Template.fromStack(s.stack);
  return { ...s, http, sweep, delivery, template };
}

const kinds = allKinds();
const logicalId = (c: IConstruct) => kinds.stack.getLogicalId(c.node.defaultChild as never);

function findings(scope: IConstruct, pack: NagPack, ignoreAcks = false) {
  if (ignoreAcks) Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack
    .validateScope(scope)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })),
    );
}

function acknowledgementsOn(construct: IConstruct): Record<string, string> {
  return Object.fromEntries(
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason]),
  );
}

describe('house function kinds', () => {
  it('all three kinds pass cdk-nag with zero unacknowledged findings', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(findings(kinds.stack, pack)).toEqual([]);
    }
  });

  it('acknowledges the DLQ rule per kind, for that kind’s reason, and each one is live', () => {
    const raw = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((p) =>
      findings(kinds.stack, p, true),
    );
    for (const fn of [kinds.http, kinds.sweep, kinds.delivery]) {
      const reason = acknowledgementsOn(fn.function)['Serverless-LambdaDLQ'];
      expect(reason, fn.node.id).toBeDefined();
      expect(raw).toContainEqual({
        rule: 'Serverless-LambdaDLQ',
        path: expect.stringContaining(`${fn.node.path}/Function`),
      });
    }
    expect(acknowledgementsOn(kinds.http.function)['Serverless-LambdaDLQ']).toMatch(
      /synchronously by API Gateway/,
    );
    // No blanket "sync only" acknowledgement on the asynchronous and queue-driven kinds.
    for (const fn of [kinds.sweep, kinds.delivery]) {
      expect(acknowledgementsOn(fn.function)['Serverless-LambdaDLQ']).not.toMatch(/API Gateway/);
    }
    expect(acknowledgementsOn(kinds.sweep.function)['Serverless-LambdaDLQ']).toMatch(
      /on-failure destination/,
    );
    expect(acknowledgementsOn(kinds.delivery.function)['Serverless-LambdaDLQ']).toMatch(
      /redrive policy/,
    );
  });

  it('http: sync, no event source, no async config, timeout capped at 15 s', () => {
    expect(kinds.http.kind).toBe('http');
    const fnId = logicalId(kinds.http.function);
    for (const type of ['AWS::Lambda::EventInvokeConfig', 'AWS::Lambda::EventSourceMapping']) {
      const attached = Object.values(resourcesOfType(kinds.template, type)).filter((r) =>
        JSON.stringify(r.Properties).includes(`"${fnId}"`),
      );
      expect(attached, type).toEqual([]);
    }
    expect(() => scratch().make('Slow', { kind: 'http' }, 16)).toThrow(/at most 15 s/);
    expect(() => scratch().make('Default', undefined, 16)).toThrow(/at most 15 s/);
  });

  it('schedule: EventBridge rule, no Lambda retries, a minute of event age, failures queued', () => {
    const fnId = logicalId(kinds.sweep.function);
    const queueId = logicalId(kinds.sweep.failureQueue as sqs.Queue);
    kinds.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    kinds.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    kinds.template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
    });
    // Lambda may send failures to the queue, and only to it.
    const policies = Object.values(resourcesOfType(kinds.template, 'AWS::IAM::Policy'));
    const sends = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: string | string[] }) =>
        [st.Action].flat().includes('sqs:SendMessage'),
      );
    expect(sends).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }),
    ]);
  });

  it('schedule: refuses a timeout as long as the period, and more than two retries', () => {
    const everyMinute = events.Schedule.rate(Duration.minutes(1));
    expect(() => scratch().make('Long', { kind: 'schedule', schedule: everyMinute }, 60)).toThrow(
      /shorter than the schedule's period \(60 s\)/,
    );
    expect(() =>
      scratch().make('Retry', { kind: 'schedule', schedule: everyMinute, retryAttempts: 3 }, 10),
    ).toThrow(/retryAttempts must be 0, 1 or 2/);
    // A cron schedule has no fixed period to compare with; Lambda's 900 s cap still holds.
    const nightly = events.Schedule.cron({ hour: '3', minute: '0' });
    expect(() => scratch().make('Cron', { kind: 'schedule', schedule: nightly }, 901)).toThrow(
      /at most 900 s/,
    );
  });

  it('queue: event source with partial batch failures; queue retries into its own DLQ', () => {
    const fnId = logicalId(kinds.delivery.function);
    kinds.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const s = scratch();
    const noDlq = new sqs.Queue(s.stack, 'NoDlq', { visibilityTimeout: Duration.seconds(300) });
    expect(() => s.make('NoDlqFn', { kind: 'queue', queue: noDlq }, 30)).toThrow(
      /needs a dead-letter queue/,
    );
  });

  it('queue: visibility timeout at least six times the function timeout', () => {
    const s = scratch();
    expect(() => s.make('Tight', { kind: 'queue', queue: s.deliveryQueue(179) }, 30)).toThrow(
      /visibility timeout \(179 s\) must be at least 6x the function timeout \(30 s\)/,
    );
    const ok = scratch();
    expect(() =>
      ok.make('Fits', { kind: 'queue', queue: ok.deliveryQueue(180) }, 30),
    ).not.toThrow();
  });
});

describe('table grants', () => {
  const statementsOf = (fn: HouseNodejsFunction) => {
    const roleId = kinds.stack.getLogicalId(fn.role.node.defaultChild as never);
    return Object.values(resourcesOfType(kinds.template, 'AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: string | string[] }) =>
        [st.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
  };
  const tableArn = () => ({ 'Fn::GetAtt': [logicalId(kinds.table), 'Arn'] });

  it('grants exactly the named actions on the table ARN', () => {
    expect(statementsOf(kinds.http)).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: tableArn() },
    ]);
    expect(statementsOf(kinds.delivery)).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn() },
    ]);
  });

  it('grants Query on each named index ARN, never /index/*', () => {
    expect(statementsOf(kinds.sweep)).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: tableArn() },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn(), '/index/bySilence']] },
      },
    ]);
    expect(JSON.stringify(kinds.template.toJSON())).not.toContain('/index/*');
  });

  it('refuses Scan, wildcards, control-plane actions, duplicates and odd index names', () => {
    const bad = (actions: string[], indexes?: string[]) => () =>
      assertTableGrant({ actions: actions as TableAction[], indexes });
    expect(bad(['dynamodb:Scan'])).toThrow(/Scan is never granted/);
    expect(bad(['dynamodb:*'])).toThrow(/not one of/);
    expect(bad(['dynamodb:Get*'])).toThrow(/not one of/);
    expect(bad(['dynamodb:DescribeTable'])).toThrow(/not one of/);
    expect(bad(['dynamodb:DeleteTable'])).toThrow(/not one of/);
    expect(bad(['s3:GetObject'])).toThrow(/not one of/);
    expect(bad(['dynamodb:Query', 'dynamodb:Query'])).toThrow(/listed twice/);
    expect(bad([])).toThrow(/at least one/);
    expect(bad(['dynamodb:Query'], ['*'])).toThrow(/not an index name/);
    expect(bad([], ['by-node'])).not.toThrow();
  });

  it('refuses wildcard actions in the generic allow()', () => {
    expect(() => kinds.http.allow(['sqs:*'], ['arn:aws:sqs:us-east-1:1:q'])).toThrow(/wildcard/);
  });
});
