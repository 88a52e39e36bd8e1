// A public GET (DESIGN.md section 17) against the authenticated GET of the same route and
// bucket: the public function's wiring with a share token versus the status function's with a
// bearer token, interleaved, on one bucket. The ratio is the public median over the
// authenticated one; the reads (requests and items returned) of one untimed call of each are
// counted, and a public read must not cost more of them.
import { createShareStore } from '../functions/data/shares.ts';
import { generateShareToken, shareTokenHash } from '../functions/domain/shares.ts';
import { wire as wirePublic } from '../functions/public/wiring.ts';
import type { HttpHandler } from '../functions/shared/wiring.ts';
import { httpApiEvent } from '../test/support/events.ts';
import { type BenchEngine, putRows } from './engine.ts';
import {
  benchStatusWiring,
  countReads,
  freshBucketRows,
  handlerSubject,
  putFreshCheckpoint,
} from './read-setup.ts';
import { type Comparison, compare, interleave } from './stats.ts';

const READER = 'bench-public-reader';
const WORKSPACE = 'bench-public-workspace';
const ORG = 'bench-public-org';

/** The public routes measured, each beside its authenticated twin. */
export const PUBLIC_READ_ROUTES = ['status', 'health'] as const;
export type PublicReadRoute = (typeof PUBLIC_READ_ROUTES)[number];

export interface PublicReadRow extends Comparison {
  route: PublicReadRoute;
  nodes: number;
  /** DynamoDB requests of one public read and of one authenticated read. */
  publicRequests: number;
  authRequests: number;
  /** Items the table returned to one public read and to one authenticated read. */
  publicItems: number;
  authItems: number;
}

export interface PublicReadOptions {
  nodes: number[];
  iterations: number;
  maxMsPerRoute: number;
}

export async function benchPublicRead(
  engine: BenchEngine,
  options: PublicReadOptions,
): Promise<PublicReadRow[]> {
  const { client, tableName } = engine;
  const wired = await benchStatusWiring(client, tableName, {
    userId: READER,
    orgId: ORG,
    workspaceId: WORKSPACE,
  });
  const status = wired.routes as Record<string, HttpHandler>;
  const publicRoutes = wirePublic({ client, settings: wired.settings, logger: wired.logger })
    .routes as Record<string, HttpHandler>;
  const bearer = wired.token;
  const counter = countReads(client);
  const shares = createShareStore(client, tableName);

  const rows: PublicReadRow[] = [];
  for (const nodes of options.nodes) {
    const bucketId = `bench-public-${nodes}`;
    const now = Date.now();
    const meta = { workspaceId: WORKSPACE, orgId: ORG };
    await putRows(client, tableName, freshBucketRows(bucketId, nodes, now, meta));
    await putFreshCheckpoint(client, tableName, bucketId, now, nodes);
    // A share that shows ips: its bodies are the authenticated ones, byte for byte.
    const token = generateShareToken();
    await shares.putShare(bucketId, {
      shareId: `shr_bench_${nodes}`,
      slot: 0,
      label: undefined,
      showIps: true,
      createdAt: new Date(now).toISOString(),
      tokenHash: shareTokenHash(token),
    });

    for (const route of PUBLIC_READ_ROUTES) {
      const authRouteKey = `GET /bucket/{bucketId}/${route}`;
      const publicRouteKey = `GET /public/{token}/${route}`;
      const authEvent = () =>
        httpApiEvent({
          method: 'GET',
          path: `/bucket/${bucketId}/${route}`,
          routeKey: authRouteKey,
          pathParameters: { bucketId },
          headers: { authorization: `Bearer ${bearer}` },
        });
      const publicEvent = () =>
        httpApiEvent({
          method: 'GET',
          path: `/public/${token}/${route}`,
          routeKey: publicRouteKey,
          pathParameters: { token },
        });
      const trial = (handler: HttpHandler | undefined, event: () => unknown, label: string) => {
        if (handler === undefined) throw new Error(`${route}: no handler`);
        const e = event as () => Parameters<HttpHandler>[0];
        return handlerSubject(handler, e, `${label} ${route} of ${nodes} nodes`);
      };
      const publicTrial = trial(publicRoutes[publicRouteKey], publicEvent, 'public');
      const authTrial = trial(status[authRouteKey], authEvent, 'authenticated');
      // One untimed call of each: a 200 with every node, and the reads it made.
      const once = async (prepare: typeof publicTrial) => {
        const t = prepare();
        counter.start();
        await t.run();
        const reads = counter.stop();
        t.check();
        return reads;
      };
      const publicReads = await once(publicTrial);
      const authReads = await once(authTrial);
      const samples = await interleave(publicTrial, authTrial, {
        warmup: 10,
        iterations: options.iterations,
        minIterations: 15,
        maxMs: options.maxMsPerRoute,
      });
      rows.push({
        route,
        nodes,
        publicRequests: publicReads.requests,
        authRequests: authReads.requests,
        publicItems: publicReads.items,
        authItems: authReads.items,
        ...compare(samples),
      });
    }
  }
  return rows;
}
