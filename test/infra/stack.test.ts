// Template assertions for the deployed stack. The main template is synthesized once,
// with real esbuild bundling; variants skip bundling since only their resources differ.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput } from '../../functions/data/table-definition.ts';
import { ROUTES, routeKeyOf } from '../../functions/route-table.ts';
import { DEFAULT_THROTTLE } from '../../infra/bucket-status-stack.ts';
import { BUNDLED_HANDLER_FILE, buildOptionsFor, ESM_REQUIRE_SHIM } from '../../infra/bundling.ts';
import { HouseNodejsFunction, PROJECT_ROOT } from '../../infra/constructs/house-nodejs-function.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/status-http-api.ts';
import { stackPropsFromContext } from '../../infra/stack-context.ts';
import { logicalId, type Resources, resourcesOfType, synthesize } from './synth-stack.ts';

type Synthesized = ReturnType<typeof synthesize>;

let main: Synthesized;
let ids: { status: string; workspace: string; ingest: string; table: string; secret: string };

beforeAll(() => {
  main = synthesize({ alarmEmail: 'oncall@example.com' }, { bundle: true });
  const { stack } = main;
  ids = {
    status: logicalId(stack, stack.statusFunction.function),
    workspace: logicalId(stack, stack.functions.workspace.function),
    ingest: logicalId(stack, stack.ingestFunction.function),
    table: logicalId(stack, stack.table),
    secret: logicalId(stack, stack.jwtSecret as NonNullable<typeof stack.jwtSecret>),
  };
}, 120_000);

/** The service's own functions: everything but CDK's page-deployment provider (tested apart). */
const functionsOf = (s: Synthesized) =>
  Object.fromEntries(
    Object.entries(resourcesOfType(s.template, 'AWS::Lambda::Function')).filter(
      ([id]) => !isPageDeploymentProvider(id),
    ),
  );

/** All IAM statements attached to the role of the given function. */
function statementsOfFunction(s: Synthesized, functionId: string) {
  const fn = functionsOf(s)[functionId];
  const roleId = fn?.Properties.Role['Fn::GetAtt'][0] as string;
  const role = resourcesOfType(s.template, 'AWS::IAM::Role')[roleId];
  expect(role?.Properties.ManagedPolicyArns ?? []).toEqual([]);
  expect(role?.Properties.Policies ?? []).toEqual([]);
  return Object.values(resourcesOfType(s.template, 'AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as IamStatement[]);
}

interface IamStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const actionsOf = (statements: IamStatement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe('HTTP API', () => {
  it('has exactly the routes of the route table and no $default route', () => {
    const routes = Object.values(resourcesOfType(main.template, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      ROUTES.map((route) => routeKeyOf(route)).sort(),
    );
    expect(routes.map((r) => r.Properties.RouteKey)).toEqual(
      expect.arrayContaining(['GET /bucket/{bucketId}/status', 'POST /node/status']),
    );
    main.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    main.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      // Without corsAllowedOrigins, the status page's origin alone.
      CorsConfiguration: {
        AllowOrigins: [
          {
            'Fn::Join': [
              '',
              ['https://', { 'Fn::GetAtt': [pageIds().distribution, 'DomainName'] }],
            ],
          },
        ],
      },
    });
  });

  it('routes each path to its function through a payload v2 Lambda proxy integration', () => {
    const integrations = resourcesOfType(main.template, 'AWS::ApiGatewayV2::Integration');
    const target = (routeKey: string) => {
      const route = Object.values(resourcesOfType(main.template, 'AWS::ApiGatewayV2::Route')).find(
        (r) => r.Properties.RouteKey === routeKey,
      );
      const integrationId = route?.Properties.Target['Fn::Join'][1][1].Ref as string;
      return integrations[integrationId]?.Properties;
    };
    for (const [routeKey, fnId] of [
      ['GET /bucket/{bucketId}/status', ids.status],
      ['POST /node/status', ids.ingest],
    ] as const) {
      expect(target(routeKey)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
      });
    }
  });

  it('serves the $default stage, auto-deployed, with stage throttling', () => {
    main.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    main.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
        ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
      },
    });
  });

  it('writes JSON access logs, without headers, to a log group with retention', () => {
    const [stage] = Object.values(resourcesOfType(main.template, 'AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties.AccessLogSettings;
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format.requestId).toBe('$context.requestId');
    expect(settings.Format).not.toMatch(/header/i);
    const logGroupId = settings.DestinationArn['Fn::GetAtt'][0];
    expect(resourcesOfType(main.template, 'AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual(
      expect.objectContaining({ RetentionInDays: 30 }),
    );
  });

  it('applies custom throttling, and CORS for the page origin plus the configured ones', () => {
    const variant = synthesize({
      throttle: { rateLimit: 50, burstLimit: 75 },
      corsAllowedOrigins: ['https://console.example.com'],
    });
    variant.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 75 },
    });
    variant.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [
          { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.anyValue(), 'DomainName'] }]] },
          'https://console.example.com',
        ],
        AllowMethods: ['GET'],
        AllowHeaders: ['authorization', 'if-none-match'],
        ExposeHeaders: ['etag', 'retry-after', 'www-authenticate'],
      },
    });
    // API Gateway answers CORS preflights itself: still no extra (OPTIONS or $default) route.
    variant.template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
  });
});

