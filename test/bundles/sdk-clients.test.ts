// The generated SDK clients in the bundles: every function is built exactly as the stack ships it
// (infra/bundling.ts buildOptionsFor) and esbuild's metafile says what went in. DynamoDB is the
// one generated client a function carries; SQS and EventBridge are signed JSON-protocol calls
// (functions/shared/aws-json-call.ts) on the SDK pieces DynamoDB already brings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '../../functions/route-table.ts';
import { bundleEveryFunction, type FunctionBundles } from '../support/function-bundles.ts';

let bundles: FunctionBundles | undefined;
let inputs = new Map<FunctionName, string[]>();

beforeAll(async () => {
  bundles = await bundleEveryFunction('sdk-client-bundles');
  inputs = bundles.inputs;
}, 120_000);

afterAll(() => bundles?.remove());

/** The generated clients (and the SQS client's own middleware) no function may carry. */
const LEFT_OUT = [
  '/@aws-sdk/client-sqs/',
  '/@aws-sdk/client-eventbridge/',
  '/@aws-sdk/middleware-sdk-sqs/',
];

describe('SQS and EventBridge in the shipped bundles', () => {
  it('fanOut and delivery bundle the signed JSON call (the check looks at real inputs)', () => {
    for (const name of ['fanOut', 'delivery'] as const) {
      const files = inputs.get(name) ?? [];
      expect(files, name).toContain('functions/shared/aws-json-call.ts');
      expect(files, name).toContain('functions/shared/sqs.ts');
      expect(
        files.some((f) => f.includes('/@aws-sdk/client-dynamodb/')),
        name,
      ).toBe(true);
    }
    expect(inputs.get('fanOut')).toContain('functions/fan-out/aws-adapters.ts');
    expect(inputs.get('delivery')).toContain('functions/delivery/sqs-visibility.ts');
  });

  it('no bundle carries @aws-sdk/client-sqs or @aws-sdk/client-eventbridge', () => {
    expect(inputs.size).toBe(FUNCTION_NAMES.length);
    for (const [name, files] of inputs) {
      expect(
        files.filter((f) => LEFT_OUT.some((library) => f.includes(library))),
        name,
      ).toEqual([]);
    }
  });
});
