// The status page and GET status compression: bundle sizes, first render of a
// 100-node bucket in Chromium, gzip of a 10,000-node status body, and (full run) a 50,000-node
// bucket against Lambda's 6 MB response limit.
import { gunzipSync, gzipSync } from 'node:zlib';
import { bucketPk, META_SK, PROFILE_SK, userPk, workspaceSk } from '../functions/data/keys.ts';
import {
  LAMBDA_RESPONSE_LIMIT_BYTES,
  lambdaPayloadBytes,
} from '../functions/http/conditional-get.ts';
import { createDynamoClient } from '../functions/shared/dynamo-client.ts';
import { createLogger } from '../functions/shared/logger.ts';
import { wire as wireStatus } from '../functions/status/wiring.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { chromiumAvailability, launchChromium } from '../test/support/chromium.ts';
import { lambdaContext, statusEvent } from '../test/support/events.ts';
import { testSettings } from '../test/support/wiring.ts';
import { bundleWeb } from '../web/build.ts';
import { type BenchEngine, putRows, type Row, startBenchEngine } from './engine.ts';
import { benchToken, reportedRow } from './read-setup.ts';
import { median } from './stats.ts';

export interface PageRow {
  jsBytesGzip: number;
  cssBytesGzip: number;
  /** Navigation start to 100 node rows on screen, median of `runs` fresh pages. */
  firstRenderMs: number;
  runs: number;
}

export interface GzipRow {
  nodes: number;
  rawBytes: number;
  gzipBytes: number;
  ratio: number;
  /** The Lambda invocation result as JSON (what the 6 MB limit applies to), without and with gzip. */
  lambdaPayloadPlain: number;
  lambdaPayloadGzip: number;
  /** What the API answers a client that does not accept gzip, and one that does. */
  statusPlain: number;
  statusGzip: number;
}

const SECRET = 'bench-page-secret-that-is-at-least-32-bytes!';
const READER = 'bench-page-reader';
const WORKSPACE = 'bench-page-workspace';
const ORG = 'bench-page-org';

const token = (secret: string) => benchToken(READER, { secret, expiresIn: '1h' });

async function seedBucket(
  client: BenchEngine['client'],
  tableName: string,
  bucketId: string,
  nodes: number,
) {
  const lastUpdated = new Date().toISOString();
  const rows: Row[] = [
    { pk: userPk(READER), sk: PROFILE_SK, orgId: ORG, orgRole: 'MEMBER', status: 'ACTIVE' },
    { pk: userPk(READER), sk: workspaceSk(WORKSPACE), role: 'READ' },
    { pk: bucketPk(bucketId), sk: META_SK, workspaceId: WORKSPACE, orgId: ORG, name: bucketId },
  ];
  for (let i = 0; i < nodes; i++) {
    rows.push(reportedRow(bucketId, `node-${String(i).padStart(5, '0')}`, i, lastUpdated));
  }
  await putRows(client, tableName, rows);
}

export const pageBundleSizes = () => {
  const files = bundleWeb();
  const gz = (name: string) => gzipSync(files.get(name) ?? new Uint8Array()).length;
  return { jsBytesGzip: gz('app.js'), cssBytesGzip: gz('app.css') };
};

/** The page section, or a reason it was left out (no Chromium). */
export async function benchPage(options: {
  runs: number;
}): Promise<{ row: PageRow } | { skipped: string }> {
  const chromium = chromiumAvailability();
  if (!chromium.available) return { skipped: chromium.reason };
  const runtime = await startLocalRuntime({
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', JWT_SECRET: SECRET },
    port: 0,
    simulateNodes: false,
    log: () => undefined,
  });
  const browser = await launchChromium();
  try {
    const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
    const bucketId = 'bench-page-bucket';
    await seedBucket(dynamo, runtime.tableName, bucketId, 100);
    dynamo.destroy();
    const url = `${runtime.apiUrl}/#bucket=${bucketId}&token=${await token(SECRET)}`;
    const samples: number[] = [];
    // One warm-up page (the runtime's and Chromium's first request), then the measured runs.
    for (let run = 0; run <= options.runs; run++) {
      const page = await browser.context.newPage();
      await page.goto(url);
      const rendered = await page.waitForFunction(
        // A function, not a string: the page's CSP forbids eval.
        () =>
          (globalThis as unknown as PageGlobals).document.querySelectorAll('.node').length ===
            100 && performance.now(),
        undefined,
        { polling: 'raf', timeout: 20_000 },
      );
      const ms = (await rendered.jsonValue()) as number;
      if (run > 0) samples.push(ms);
      await page.close();
    }
    return {
      row: {
        ...pageBundleSizes(),
        firstRenderMs: Math.round(median(samples)),
        runs: samples.length,
      },
    };
  } finally {
    await browser.close();
    await runtime.stop();
  }
}

/** GET status of an N-node bucket through the real handler, without and with gzip. */
export async function benchGzip(options: { nodes: number[] }): Promise<GzipRow[]> {
  const rows: GzipRow[] = [];
  for (const nodes of options.nodes) {
    const engine = await startBenchEngine({ inProcess: true });
    try {
      const bucketId = `bench-gzip-${nodes}`;
      await seedBucket(engine.client, engine.tableName, bucketId, nodes);
      const handler = wireStatus({
        client: engine.client,
        settings: testSettings(engine.tableName, SECRET, { staleAfterSeconds: 90 }),
        logger: createLogger('bench-gzip'),
      }).routes['GET /bucket/{bucketId}/status'];
      const bearer = `Bearer ${await token(SECRET)}`;
      type Result = {
        statusCode: number;
        headers: Record<string, string>;
        body: string;
        isBase64Encoded?: boolean;
      };
      const get = async (headers: Record<string, string>) =>
        (await handler(
          statusEvent(bucketId, { authorization: bearer, ...headers }),
          lambdaContext(),
        )) as Result;
      const zipped = await get({ 'accept-encoding': 'gzip' });
      const plain = await get({});
      if (zipped.statusCode !== 200 || zipped.isBase64Encoded !== true) {
        throw new Error(`gzip read of ${nodes} nodes answered ${zipped.statusCode}`);
      }
      const compressed = Buffer.from(zipped.body, 'base64');
      const raw = gunzipSync(compressed).toString();
      const count = (JSON.parse(raw) as { nodeStatus: unknown[] }).nodeStatus.length;
      if (count !== nodes) throw new Error(`gzip read returned ${count} of ${nodes} nodes`);
      const rawBytes = Buffer.byteLength(raw);
      rows.push({
        nodes,
        rawBytes,
        gzipBytes: compressed.length,
        ratio: Math.round((compressed.length / rawBytes) * 10_000) / 10_000,
        // The plain answer as Lambda would have to return it, whatever the API answers.
        lambdaPayloadPlain: lambdaPayloadBytes({
          ...zipped,
          headers: plain.headers,
          body: raw,
          isBase64Encoded: false,
        }),
        lambdaPayloadGzip: lambdaPayloadBytes(zipped),
        statusPlain: plain.statusCode,
        statusGzip: zipped.statusCode,
      });
    } finally {
      await engine.stop();
    }
  }
  return rows;
}

export const LAMBDA_LIMIT_BYTES = LAMBDA_RESPONSE_LIMIT_BYTES;

interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
}