describe('functions', () => {
  it("are exactly the house functions, besides CDK's page-deployment provider", () => {
    const house = main.stack.node
      .findAll()
      .filter((c): c is HouseNodejsFunction => c instanceof HouseNodejsFunction)
      .map((fn) => logicalId(main.stack, fn.function));
    expect(house).toEqual(expect.arrayContaining([ids.ingest, ids.status]));
    expect(Object.keys(functionsOf(main)).sort()).toEqual(house.sort());
    const all = Object.keys(resourcesOfType(main.template, 'AWS::Lambda::Function'));
    expect(all.filter(isPageDeploymentProvider)).toHaveLength(1);
  });

  it('run nodejs24.x on arm64 with explicit memory, timeout, tracing and Powertools settings', () => {
    for (const id of [ids.status, ids.ingest]) {
      const props = functionsOf(main)[id]?.Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
      expect(props.MemorySize).toBeGreaterThanOrEqual(256);
      expect(props.Timeout).toBeGreaterThanOrEqual(3);
      expect(props.Timeout).toBeLessThanOrEqual(15);
      expect(props.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'bucket-status',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        TABLE_NAME: { Ref: ids.table },
      });
      // No --enable-source-maps: it parses each bundle's map at import (infra/bundling.ts).
      expect(props.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
    expect(functionsOf(main)[ids.status]?.Properties.Environment.Variables).toMatchObject({
      STALE_AFTER_SECONDS: '90',
    });
  });

  it('log to their own log group with a retention', () => {
    const groups = resourcesOfType(main.template, 'AWS::Logs::LogGroup');
    for (const id of [ids.status, ids.ingest]) {
      const groupId = functionsOf(main)[id]?.Properties.LoggingConfig.LogGroup.Ref;
      expect(groups[groupId]?.Properties.RetentionInDays).toBe(30);
    }
  });

  it('ship minified ESM bundles with the AWS SDK inside, a require shim and a source map', () => {
    const assembly = main.app.synth();
    for (const id of [ids.status, ids.ingest]) {
      const key: string = functionsOf(main)[id]?.Properties.Code.S3Key;
      const dir = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_SHIM)).toBe(true);
      expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(code).toContain('dynamodb');
      // Minified: a few long lines, not one statement per line.
      expect(code.split('\n').length).toBeLessThan(100);
    }
  });

  it('ship what infra/bundling.ts builds for the bench and the bundle tests, byte for byte (the badge: its alias taken)', async () => {
    const assembly = main.app.synth();
    const badge = main.stack.functions.badge;
    const key: string =
      functionsOf(main)[logicalId(main.stack, badge.function)]?.Properties.Code.S3Key;
    const dir = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    const shipped = readFileSync(path.join(dir, BUNDLED_HANDLER_FILE), 'utf8');
    const { outputFiles } = await build({
      ...buildOptionsFor(
        path.join(PROJECT_ROOT, badge.entry),
        path.join(dir, 'rebuilt', BUNDLED_HANDLER_FILE),
      ),
      write: false,
      logLevel: 'warning',
    });
    const rebuilt = outputFiles.find((f) => f.path.endsWith(BUNDLED_HANDLER_FILE))?.text;
    expect(shipped.length).toBe(rebuilt?.length);
    expect(shipped === rebuilt).toBe(true);
  });

  it('refuse a timeout that is not well under API Gateway’s 30 s', () => {
    const stack = new Stack(new App(), 'Scratch');
    expect(
      () =>
        new HouseNodejsFunction(stack, 'TooSlow', {
          entry: 'functions/status/handler.ts',
          description: 'too slow',
          memorySize: 512,
          timeout: Duration.seconds(29),
          environment: {},
          serviceName: 'bucket-status',
          logLevel: 'INFO',
          logRetention: logs.RetentionDays.ONE_WEEK,
        }),
    ).toThrow(/well under API Gateway/);
  });
});

