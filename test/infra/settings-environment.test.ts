// A function's environment follows the settings its FUNCTIONS entry names
// (functions/route-table.ts): the stack sets the variables of those it has a value for, and
// refuses to synthesize a function that reads a setting with neither a stack value nor a default.
import { afterEach, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/route-table.ts';
import { ConfigError, SETTINGS } from '../../functions/shared/config.ts';
import { resourcesOfType, synthesize } from './synth-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tables are changed for one test, then restored
const badge = FUNCTIONS.badge as any;
const badgeSettings = badge.settings;
// biome-ignore lint/suspicious/noExplicitAny: as above
const registry = SETTINGS as any;

afterEach(() => {
  badge.settings = badgeSettings;
  delete registry.required;
});

const variablesOfBadge = (template: ReturnType<typeof synthesize>['template'], id: string) =>
  resourcesOfType(template, 'AWS::Lambda::Function')[id]?.Properties.Environment.Variables;

describe("a function's environment", () => {
  it('gets the variables of a setting its table entry names', { timeout: 180_000 }, () => {
    badge.settings = [...badgeSettings, 'eventsCursorKey'];
    const { stack, template } = synthesize();
    const id = stack.getLogicalId(stack.functions.badge.function.node.defaultChild as never);
    expect(variablesOfBadge(template, id)).toMatchObject({
      EVENTS_CURSOR_SECRET_ARN: {
        Ref: stack.getLogicalId(stack.eventsCursorSecret.node.defaultChild as never),
      },
    });
  });

  it('a setting with no stack value and no default fails the synthesis, naming both', {
    timeout: 180_000,
  }, () => {
    registry.required = {
      variables: ['REQUIRED'],
      read: () => {
        throw new ConfigError('REQUIRED is required', 'REQUIRED');
      },
    };
    badge.settings = [...badgeSettings, 'required'];
    expect(() => synthesize()).toThrow(
      'function badge reads the setting required, which the stack sets no value for: REQUIRED is required',
    );
  });
});
