import type { TestProject } from 'vitest/node';
import { startDynalite } from '../../local/embedded-dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * One DynamoDB engine for the whole run, over real HTTP: dynalite in-process by default, or
 * an engine already running at TEST_DYNAMODB_ENDPOINT (DynamoDB Local in .ci/run).
 * Each test file creates its own uniquely named table, so files never share rows.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DYNAMODB_ENDPOINT;
  if (external) {
    project.provide('dynamoEndpoint', external);
    return;
  }
  const engine = await startDynalite();
  project.provide('dynamoEndpoint', engine.endpoint);
  return () => engine.close();
}