describe('least privilege', () => {
  it('lets the status function only GetItem and Query the table, and read the JWT and cursor secrets', () => {
    const statements = statementsOfFunction(main, ids.status);
    expect(actionsOf(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: [
        { Ref: logicalId(main.stack, main.stack.eventsCursorSecret) },
        { Ref: ids.secret },
      ],
    });
  });

  it("lets the workspace function only BatchGetItem (the names of /me, the overview's rows), GetItem and Query the table, Query the overview index, and read the JWT and cursor secrets", () => {
    const statements = statementsOfFunction(main, ids.workspace);
    expect(actionsOf(statements)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
      Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.table, 'Arn'] }, '/index/overview']] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: [
        { Ref: logicalId(main.stack, main.stack.eventsCursorSecret) },
        { Ref: ids.secret },
      ],
    });
  });

  it('lets the ingest function only GetItem, UpdateItem and (history rows) PutItem on the table', () => {
    const statements = statementsOfFunction(main, ids.ingest);
    expect(actionsOf(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
    });
  });

  it("uses no wildcard action anywhere, and Resource * only for X-Ray (CDK's page deployment and the stream reader apart)", () => {
    const all = Object.values(resourcesOfType(main.template, 'AWS::IAM::Policy'))
      .filter(
        (p) =>
          !p.Properties.Roles.some((r: { Ref?: string }) => isPageDeploymentProvider(r.Ref ?? '')),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as IamStatement[]);
    expect(all.length).toBeGreaterThan(0);
    for (const action of actionsOf(all)) expect(action).not.toContain('*');
    // dynamodb:ListStreams has no resource-level permissions; only the fan-out function (the
    // stream's reader) holds it (test/infra/alerts-stack.test.ts).
    for (const statement of all.filter((s) => JSON.stringify(s.Resource).includes('*'))) {
      expect(actionsOf([statement]).filter((a) => a !== 'dynamodb:ListStreams')).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  it('lets each function write to its own log group only', () => {
    for (const id of [ids.status, ids.ingest]) {
      const logGroup = functionsOf(main)[id]?.Properties.LoggingConfig.LogGroup.Ref;
      const logStatements = statementsOfFunction(main, id).filter((s) =>
        actionsOf([s]).some((action) => action.startsWith('logs:')),
      );
      expect(logStatements).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        },
      ]);
    }
  });
});

describe('table', () => {
  it('is derived from the shared table definition', () => {
    const definition = createTableInput('unused');
    main.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    main.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: definition.KeySchema,
      AttributeDefinitions: definition.AttributeDefinitions,
      BillingMode: definition.BillingMode,
      TableName: Match.absent(),
    });
  });

  it('has point-in-time recovery, deletion protection and RETAIN, with the AWS-owned key', () => {
    main.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    // No SSESpecification, or SSEEnabled false, is how CloudFormation spells "AWS-owned key".
    const [table] = Object.values(resourcesOfType(main.template, 'AWS::DynamoDB::Table'));
    const sse = table?.Properties.SSESpecification;
    expect(sse === undefined || (sse.SSEEnabled === false && !sse.KMSMasterKeyId)).toBe(true);
    main.template.resourceCountIs('AWS::KMS::Key', 1); // the alarm topic's key only
  });
});

