// `npm run reporter -- ...`: what a real bridge node runs (see REPORTER_HELP in options.ts).
import { parseReporterArgs, REPORTER_HELP, readPrivateKeyFile, UsageError } from './options.ts';
import { createReporter } from './reporter.ts';

async function main(): Promise<number> {
  const parsed = parseReporterArgs(process.argv.slice(2), process.env);
  if (parsed.help) {
    process.stdout.write(REPORTER_HELP);
    return 0;
  }
  const { options } = parsed;
  const privateKey = await readPrivateKeyFile(options.keyFile);
  const reporter = createReporter({
    apiUrl: options.apiUrl,
    nodeId: options.nodeId,
    privateKey,
    buckets: options.buckets,
    identity: options.identity,
    intervalMs: options.intervalMs,
    probeTimeoutMs: options.probeTimeoutMs,
  });

  if (options.once) {
    // One report, same probe and retry path as the loop: start, wait for it, stop.
    const event = await reporter.start();
    await reporter.stop();
    return event.ok ? 0 : 1;
  }

  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  console.log(
    `reporting for node ${options.nodeId} to ${options.apiUrl} every ${options.intervalMs / 1000} s ` +
      `(${options.buckets.length} bucket${options.buckets.length === 1 ? '' : 's'})`,
  );
  reporter.start().catch(() => undefined);
  const signal = await stopped;
  await reporter.stop();
  console.log(`stopped on ${signal}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`reporter: ${message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
