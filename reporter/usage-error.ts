/** An invalid invocation (flags, config file, key file contents): one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
