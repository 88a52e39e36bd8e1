// Domain errors (functions/domain/errors.ts) as the logs show them: the class name, the
// message, and a cause only when there is one.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Unavailable, ValidationError } from '../../functions/domain/errors.ts';

describe('domain errors', () => {
  it('carry their class name and a given cause', () => {
    const cause = new Error('ProvisionedThroughputExceededException');
    const error = new Unavailable('DynamoDB is throttled', 2, { cause });
    expect(String(error)).toBe('Unavailable: DynamoDB is throttled');
    expect(error.cause).toBe(cause);
    expect(inspect(error)).toContain('ProvisionedThroughputExceededException');
  });

  it('have no cause when none is given, not an undefined one', () => {
    for (const error of [new ValidationError('bad id'), new Unavailable('down', 1, {})]) {
      expect('cause' in error).toBe(false);
      expect(inspect(error)).not.toContain('[cause]');
    }
  });
});
