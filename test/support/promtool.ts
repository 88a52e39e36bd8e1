import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Prometheus's own checker of the text format, `promtool check metrics` (Debian package
 * `prometheus`). `.ci/run` installs it when missing; elsewhere the tests that run it are skipped,
 * with a message, only when it is absent and CI is not set (as the browser suite does).
 */
export const PROMTOOL_PATH = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

export function promtoolAvailability(): { available: true } | { available: false; reason: string } {
  if (existsSync(PROMTOOL_PATH)) return { available: true };
  const reason = `promtool not found at ${PROMTOOL_PATH} (apt-get install prometheus, or set PROMTOOL_PATH)`;
  if (process.env.CI)
    throw new Error(`${reason}; CI is set, so the metrics check fails instead of skipping`);
  return { available: false, reason };
}

/**
 * `promtool check metrics` over the text on its stdin: its exit code and everything it printed
 * (it prints each error and each lint warning, and exits non-zero for either).
 */
export function checkMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL_PATH, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
