/** The CLI's help texts, generated from the command table. */
import { COMMANDS } from './command-table.ts';
import { UsageError } from './usage.ts';

const TABLE_COMMANDS_NOTE =
  'Environment: TABLE_NAME (required), DYNAMODB_ENDPOINT (a local engine instead of AWS).';

export function cliHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = [
    'Usage: npm run admin -- <command> [options]',
    '',
    'Operator commands for the bucket-status table.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(
      ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
    ),
    '',
    TABLE_COMMANDS_NOTE,
    "Run `npm run admin -- <command> --help` for a command's options.",
    'Exit codes: 0 done, 1 the action failed, 2 invalid command, option or setting.',
  ];
  return `${lines.join('\n')}\n`;
}

export function commandHelp(name: string): string {
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  const flags = Object.entries(command.options).map(([option, spec]) => [
    `--${option}${spec.value ? ` ${spec.value}` : ''}`,
    `${spec.required ? '(required) ' : ''}${spec.description}`,
  ]);
  flags.push(['--help, -h', 'show this help']);
  const width = Math.max(...flags.map(([flag]) => (flag as string).length));
  const lines = [
    `Usage: npm run admin -- ${name} [options]`,
    '',
    `${command.summary}.${command.details ? ` ${command.details}` : ''}`,
    '',
    'Options:',
    ...flags.map(([flag, text]) => `  ${(flag as string).padEnd(width)}  ${text}`),
    '',
    name === 'mint-token'
      ? 'Environment: JWT_SECRET (required, >= 32 bytes), JWT_ISSUER, JWT_AUDIENCE.'
      : TABLE_COMMANDS_NOTE,
    '',
    'Examples:',
    ...command.examples.map((example) => `  npm run admin -- ${example}`),
  ];
  return `${lines.join('\n')}\n`;
}
