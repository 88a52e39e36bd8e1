import { MAX_BUCKETS_PER_NODE, MAX_BUCKETS_PER_REPORT } from '../functions/domain/node-report.ts';
import packageJson from '../package.json' with { type: 'json' };

export const REPORTER_VERSION: string = packageJson.version;
/**
 * A bound on one node's buckets: the server's (a node cannot be assigned more), so more is a
 * usage error rather than reports the server would reject bucket by bucket.
 */
export { MAX_BUCKETS_PER_NODE };

export const REPORTER_HELP = `Usage: bucket-status-reporter --api URL --node-id ID --key-file FILE --bucket ID[=PROBE_URL] ... [options]
       bucket-status-reporter --config /etc/bucket-status/reporter.json [options]
(from a clone: npm run reporter -- ...)

Runs on a bridge node: every interval it probes each bucket's storage (HTTP HEAD on the probe
URL; a response is ONLINE with its latency, a timeout or network error is OFFLINE; a bucket
without a probe URL is reported ONLINE without latency) and sends signed reports to
POST <api>/node/status, at most ${MAX_BUCKETS_PER_REPORT} buckets each (more buckets: several reports per round,
spaced by the API's per-node rate limit). 5xx, 429 and network errors are retried with
exponential backoff and jitter; other 4xx are not. One log line per report. SIGTERM or SIGINT
stops it cleanly.

Options:
  --api URL                 (required) base URL of the API, e.g. https://api.example.com
                            (no user name or password in it)
  --node-id ID              (required) the node's id, as registered
  --key-file FILE           (required) the node's private key: base64 of the raw 32-byte Ed25519
                            seed; refused when its group or others have any access (chmod 600)
  --bucket ID[=PROBE_URL]   (required, repeatable, at most ${MAX_BUCKETS_PER_NODE}) a bucket this node serves
  --interval SECONDS        seconds between rounds (default 30, 1-3600)
  --probe-timeout SECONDS   a probe slower than this is OFFLINE (default 5, at most the interval)
  --min-report-interval SECONDS
                            the API's per-node rate limit (NODE_MIN_REPORT_INTERVAL_MS; default 1)
  --ip ADDRESS              IP reported for the node (default: first non-internal IPv4)
  --region REGION           region reported for the node (default: $AWS_REGION or "local")
  --node-version SEMVER     software version reported (default ${REPORTER_VERSION})
  --log-format text|json    text lines (default) or one JSON object per line
  --config FILE             JSON object of these options, keys as the long flag names without
                            "--" ("bucket": an array); flags given as well override it
  --once                    send one round and exit (0 every bucket accepted, 1 otherwise)
  --dry-run                 probe, build and sign one round, print each request, send nothing
  --help, -h                show this help

Exit codes: 0 stopped, accepted in full (--once) or printed (--dry-run); 1 a report failed or
was not accepted in full (--once), or the key file is unreadable; 2 invalid arguments, config
file or key file.

Example:
  bucket-status-reporter --api https://api.example.com --node-id my-node --key-file my-node.key \\
    --bucket 550e8400-e29b-41d4-a716-446655440000=https://storage.example.com/health --interval 30
`;
