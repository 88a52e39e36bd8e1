// The reporter command: `npm run reporter -- ...` from a clone, or the bundled single file
// `node bucket-status-reporter.mjs ...` on a bridge node (see REPORTER_HELP in help.ts).
import { KeyFileUnreadableError } from './key-file.ts';
import { type CommandLog, createCommandLog, type LogFormat } from './log-format.ts';
import {
  parseFlags,
  parseReporterArgs,
  REPORTER_HELP,
  type ReporterCliOptions,
  readConfigFile,
  readPrivateKeyFile,
  UsageError,
} from './options.ts';
import { createHeadProbe } from './probe.ts';
import { createReporter, probeBuckets, splitIntoReports } from './reporter.ts';
import { signReportRequest } from './transport.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** --dry-run: probe, build and sign each report of one round; print the requests, send none. */
async function dryRun(options: ReporterCliOptions, privateKey: string, log: CommandLog) {
  const probe = createHeadProbe(options.probeTimeoutMs);
  const parts = splitIntoReports(options.buckets);
  for (const [index, part] of parts.entries()) {
    const buckets = await probeBuckets(part, probe, new AbortController().signal);
    const request = signReportRequest(options.apiUrl, options.nodeId, privateKey, {
      ...options.identity,
      buckets,
    });
    const what = `dry run: report ${index + 1}/${parts.length}, not sent`;
    if (options.logFormat === 'json') {
      log.info(what, { method: 'POST', ...request, url: request.url.href });
    } else {
      out(`# ${what}`);
      out(`POST ${request.url.href}`);
      for (const [name, value] of Object.entries(request.headers)) out(`${name}: ${value}`);
      out('');
      out(request.body);
    }
  }
  return 0;
}

async function main(format: { value: LogFormat }): Promise<number> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(REPORTER_HELP);
    return 0;
  }
  const config = typeof flags.config === 'string' ? await readConfigFile(flags.config) : {};
  const parsed = parseReporterArgs(argv, process.env, config);
  if (parsed.help) return 0;
  const { options } = parsed;
  format.value = options.logFormat;
  const log = createCommandLog(options.logFormat, out, err);
  const privateKey = await readPrivateKeyFile(options.keyFile);
  if (options.dryRun) return dryRun(options, privateKey, log);

  const reporter = createReporter({
    apiUrl: options.apiUrl,
    nodeId: options.nodeId,
    privateKey,
    buckets: options.buckets,
    identity: options.identity,
    intervalMs: options.intervalMs,
    probeTimeoutMs: options.probeTimeoutMs,
    minReportIntervalMs: options.minReportIntervalMs,
    log: (_line, event) => log.report(event),
  });

  if (options.once) {
    // One round, same probe and retry path as the loop: start, wait for it, stop.
    const round = await reporter.start();
    await reporter.stop();
    return round.ok ? 0 : 1;
  }

  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const count = options.buckets.length;
  log.info(
    `reporting for node ${options.nodeId} to ${options.apiUrl} every ${options.intervalMs / 1000} s ` +
      `(${count} bucket${count === 1 ? '' : 's'})`,
    { nodeId: options.nodeId, api: options.apiUrl, intervalMs: options.intervalMs, buckets: count },
  );
  reporter.start().catch(() => undefined);
  const signal = await stopped;
  await reporter.stop();
  log.info(`stopped on ${signal}`, { signal });
  return 0;
}

const format: { value: LogFormat } = { value: 'text' };
try {
  process.exitCode = await main(format);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  createCommandLog(format.value, out, err).error(message);
  process.exitCode =
    error instanceof UsageError ? 2 : error instanceof KeyFileUnreadableError ? 1 : 1;
}
