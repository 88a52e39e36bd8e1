/**
 * The operator CLI's shared vocabulary: exit codes, the usage error, what a command is and
 * what it gets. Exit codes: 0 done, 1 the action failed (row missing or duplicate, DynamoDB
 * unreachable), 2 the invocation is wrong (bad flag, id, role or setting).
 */
import type { AdminStore } from './operator-store.ts';

export type Env = Record<string, string | undefined>;
export interface AdminIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The invocation is wrong: exit 2, and nothing was written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  description: string;
  /** Placeholder in help text; absent for boolean flags. */
  value?: string;
  required?: boolean;
}

export interface CommandContext {
  values: Record<string, string | undefined>;
  env: Env;
  io: AdminIo;
  /** Opens the table lazily: commands that do not need it never read TABLE_NAME. */
  store(): AdminStore;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** More for the command's own --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  run(context: CommandContext): Promise<void>;
}

export const printJson = (io: AdminIo, value: unknown) =>
  io.stdout.write(`${JSON.stringify(value)}\n`);
export const printLine = (io: AdminIo, line: string) => io.stdout.write(`${line}\n`);
