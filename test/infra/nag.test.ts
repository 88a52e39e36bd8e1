// cdk-nag (AwsSolutions and Serverless packs) over the stack: zero unacknowledged findings, and
// every acknowledgement is live (removing it brings its finding back) and explains itself.
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { BucketStatusStack } from '../../infra/bucket-status-stack.ts';
import { synthesize } from './synth-stack.ts';

const packs = (): NagPack[] => [new AwsSolutionsChecks(), new ServerlessChecks()];

interface Finding {
  rule: string;
  path: string;
}

function findings(scope: IConstruct, pack: NagPack): Finding[] {
  return pack.validateScope(scope).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: resource.constructPath ?? '',
    })),
  );
}

/** What the pack reports when acknowledgements are ignored, as if each one were removed. */
function findingsWithoutAcknowledgements(scope: IConstruct, pack: NagPack): Finding[] {
  // cdk-nag consults this (TypeScript-private) method for every finding. If a cdk-nag upgrade
  // renames it, nothing is reported here and the "each acknowledgement is live" test fails.
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return findings(scope, pack);
}

function acknowledgements(scope: IConstruct) {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({
        rule: id.replace(/^annotation::/i, ''),
        path: construct.node.path,
        reason,
      })),
  );
}

// Every optional resource is present: the alarm topic (email), CORS, the generated secret.
const everything = synthesize({
  alarmEmail: 'oncall@example.com',
  corsAllowedOrigins: ['https://console.example.com'],
});
const jwksVariant = synthesize({
  jwt: { key: { kind: 'jwks', url: 'https://idp.example.com/.well-known/jwks.json' } },
});

describe('cdk-nag', () => {
  it('fails synthesis on an unacknowledged finding, e.g. a wildcard action', () => {
    const grantWildcard = (stack: BucketStatusStack) =>
      stack.ingestFunction.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:*'], resources: [stack.table.tableArn] }),
      );
    expect(() => synthesize({}, { customize: grantWildcard })).toThrow(
      /AwsSolutions-IAM5\[Action::dynamodb:\*\]/,
    );
  });

  for (const [name, variant] of [
    ['all optional resources', everything],
    ['JWKS mode', jwksVariant],
  ] as const) {
    it(`reports zero unacknowledged findings (${name})`, () => {
      for (const pack of packs()) expect(findings(variant.stack, pack)).toEqual([]);
    });
  }

  it('finds violations once acknowledgements are ignored (the check is live)', () => {
    const raw = packs().flatMap((pack) => findingsWithoutAcknowledgements(everything.stack, pack));
    expect(raw.map((f) => f.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-APIG4', 'AwsSolutions-SMG4', 'Serverless-LambdaDLQ']),
    );
  });

  it('has no stale acknowledgement: removing any one brings back a finding under it', () => {
    const raw = packs().flatMap((pack) => findingsWithoutAcknowledgements(everything.stack, pack));
    const acks = acknowledgements(everything.stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const covered = raw.filter(
        (f) => f.rule === ack.rule && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
      );
      expect(covered, `${ack.rule} at ${ack.path}`).not.toEqual([]);
    }
  });

  it('leaves no CDK warning or error annotation on the stack', () => {
    const annotations = Annotations.fromStack(everything.stack);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    for (const ack of acknowledgements(everything.stack)) {
      expect(ack.reason.length, `${ack.rule} at ${ack.path}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledges nothing at stack level: each one sits on the construct it concerns', () => {
    const stackPath = everything.stack.node.path;
    for (const ack of acknowledgements(everything.app)) {
      expect([stackPath, ''], `${ack.rule} at ${ack.path}`).not.toContain(ack.path);
    }
  });
});
