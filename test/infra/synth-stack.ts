// Builds the stack the way infra/app.ts does (cdk.json feature flags, cdk-nag packs registered
// on the app), so a template under test is the template `npx cdk synth` produces.
import { readFileSync } from 'node:fs';
import { App, type CfnResource, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BucketStatusStack, type BucketStatusStackProps } from '../../infra/bucket-status-stack.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export const BASE_PROPS: BucketStatusStackProps = {
  stageName: 'test',
  jwt: { key: { kind: 'generatedSecret' } },
};

export interface SynthOptions {
  /** Run esbuild for the function assets (slow); otherwise CDK skips bundling. */
  bundle?: boolean;
  /** Changes the stack before synthesis, e.g. to prove that a regression is caught. */
  customize?: (stack: BucketStatusStack) => void;
}

export function synthesize(
  props: Partial<BucketStatusStackProps> = {},
  options: SynthOptions = {},
) {
  const app = new App({
    context: {
      ...cdkJson.context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new BucketStatusStack(app, 'BucketStatus-test', { ...BASE_PROPS, ...props });
  options.customize?.(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  // Synthesis runs the cdk-nag plugins and throws on any unacknowledged finding.
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

/** Template JSON, navigated freely by assertions: a wrong path fails the assertion anyway. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON
type TemplateJson = any;

export type Resources = Record<string, { Type: string; Properties: TemplateJson } & TemplateJson>;

export function resourcesOfType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Logical id of the CloudFormation resource behind an L2 construct. */
export function logicalId(
  stack: BucketStatusStack,
  resource: { node: { defaultChild?: unknown } },
) {
  return stack.getLogicalId(resource.node.defaultChild as CfnResource);
}