describe('token key material', () => {
  it('generates the HS256 secret as a plain string of 64 alphanumerics', () => {
    // The token key and the events cursor's key (docs/SECURITY.md), generated alike.
    main.template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    main.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        PasswordLength: 64,
        ExcludePunctuation: true,
        SecretStringTemplate: Match.absent(),
        GenerateStringKey: Match.absent(),
      },
      SecretString: Match.absent(),
    });
  });

  it('passes the secret by ARN only, and grants reading it to the token-verifying functions alone', () => {
    const variables = (id: string) => functionsOf(main)[id]?.Properties.Environment.Variables;
    expect(variables(ids.status).JWT_SECRET_ARN).toEqual({ Ref: ids.secret });
    const readers = Object.values(resourcesOfType(main.template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:'),
    );
    // The status, workspace, events, webhooks and manage functions verify bearer tokens;
    // nothing else reads the token secret.
    const roleOf = (fn: { role: { node: { defaultChild?: unknown } } }) =>
      logicalId(main.stack, fn.role);
    const readersOf = (secretId: string) =>
      readers
        .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(`"${secretId}"`))
        .map((p) => p.Properties.Roles[0].Ref)
        .sort();
    expect(readersOf(ids.secret)).toEqual(
      [
        roleOf(main.stack.statusFunction),
        roleOf(main.stack.functions.workspace),
        roleOf(main.stack.functions.events),
        roleOf(main.stack.functions.webhooks),
        roleOf(main.stack.functions.manage),
      ].sort(),
    );
    const cursorSecret = logicalId(main.stack, main.stack.eventsCursorSecret);
    // The events cursor, the health events cursors (status and public functions) and the
    // overview's cursor (workspace function) share the key.
    expect(readersOf(cursorSecret)).toEqual(
      [
        roleOf(main.stack.functions.events),
        roleOf(main.stack.functions.status),
        roleOf(main.stack.functions.workspace),
        roleOf(main.stack.functions.public),
      ].sort(),
    );
    expect(actionsOf(statementsOfFunction(main, ids.ingest))).not.toContain(
      'secretsmanager:GetSecretValue',
    );
  });

  it('never puts a secret in a function environment', () => {
    for (const fn of Object.values(functionsOf(main))) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      expect(names).not.toContain('JWT_SECRET');
      for (const name of names.filter((n) => /SECRET|PASSWORD|PRIVATE|TOKEN/.test(n))) {
        expect(['JWT_SECRET_ARN', 'EVENTS_CURSOR_SECRET_ARN']).toContain(name);
      }
    }
  });

  it('uses a JWKS URL instead when configured: no secret, no Secrets Manager permission', () => {
    const variant = synthesize({
      jwt: {
        key: { kind: 'jwks', url: 'https://idp.example.com/.well-known/jwks.json' },
        issuer: 'https://idp.example.com/',
        audience: ['bucket-status', 'console'],
      },
    });
    // Only the cursors' key, read by the events, status, workspace and public functions alone.
    variant.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const readers = Object.values(resourcesOfType(variant.template, 'AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:'),
    );
    expect(readers.map((p) => p.Properties.Roles[0].Ref).sort()).toEqual(
      [
        logicalId(variant.stack, variant.stack.functions.events.role),
        logicalId(variant.stack, variant.stack.functions.status.role),
        logicalId(variant.stack, variant.stack.functions.workspace.role),
        logicalId(variant.stack, variant.stack.functions.public.role),
      ].sort(),
    );
    variant.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
          JWT_ISSUER: 'https://idp.example.com/',
          JWT_AUDIENCE: 'bucket-status,console',
          JWT_SECRET_ARN: Match.absent(),
        }),
      },
    });
    expect(Object.keys(variant.template.findOutputs('*'))).not.toContain('JwtSecretArn');
  });

  it('takes a public key as a prop and refuses a private one', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAexample\\n-----END PUBLIC KEY-----';
    const variant = synthesize({ jwt: { key: { kind: 'publicKey', pem } } });
    variant.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_PUBLIC_KEY: pem.replaceAll('\\n', '\n'),
        }),
      },
    });
    const privatePem =
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIexample\n-----END PRIVATE KEY-----';
    expect(() => synthesize({ jwt: { key: { kind: 'publicKey', pem: privatePem } } })).toThrow(
      /PRIVATE key/,
    );
  });
});

