import type { RejectedBucket, ReportedBucket } from './wire.ts';

/**
 * The log format: one line per report, as text (for people) or as one JSON object (for
 * journald and log shippers), and the few lines the command itself writes.
 */

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

export interface ReportLogEvent {
  nodeId: string;
  /** The API answered 200 with its JSON body (some buckets may still be rejected). */
  ok: boolean;
  /** ok, and every bucket of the report accepted. */
  fullyAccepted: boolean;
  attempts: number;
  /** This report's place in its round (a round of more than 100 buckets has several). */
  part: number;
  parts: number;
  buckets: ReportedBucket[];
  accepted: string[];
  rejected: RejectedBucket[];
  error?: string;
}

export function formatReportLine(event: ReportLogEvent, now = new Date()): string {
  const buckets = event.buckets
    .map(
      (b) => `${b.bucketId}=${b.status}${b.latency_ms === undefined ? '' : `/${b.latency_ms}ms`}`,
    )
    .join(' ');
  const outcome = event.ok
    ? `accepted ${event.accepted.length}, rejected ${event.rejected.length}` +
      event.rejected.map((r) => ` [${r.bucketId}: ${r.reason}]`).join('')
    : `FAILED: ${event.error}`;
  const attempts = event.attempts > 1 ? ` after ${event.attempts} attempts` : '';
  const part = event.parts > 1 ? ` (report ${event.part}/${event.parts})` : '';
  return `${now.toISOString()} node ${event.nodeId}${part}: ${outcome}${attempts} | ${buckets}`;
}

/** One JSON object, no newline inside: `level` is info, warning (some rejected) or error. */
export function formatReportJson(event: ReportLogEvent, now = new Date()): string {
  return JSON.stringify({
    time: now.toISOString(),
    level: !event.ok ? 'error' : event.fullyAccepted ? 'info' : 'warning',
    msg: event.ok
      ? `accepted ${event.accepted.length}, rejected ${event.rejected.length}`
      : `FAILED: ${event.error}`,
    nodeId: event.nodeId,
    ok: event.ok,
    fullyAccepted: event.fullyAccepted,
    attempts: event.attempts,
    part: event.part,
    parts: event.parts,
    accepted: event.accepted,
    rejected: event.rejected,
    buckets: event.buckets,
    ...(event.error !== undefined && { error: event.error }),
  });
}

export interface CommandLog {
  report(event: ReportLogEvent): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Text: info on stdout as is, warnings and errors on stderr prefixed "reporter: ". */
export function createCommandLog(
  format: LogFormat,
  out: (line: string) => void,
  err: (line: string) => void,
  clock: () => Date = () => new Date(),
): CommandLog {
  if (format === 'text') {
    return {
      report: (event) => out(formatReportLine(event, clock())),
      info: (message) => out(message),
      warn: (message) => err(`reporter: warning: ${message}`),
      error: (message) => err(`reporter: ${message}`),
    };
  }
  const line = (level: string, msg: string, fields: Record<string, unknown> = {}) =>
    JSON.stringify({ time: clock().toISOString(), level, msg, ...fields });
  return {
    report: (event) => out(formatReportJson(event, clock())),
    info: (message, fields) => out(line('info', message, fields)),
    warn: (message) => err(line('warning', message)),
    error: (message) => err(line('error', message)),
  };
}
