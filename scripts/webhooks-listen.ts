// `npm run webhooks:listen -- --port P --secret whsec_...`: a small webhook receiver that
// verifies each delivery as Standard Webhooks specifies and prints it, so an alert can be
// watched in a second terminal (README, "See an alert").
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { isWellFormedSecret, verifyWebhook } from '../functions/domain/standard-webhooks.ts';

const HELP = `Usage: npm run webhooks:listen -- --secret whsec_... [--port 4000] [--host 127.0.0.1] [--fail N]

Listens on http://HOST:PORT/ for webhook deliveries, verifies each one (webhook-id,
webhook-timestamp within 5 minutes, v1 HMAC-SHA256 signature with the secret), answers 204 to a
verified delivery and 401 to anything else, and prints one line per delivery: node.status_changed
with its node, bucket.health_changed with the bucket's online/counted nodes.

Options:
  --secret S   the webhook's secret, as POST /workspace/{id}/webhooks returned it (or WEBHOOK_SECRET)
  --port N     port to listen on (default 4000; 0 picks a free one)
  --host H     interface (default 127.0.0.1)
  --fail N     answer 500 to the first N verified deliveries, to watch the retries
  --help, -h   show this help
`;

const MAX_BODY_BYTES = 256 * 1024;

function fail(message: string): never {
  process.stderr.write(`webhooks:listen: ${message}\n`);
  process.exit(2);
}

const OPTIONS = {
  secret: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  fail: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCli() {
  try {
    return parseArgs({ args: process.argv.slice(2), strict: true, options: OPTIONS }).values;
  } catch (error) {
    return fail((error as Error).message.split('. ')[0] as string);
  }
}
const values = parseCli();
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const secret = values.secret ?? process.env.WEBHOOK_SECRET;
if (secret === undefined) fail('--secret whsec_... is required (see --help)');
if (!isWellFormedSecret(secret)) fail('--secret must be whsec_ followed by base64 key bytes');
const portText = values.port ?? '4000';
if (!/^\d+$/.test(portText) || Number(portText) > 65_535) fail('--port must be 0-65535');
const failText = values.fail ?? '0';
if (!/^\d+$/.test(failText)) fail('--fail must be a whole number');
let failuresLeft = Number(failText);
const host = values.host ?? '127.0.0.1';

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.writeHead(413).end();
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    if (response.writableEnded) return;
    const body = Buffer.concat(chunks).toString('utf8');
    const verdict = verifyWebhook({ secret, headers: request.headers, body });
    const at = new Date().toISOString();
    if (!verdict.ok) {
      console.log(`${at} REJECTED ${request.method} ${request.url}: ${verdict.reason}`);
      response.writeHead(401, { 'content-type': 'text/plain' }).end('invalid signature\n');
      return;
    }
    let summary = body;
    try {
      const parsed = JSON.parse(body) as {
        type?: string;
        data?: {
          bucketId?: string;
          host?: string;
          from?: string;
          to?: string;
          at?: string;
          nodes?: { counted?: number; online?: number };
        };
      };
      const d = parsed.data ?? {};
      // node.status_changed names its node; bucket.health_changed its counts.
      const subject =
        parsed.type === 'bucket.health_changed'
          ? `health (${d.nodes?.online}/${d.nodes?.counted} online)`
          : `node ${d.host}`;
      summary = `${parsed.type} bucket ${d.bucketId} ${subject}: ${d.from} -> ${d.to} at ${d.at}`;
    } catch {
      // printed raw
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      console.log(`${at} verified ${verdict.messageId} (answering 500 on purpose) ${summary}`);
      response.writeHead(500).end();
      return;
    }
    console.log(`${at} verified ${verdict.messageId} ${summary}`);
    response.writeHead(204).end();
  });
});
server.on('error', (error: NodeJS.ErrnoException) =>
  fail(error.code === 'EADDRINUSE' ? `port ${portText} is already in use` : error.message),
);
server.listen(Number(portText), host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : portText;
  console.log(`listening for webhooks on http://${host}:${port}/ (Ctrl-C to stop)`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
