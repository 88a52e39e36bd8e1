/** argv parsing: strict flags, each at most once, every problem a UsageError naming it. */
import { parseArgs } from 'node:util';
import { type Command, UsageError } from './usage.ts';

export const wantsHelp = (args: string[]) => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export function parseCommandArgs(name: string, command: Command, args: string[]) {
  try {
    const { values, tokens } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: Object.fromEntries(
        Object.keys(command.options).map((option) => [option, { type: 'string' as const }]),
      ),
    });
    // A repeated flag would silently take the last value: refuse it.
    const seen = new Set<string>();
    for (const token of tokens) {
      if (token.kind !== 'option') continue;
      if (seen.has(token.name)) {
        throw new UsageError(`--${token.name} is given more than once (see ${name} --help)`);
      }
      seen.add(token.name);
    }
    return values as Record<string, string | undefined>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? 'option';
      throw new UsageError(`unknown option ${option} for ${name} (see ${name} --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
      throw new UsageError(`unexpected argument "${arg}" for ${name} (options take --name VALUE)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const option = /'(--[^ ']+)/.exec(message)?.[1] ?? 'an option';
      throw new UsageError(`${option} needs a value (see ${name} --help)`);
    }
    throw error;
  }
}
