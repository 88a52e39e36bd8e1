/**
 * CDK app entry (`npx cdk synth`, `npx cdk deploy`). Node 24 runs this TypeScript directly.
 * Configuration comes from CDK context; see docs/DEPLOY.md for the keys.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BucketStatusStack } from './bucket-status-stack.ts';
import { stackPropsFromContext } from './stack-context.ts';

const app = new App();
const props = stackPropsFromContext(app.node);
new BucketStatusStack(app, `BucketStatus-${props.stageName}`, props);

// Synthesis (and so every deploy) fails on any unacknowledged finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));

app.synth();