describe('alarms', () => {
  const alarms = (s: Synthesized) =>
    Object.values(resourcesOfType(s.template, 'AWS::CloudWatch::Alarm'));
  const metricNames = (alarm: Resources[string]) => [
    alarm.Properties.MetricName,
    ...(alarm.Properties.Metrics ?? []).map(
      (m: { MetricStat?: { Metric: { MetricName: string } } }) => m.MetricStat?.Metric.MetricName,
    ),
  ];
  const dimensionsOf = (alarm: Resources[string]) => JSON.stringify(alarm.Properties);

  it('watch the API 5xx rate', () => {
    const rate = alarms(main).find((a) => metricNames(a).includes('5xx'));
    expect(metricNames(rate as Resources[string])).toContain('Count');
    expect(rate?.Properties.Metrics[0].Expression).toMatch(/100 \* errors \/ requests/);
  });

  it('watch each function’s errors and throttles', () => {
    for (const id of [ids.status, ids.ingest]) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = alarms(main).filter(
          (a) => a.Properties.MetricName === metric && dimensionsOf(a).includes(`"Ref":"${id}"`),
        );
        expect(found, `${metric} alarm for ${id}`).toHaveLength(1);
      }
    }
  });

  it('watch the failure queue of the scheduled sweep', () => {
    const { stack } = main;
    const queueId = stack.getLogicalId(
      stack.sweepFunction.failureQueue?.node.defaultChild as never,
    );
    const failed = alarms(main).filter(
      (a) =>
        a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        dimensionsOf(a).includes(queueId),
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]?.Properties).toMatchObject({ Threshold: 1, Statistic: 'Maximum' });
  });

  it('watch DynamoDB throttled requests on the table', () => {
    const throttled = alarms(main).find((a) => metricNames(a).includes('ThrottledRequests'));
    expect(dimensionsOf(throttled as Resources[string])).toContain(`"Ref":"${ids.table}"`);
  });

  it('notify an encrypted SNS topic with the alarm email on alarm and recovery', () => {
    main.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    main.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
    });
    const [topicId] = Object.keys(resourcesOfType(main.template, 'AWS::SNS::Topic'));
    // 5xx rate, errors + throttles of every function, each failure queue (sweep, fan-out),
    // table; and the delivery DLQ's depth (test/infra/alerts-stack.test.ts).
    const { functions } = main.stack;
    const failureQueues = Object.values(functions).filter((fn) => fn.failureQueue).length;
    expect(failureQueues).toBe(2);
    expect(alarms(main)).toHaveLength(2 * Object.keys(functions).length + 2 + failureQueues + 1);
    for (const alarm of alarms(main)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('notify an existing topic, or nobody, when so configured', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:oncall';
    const existing = synthesize({ alarmTopicArn: topicArn });
    existing.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of alarms(existing)) expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
    const silent = synthesize();
    silent.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of alarms(silent)) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });
});

describe('outputs', () => {
  it('give the API URL, the table name and the secret ARN', () => {
    const outputs = main.template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'ApiUrl',
      'JwtSecretArn',
      'PublicUrl',
      'StatusPageUrl',
      'TableName',
    ]);
    expect(outputs.TableName?.Value).toEqual({ Ref: ids.table });
    expect(outputs.JwtSecretArn?.Value).toEqual({ Ref: ids.secret });
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain('execute-api');
  });
});

const isPageDeploymentProvider = (logicalId: string) =>
  logicalId.startsWith('CustomCDKBucketDeployment');

/** Logical ids of the status page's resources. */
function pageIds() {
  const { stack } = main;
  return {
    bucket: logicalId(stack, stack.statusPage.bucket),
    distribution: logicalId(stack, stack.statusPage.distribution),
    headers: logicalId(stack, stack.statusPage.responseHeadersPolicy),
  };
}

