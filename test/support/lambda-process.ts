// A shipped bundle in a fresh Node process, run the way the Lambda Node.js runtime runs it:
// the environment of the function, the working directory at LAMBDA_TASK_ROOT, `_HANDLER`
// resolved to the bundle's export, then one invocation per event with a Lambda context. The
// process stays up between invocations, like a warm execution environment.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const MARKER = '@@invocation-end ';

// Runs inside the child: plain JavaScript, no TypeScript loader, no test framework.
const RUNTIME = `
const MARKER = ${JSON.stringify(MARKER)};
const { pathToFileURL } = await import('node:url');
const path = await import('node:path');
const [file, exportName] = process.env._HANDLER.split('.');
const module = await import(pathToFileURL(path.join(process.env.LAMBDA_TASK_ROOT, file + '.mjs')).href);
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error('_HANDLER ' + process.env._HANDLER + ' is not a function');
process.on('message', async ({ id, event, traceId }) => {
  const started = Date.now();
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: '2026/12/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10000 - (Date.now() - started),
    done() {}, fail() {}, succeed() {},
  };
  // The runtime sets the trace header of each invocation in the environment.
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId; else delete process.env._X_AMZN_TRACE_ID;
  let answer;
  try {
    const result = await handler(event, context);
    answer = { id, result: result === undefined ? null : result };
  } catch (error) {
    answer = { id, error: { name: error?.name, message: String(error?.message ?? error) } };
  }
  // Closes this invocation's stdout lines (stdout and IPC are separate pipes).
  process.stdout.write('\\n' + MARKER + id + '\\n', () => process.send(answer));
});
process.send({ ready: true });
`;

export interface InvocationResult {
  /** What the handler returned (null for undefined). */
  result?: unknown;
  /** What the handler threw, when it threw. */
  error?: { name: string; message: string };
  /** The stdout lines written during this invocation (logs, EMF metrics). */
  stdout: string[];
}

export interface LambdaProcess {
  invoke(event: unknown, options?: { traceId?: string }): Promise<InvocationResult>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** The stdout lines written while the bundle was imported (the init phase). */
  initStdout: string[];
  close(): Promise<void>;
}

/**
 * Starts the bundle in `taskRoot` (its handler file `index.mjs`, export `handler`) with exactly
 * `env` plus what the runtime itself sets. Resolves once the module is imported.
 */
export async function startLambdaProcess(
  taskRoot: string,
  functionName: string,
  env: Record<string, string>,
): Promise<LambdaProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', RUNTIME], {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? '',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDATEST',
      AWS_SECRET_ACCESS_KEY: 'lambda-test-secret',
      AWS_SESSION_TOKEN: 'lambda-test-session',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stdoutBuffer = '';
  let current: string[] = [];
  let stderr = '';
  const ended = new Map<string, () => void>();
  const endedEarly = new Map<string, string[]>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBuffer += chunk.toString('utf8');
    const lines = stdoutBuffer.split('\n');
    stdoutBuffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      if (!line.startsWith(MARKER)) {
        current.push(line);
        continue;
      }
      const id = line.slice(MARKER.length);
      endedEarly.set(id, current);
      current = [];
      ended.get(id)?.();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const pending = new Map<string, (message: InvocationResult) => void>();
  child.on('message', (message: { id?: string } & InvocationResult) => {
    if (message.id === undefined) return;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });

  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    exited.then((code) =>
      reject(new Error(`${functionName} exited with ${code} during init:\n${stderr}`)),
    );
  });
  const initStdout = current;
  current = [];

  return {
    initStdout,
    stderr: () => stderr,
    async invoke(event, options = {}) {
      const id = randomUUID();
      const linesDone = new Promise<void>((resolve) => ended.set(id, resolve));
      const answer = await new Promise<InvocationResult>((resolve, reject) => {
        pending.set(id, resolve);
        child.send({ id, event, traceId: options.traceId });
        exited.then((code) => reject(new Error(`${functionName} exited with ${code}:\n${stderr}`)));
      });
      if (!endedEarly.has(id)) await linesDone;
      const lines = endedEarly.get(id) ?? [];
      endedEarly.delete(id);
      ended.delete(id);
      return { ...answer, stdout: lines };
    },
    async close() {
      child.kill();
      await exited;
    },
  };
}
