import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * A real HTTP server speaking an AWS JSON-protocol service's side of the wire: it records each
 * request and answers from a queue of replies (then from a default), so adapters built on
 * functions/shared/aws-json-call.ts are tested over the network, not against a stand-in client.
 */
export interface AwsJsonCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The X-Amz-Target's operation (after the dot). */
  operation: string;
  input: Record<string, unknown>;
}

/** What the server does with one request: answer it, drop the connection, or never answer. */
export type AwsJsonReply =
  | { status: number; body: string | Record<string, unknown>; headers?: Record<string, string> }
  | 'drop'
  | 'hang';

export interface AwsJsonServer {
  url: string;
  calls: AwsJsonCall[];
  replies: AwsJsonReply[];
  sockets: Socket[];
  close(): Promise<void>;
}

export async function startAwsJsonServer(
  answer: (call: AwsJsonCall) => AwsJsonReply = () => ({ status: 200, body: {} }),
): Promise<AwsJsonServer> {
  const calls: AwsJsonCall[] = [];
  const replies: AwsJsonReply[] = [];
  const sockets: Socket[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call: AwsJsonCall = {
        method: req.method as string,
        path: req.url as string,
        headers: req.headers,
        body,
        operation: String(req.headers['x-amz-target']).split('.').at(-1) as string,
        input: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>,
      };
      calls.push(call);
      const reply = replies.shift() ?? answer(call);
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') return; // never answered; the client gives up
      res
        .writeHead(reply.status, {
          'content-type': String(req.headers['content-type']),
          'x-amzn-requestid': `request-${calls.length}`,
          ...reply.headers,
        })
        .end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  server.keepAliveTimeout = 600_000;
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    replies,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** SQS's answer to SendMessageBatch: every entry stored, with the MD5 of its body. */
export function sqsStoredAll(call: AwsJsonCall): AwsJsonReply {
  if (call.operation !== 'SendMessageBatch') return { status: 200, body: {} };
  const entries = call.input.Entries as { Id: string; MessageBody: string }[];
  return {
    status: 200,
    body: {
      Successful: entries.map((entry) => ({
        Id: entry.Id,
        MessageId: `message-${entry.Id}`,
        MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
      })),
    },
  };
}

export const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * The service's check: the signature recomputed over the request as received (its signed
 * headers, its body's SHA-256) with the caller's secret key.
 */
export async function signatureHolds(
  call: Pick<AwsJsonCall, 'method' | 'path' | 'headers' | 'body'>,
  secretAccessKey: string,
): Promise<boolean> {
  const authorization = call.headers.authorization as string;
  const [, accessKeyId, , region, service, signedHeaders] = AUTHORIZATION.exec(
    authorization,
  ) as unknown as string[];
  const headers: Record<string, string> = {};
  for (const name of (signedHeaders as string).split(';')) {
    if (name !== 'x-amz-content-sha256') headers[name] = call.headers[name] as string;
  }
  const amzDate = call.headers['x-amz-date'] as string;
  const signingDate = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const verifier = new SignatureV4({
    credentials: { accessKeyId: accessKeyId as string, secretAccessKey },
    region: region as string,
    service: service as string,
    sha256: Sha256,
  });
  const recomputed = await verifier.sign(
    new HttpRequest({
      method: call.method,
      hostname: '127.0.0.1',
      path: call.path,
      headers,
      body: call.body,
    }),
    { signingDate },
  );
  return recomputed.headers.authorization === authorization;
}