describe('status page hosting', () => {
  it('keeps the files in a private, encrypted, SSL-only bucket', () => {
    const bucket = resourcesOfType(main.template, 'AWS::S3::Bucket')[pageIds().bucket]?.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    const policy = Object.values(resourcesOfType(main.template, 'AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === pageIds().bucket,
    )?.Properties.PolicyDocument.Statement as TemplateStatement[];
    expect(policy).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Principal: { AWS: '*' },
      }),
    );
    // Read only by this distribution, through origin access control (no public principal).
    const reads = policy.filter((s) => s.Effect === 'Allow');
    expect(reads).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
          },
        },
      }),
    ]);
  });

  it('serves it through CloudFront with origin access control, HTTPS only, index.html at /', () => {
    const config = resourcesOfType(main.template, 'AWS::CloudFront::Distribution')[
      pageIds().distribution
    ]?.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: pageIds().headers });
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    main.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
  });

  it('sends the page with a CSP (no inline script, API origins only), HSTS and no framing', () => {
    const headers = resourcesOfType(main.template, 'AWS::CloudFront::ResponseHeadersPolicy')[
      pageIds().headers
    ]?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('connect-src');
    expect(csp).toContain('execute-api');
    expect(csp).not.toContain('unsafe');
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(headers.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 31_536_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
  });

  it('writes config.json with the API URL at deployment, and outputs StatusPageUrl', () => {
    const deployments = Object.values(main.template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const props = deployments[0]?.Properties;
    expect(props.DestinationBucketName).toEqual({ Ref: pageIds().bucket });
    expect(props.SourceObjectKeys).toHaveLength(2);
    // Source.jsonData: the API URL is a deploy-time value, substituted without a rebuild.
    const apiId = logicalId(main.stack, main.stack.httpApi.api);
    expect(Object.values(props.SourceMarkers[1])).toContainEqual({ Ref: apiId });
    expect(props.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(props.DistributionPaths).toEqual(['/*']);
    expect(props.Prune).toBe(true);
    const outputs = main.template.findOutputs('StatusPageUrl');
    expect(JSON.stringify(outputs.StatusPageUrl?.Value)).toContain(pageIds().distribution);
  });

  it("scopes CDK's deployment provider to the page bucket and the asset bucket", () => {
    const policies = Object.values(resourcesOfType(main.template, 'AWS::IAM::Policy')).filter((p) =>
      p.Properties.Roles.some((r: { Ref?: string }) => isPageDeploymentProvider(r.Ref ?? '')),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as TemplateStatement[],
    );
    const writes = statements.filter((s) =>
      [s.Action].flat().some((a) => typeof a === 'string' && /^s3:(Put|Delete)/.test(a)),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const statement of writes) {
      expect(JSON.stringify(statement.Resource)).toContain(pageIds().bucket);
    }
  });
});

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON
type TemplateStatement = { Effect: string; Action: unknown; Resource: any; [key: string]: any };

describe('configuration', () => {
  const contextOf = (context: Record<string, string>) => new App({ context }).node;

  it('reads stack props from CDK context with documented defaults', () => {
    expect(stackPropsFromContext(contextOf({}))).toMatchObject({
      stageName: 'dev',
      jwt: { key: { kind: 'generatedSecret' } },
      throttle: DEFAULT_THROTTLE,
    });
    expect(
      stackPropsFromContext(
        contextOf({
          stage: 'prod',
          jwtJwksUrl: 'https://idp.example.com/jwks.json',
          jwtAudience: 'a, b',
          staleAfterSeconds: '120',
          throttleRateLimit: '10',
          logRetentionDays: '90',
          logLevel: 'warn',
          alarmEmail: 'ops@example.com',
          corsAllowedOrigins: 'https://a.example.com,https://b.example.com',
        }),
      ),
    ).toMatchObject({
      stageName: 'prod',
      jwt: {
        key: { kind: 'jwks', url: 'https://idp.example.com/jwks.json' },
        audience: ['a', 'b'],
      },
      staleAfterSeconds: 120,
      throttle: { rateLimit: 10, burstLimit: 20 },
      logRetention: logs.RetentionDays.THREE_MONTHS,
      logLevel: 'WARN',
      alarmEmail: 'ops@example.com',
      corsAllowedOrigins: ['https://a.example.com', 'https://b.example.com'],
    });
  });

  it('rejects invalid settings with a message naming them', () => {
    expect(() => stackPropsFromContext(contextOf({ logRetentionDays: '42' }))).toThrow(
      /logRetentionDays/,
    );
    expect(() => stackPropsFromContext(contextOf({ throttleRateLimit: 'fast' }))).toThrow(
      /throttleRateLimit/,
    );
    expect(() => synthesize({ stageName: 'Prod!' })).toThrow(/stage name/);
    expect(() => synthesize({ staleAfterSeconds: 0 })).toThrow(/staleAfterSeconds/);
    expect(() =>
      synthesize({ alarmEmail: 'a@example.com', alarmTopicArn: 'arn:aws:sns:x:1:t' }),
    ).toThrow(/not both/);
    expect(() =>
      synthesize({ jwt: { key: { kind: 'jwks', url: 'http://idp.example.com/jwks' } } }),
    ).toThrow(/https/);
    // Loopback http passes the function's reader but is refused for a deployed stack.
    expect(() =>
      synthesize({ jwt: { key: { kind: 'jwks', url: 'http://127.0.0.1:9/jwks' } } }),
    ).toThrow(/jwtJwksUrl: JWT_JWKS_URL must be https/);
  });

  it('parses the functions\u2019 settings with the functions\u2019 own readers, naming the key', () => {
    expect(
      stackPropsFromContext(
        contextOf({
          jwtMaxLifetimeSeconds: '3600',
          historyRetentionDays: '30',
          eventRetentionDays: '7',
          metricsNamespace: 'Acme/Status',
        }),
      ),
    ).toMatchObject({
      jwtMaxLifetimeSeconds: 3600,
      historyRetentionDays: 30,
      eventRetentionDays: 7,
      metricsNamespace: 'Acme/Status',
    });
    for (const [key, variable, value] of [
      ['staleAfterSeconds', 'STALE_AFTER_SECONDS', '0'],
      ['jwtMaxLifetimeSeconds', 'JWT_MAX_LIFETIME_SECONDS', 'long'],
      ['historyRetentionDays', 'HISTORY_RETENTION_DAYS', '99999'],
      ['eventRetentionDays', 'EVENT_RETENTION_DAYS', '-3'],
      ['metricsNamespace', 'POWERTOOLS_METRICS_NAMESPACE', 'a;b'],
    ] as const) {
      expect(() => stackPropsFromContext(contextOf({ [key]: value })), key).toThrow(
        new RegExp(`^context ${key}: ${variable} must be`),
      );
    }
    expect(() => synthesize({ historyRetentionDays: 1.5 })).toThrow(
      /^prop historyRetentionDays: HISTORY_RETENTION_DAYS must be an integer/,
    );
    expect(() => synthesize({ jwt: { key: { kind: 'publicKey', pem: 'not a key' } } })).toThrow(
      /prop jwtPublicKey: JWT_PUBLIC_KEY must be a PEM/,
    );
  });

  it('gives every function the service settings, defaults filled in, as the readers parse them', () => {
    const variant = synthesize({ historyRetentionDays: 30, metricsNamespace: 'Acme/Status' });
    const fns = Object.values(functionsOf(variant));
    expect(fns.length).toBeGreaterThanOrEqual(2);
    for (const fn of fns) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        STALE_AFTER_SECONDS: '90',
        JWT_MAX_LIFETIME_SECONDS: '2678400',
        HISTORY_RETENTION_DAYS: '30',
        EVENT_RETENTION_DAYS: '90',
        POWERTOOLS_METRICS_NAMESPACE: 'Acme/Status',
      });
      // Local-runtime settings never reach a deployed function.
      for (const local of [
        'WEBHOOK_ALLOW_LOOPBACK',
        'SWEEP_INTERVAL_SECONDS',
        'WEBHOOK_RETRY_BASE_SECONDS',
      ]) {
        expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain(local);
      }
    }
  });
});
