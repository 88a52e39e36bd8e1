/**
 * A bucket's health as a user observes it, driven and read through the production wiring on
 * the run's engine, next to the reference model (test/support/health-model.ts) of the same
 * facts. One simulated clock serves every part: ingest (signed reports, server receive time),
 * the operator store (create-bucket, assign-node, unassign-node), the management routes (PUT
 * health/policy, POST/DELETE maintenance), the sweep (`wireSweep`) and the status function's
 * reads (GET health, GET health/events, GET uptime, POST stats).
 *
 * Every write a `BucketWorld` makes is also written into its model scenario, and `observe()`
 * reads all four routes at the clock's instant; `expected()` is the model's answer to the same
 * reads (DESIGN.md sections 8, 13 and 15 evaluated straight from the facts).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createAdminStore } from '../../admin/operator-store.ts';
import { healthEventId } from '../../functions/domain/events.ts';
import type { HttpResult } from '../../functions/http/response.ts';
import { wire as wireIngest } from '../../functions/ingest/wiring.ts';
import { wire as wireManagement } from '../../functions/manage/wiring.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { dispatchByRoute } from '../../functions/shared/wiring.ts';
import { wire as wireStatus } from '../../functions/status/wiring.ts';
import { wireSweep } from '../../functions/sweep/wiring.ts';
import { wire as wireWorkspace } from '../../functions/workspace/wiring.ts';
import { createContract } from '../support/openapi-contract.ts';
import { httpApiEvent, ingestEvent, lambdaContext } from './events.ts';
import {
  countsAt,
  type HealthScenario,
  type ModelAssignment,
  type ModelDurations,
  type ModelNode,
  type ModelVerdict,
  modelChanges,
  modelDay,
  modelDayOf,
  modelDaysFrom,
  modelMinOnline,
  modelPercAvailable,
  modelPointAt,
  percentAt,
  verdictAt,
} from './health-model.ts';
import { JWT_TEST_SECRET, reportBody, signed, userToken } from './ingest-fixture.ts';
import { Seeder } from './seed.ts';
import type { TestTable } from './table.ts';
import { testSettings } from './wiring.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const contract = createContract();

export interface HealthApiOptions {
  staleAfterSeconds: number;
  /** Ingest's own client (e.g. through a fault proxy); the table's when absent. */
  ingestClient?: DynamoDBClient;
  /** The user reads' own client (status and workspace functions; e.g. through a proxy that records their requests). */
  statusClient?: DynamoDBClient;
  /** Each response checked against openapi.yaml (default true). */
  checkContract?: boolean;
}

export interface Answer {
  statusCode: number;
  json: Record<string, unknown>;
  headers: Record<string, string>;
}

/** The routes and the sweep on one table, with one clock (`api.now`, set by the caller). */
export function createHealthApi(table: TestTable, options: HealthApiOptions) {
  const staleMs = options.staleAfterSeconds * 1000;
  const checkContract = options.checkContract ?? true;
  const state = { now: 0 };
  const now = () => state.now;
  const settings = testSettings(table.tableName, JWT_TEST_SECRET, {
    nodeMinReportIntervalMs: 0,
    staleAfterSeconds: options.staleAfterSeconds,
  });
  const deps = {
    client: table.client,
    settings,
    logger: createLogger('health-api-test'),
    overrides: { now },
  };
  const http = dispatchByRoute({
    ...wireStatus({ ...deps, client: options.statusClient ?? table.client }).routes,
    ...wireWorkspace({ ...deps, client: options.statusClient ?? table.client }).routes,
    ...wireManagement(deps).routes,
  });
  const ingest = wireIngest({ ...deps, client: options.ingestClient ?? table.client }).routes[
    'POST /node/status'
  ];
  const admin = createAdminStore(table.client, table.tableName, {
    now,
    staleAfterSeconds: options.staleAfterSeconds,
    eventRetentionDays: settings.eventRetentionDays,
    historyRetentionDays: settings.historyRetentionDays,
  });
  const sweepRun = wireSweep({
    client: table.client,
    tableName: table.tableName,
    staleAfterSeconds: options.staleAfterSeconds,
    eventRetentionDays: settings.eventRetentionDays,
    historyRetentionDays: settings.historyRetentionDays,
    logger: createLogger('health-api-test'),
    now,
  });
  const seed = new Seeder(table.client, table.tableName);
  const orgId = `org-${randomUUID().slice(0, 8)}`;
  const workspaceId = `ws-${randomUUID().slice(0, 8)}`;
  const userId = randomUUID();
  let token: Promise<string> | undefined;
  const setUp = (async () => {
    await seed.workspace(workspaceId, { orgId });
    await seed.user(userId, { orgId, orgRole: 'MEMBER' });
    await seed.membership(userId, workspaceId, 'ADMIN');
  })();
  const bearer = async () => {
    await setUp;
    token ??= userToken(userId);
    return `Bearer ${await token}`;
  };

  /** One request to the status or the management function, as API Gateway hands it over. */
  async function request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    routeKey: string,
    path: string,
    pathParameters: Record<string, string>,
    extra: {
      query?: Record<string, string>;
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const body = extra.body === undefined ? undefined : JSON.stringify(extra.body);
    const event: APIGatewayProxyEventV2 = httpApiEvent({
      method: 'GET',
      path,
      routeKey,
      pathParameters,
      headers: {
        authorization: await bearer(),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...extra.headers,
      },
      ...(extra.query && { queryStringParameters: extra.query }),
      ...(body !== undefined && { body }),
    });
    event.requestContext.http.method = method;
    const result = (await http(event, lambdaContext())) as HttpResult;
    const json = result.body ? (JSON.parse(result.body) as Record<string, unknown>) : {};
    if (checkContract) {
      contract.assertResponse({
        method,
        path,
        status: result.statusCode,
        headers: new Headers(result.headers),
        body: result.body ? json : undefined,
      });
    }
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [
        name.toLowerCase(),
        String(value),
      ]),
    );
    return { statusCode: result.statusCode, json, headers };
  }

  const api = {
    staleMs,
    get now() {
      return state.now;
    },
    set now(value: number) {
      state.now = value;
    },
    admin,
    seed,
    request,
    /** One sweep run at the clock's instant (the node step, then the health step). */
    sweep: () => sweepRun(),
    async ingest(nodeId: string, privateKey: string, bucketId: string, status: string) {
      const body = signed(nodeId, privateKey, reportBody([{ bucketId, status }]), state.now);
      const result = (await ingest(
        ingestEvent(body.body, body.headers),
        lambdaContext(),
      )) as HttpResult;
      return { statusCode: result.statusCode, body: result.body };
    },
    /** The workspace every bucket of this API is created in (the caller is its ADMIN). */
    workspaceId,
    /**
     * A bucket created now by create-bucket (its META row, its workspace's listing row and its
     * initial health STATE), named `name` (default: its id).
     */
    async newBucket(name?: string): Promise<BucketWorld> {
      await setUp;
      const bucketId = `b-${randomUUID()}`;
      await admin.createBucket({ bucketId, workspaceId, name: name ?? bucketId });
      return new BucketWorld(api, bucketId, state.now);
    },
  };
  return api;
}

/** What a bucket's world uses of the API. */
export interface WorldApi {
  readonly staleMs: number;
  readonly now: number;
  admin: ReturnType<typeof createAdminStore>;
  seed: Seeder;
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    routeKey: string,
    path: string,
    pathParameters: Record<string, string>,
    extra?: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer>;
  ingest(
    nodeId: string,
    privateKey: string,
    bucketId: string,
    status: string,
  ): Promise<{ statusCode: number; body: string }>;
}

export type HealthApi = ReturnType<typeof createHealthApi>;

/** A window as the world keeps it: its id, and [start, end) as it stands now. */
interface WorldWindow {
  id: string;
  start: number;
  end: number;
  reason?: string | undefined;
  /** An upcoming window deleted: it never counts. */
  removed: boolean;
}

interface WorldNode {
  nodeId: string;
  privateKey: string;
  model: ModelNode;
  /** The open assignment, when assigned. */
  current: ModelAssignment | undefined;
}

/** What GET health, GET health/events, GET uptime and POST stats answer (or should). */
export interface Observed {
  health: Record<string, unknown>;
  events: Record<string, unknown>[];
  uptime: Record<string, unknown>[];
  stats: Record<string, unknown> | undefined;
}

/** One bucket: its writes go through the API and into the model scenario. */
export class BucketWorld {
  readonly api: WorldApi;
  readonly bucketId: string;
  readonly createdAt: number;
  readonly nodes: WorldNode[] = [];
  readonly windows: WorldWindow[] = [];
  readonly policies: { at: number; minOnlinePercent: number }[] = [];

  constructor(api: WorldApi, bucketId: string, createdAt: number) {
    this.api = api;
    this.bucketId = bucketId;
    this.createdAt = createdAt;
  }

  /** The facts so far, as the model takes them. */
  scenario(): HealthScenario {
    return {
      createdAt: this.createdAt,
      staleMs: this.api.staleMs,
      nodes: this.nodes.map((n) => n.model),
      policies: this.policies,
      windows: this.windows.filter((w) => !w.removed).map(({ start, end }) => ({ start, end })),
    };
  }

  /** A registered node (not yet assigned to anything). */
  async addNode(): Promise<WorldNode> {
    const nodeId = `n${this.nodes.length}-${randomUUID().slice(0, 8)}`;
    const privateKey = await this.api.seed.node(nodeId);
    const node: WorldNode = {
      nodeId,
      privateKey,
      model: { nodeId, assignments: [] },
      current: undefined,
    };
    this.nodes.push(node);
    return node;
  }

  async assign(node: WorldNode): Promise<void> {
    if (node.current !== undefined) throw new Error(`${node.nodeId} is assigned`);
    await this.api.admin.assignNode({ bucketId: this.bucketId, nodeId: node.nodeId });
    node.current = { assignedAt: this.api.now, reports: [] };
    node.model.assignments.push(node.current);
  }

  async unassign(node: WorldNode): Promise<void> {
    if (node.current === undefined) throw new Error(`${node.nodeId} is not assigned`);
    await this.api.admin.unassignNode({ bucketId: this.bucketId, nodeId: node.nodeId });
    node.current.unassignedAt = this.api.now;
    node.current = undefined;
  }

  /** Accepted reports of several nodes, all received at the clock's instant, sent at once. */
  async report(...sent: { node: WorldNode; status: 'ONLINE' | 'OFFLINE' }[]): Promise<void> {
    const answers = await Promise.all(
      sent.map(({ node, status }) =>
        this.api.ingest(node.nodeId, node.privateKey, this.bucketId, status),
      ),
    );
    answers.forEach((answer, i) => {
      if (answer.statusCode !== 200) {
        throw new Error(`report of ${sent[i]?.node.nodeId}: ${answer.statusCode} ${answer.body}`);
      }
    });
    for (const { node, status } of sent) {
      if (node.current === undefined) throw new Error(`${node.nodeId} is not assigned`);
      node.current.reports.push({ at: this.api.now, status });
    }
  }

  /**
   * A report sent while its event writes fail: with changes to record, its row lands but its
   * events stay pending on the row for the node's next report or the sweep (ingest answers
   * 503); with none, a plain 200. Either way an accepted report, so a fact. True when pending.
   */
  async reportWithEventsPending(node: WorldNode, status: 'ONLINE' | 'OFFLINE'): Promise<boolean> {
    const answer = await this.api.ingest(node.nodeId, node.privateKey, this.bucketId, status);
    if (answer.statusCode !== 503 && answer.statusCode !== 200) {
      throw new Error(`report of ${node.nodeId}: ${answer.statusCode} ${answer.body}`);
    }
    if (node.current === undefined) throw new Error(`${node.nodeId} is not assigned`);
    node.current.reports.push({ at: this.api.now, status });
    return answer.statusCode === 503;
  }

  async setPolicy(minOnlinePercent: number): Promise<void> {
    const answer = await this.api.request(
      'PUT',
      'PUT /bucket/{bucketId}/health/policy',
      `/bucket/${this.bucketId}/health/policy`,
      { bucketId: this.bucketId },
      { body: { minOnlinePercent } },
    );
    if (answer.statusCode !== 200) throw new Error(`PUT policy: ${JSON.stringify(answer)}`);
    this.policies.push({ at: this.api.now, minOnlinePercent });
  }

  /** POST maintenance; the window's id (the route's validation is its own tests'). */
  async addWindow(start: number, end: number, reason?: string): Promise<string> {
    const answer = await this.api.request(
      'POST',
      'POST /bucket/{bucketId}/maintenance',
      `/bucket/${this.bucketId}/maintenance`,
      { bucketId: this.bucketId },
      { body: { start: iso(start), end: iso(end), ...(reason !== undefined && { reason }) } },
    );
    if (answer.statusCode !== 201) throw new Error(`POST maintenance: ${JSON.stringify(answer)}`);
    const id = answer.json.id as string;
    this.windows.push({ id, start, end, reason, removed: false });
    return id;
  }

  /**
   * DELETE maintenance: an upcoming window is removed (204), an active one ends now (204), an
   * ended one is a 409. Returns the status code, after checking it is the one section 15 gives.
   */
  async deleteWindow(id: string): Promise<number> {
    const window = this.windows.find((w) => w.id === id && !w.removed);
    if (window === undefined) throw new Error(`no window ${id}`);
    const t = this.api.now;
    const expected = window.end <= t ? 409 : 204;
    const answer = await this.api.request(
      'DELETE',
      'DELETE /bucket/{bucketId}/maintenance/{windowId}',
      `/bucket/${this.bucketId}/maintenance/${id}`,
      { bucketId: this.bucketId, windowId: id },
    );
    if (answer.statusCode !== expected) {
      throw new Error(`DELETE maintenance ${id} at ${iso(t)}: ${JSON.stringify(answer)}`);
    }
    if (expected === 204) {
      if (window.start > t) window.removed = true;
      else window.end = t;
    }
    return answer.statusCode;
  }

  /** The UTC days from the bucket's creation to now. */
  days(): string[] {
    return modelDaysFrom(this.createdAt, this.api.now);
  }

  /** Every health event, following nextCursor to the end, pages of `limit`. */
  async allHealthEvents(limit?: number): Promise<Record<string, unknown>[]> {
    const events: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const query: Record<string, string> = {};
      if (limit !== undefined) query.limit = String(limit);
      if (cursor !== undefined) query.cursor = cursor;
      const answer = await this.api.request(
        'GET',
        'GET /bucket/{bucketId}/health/events',
        `/bucket/${this.bucketId}/health/events`,
        { bucketId: this.bucketId },
        { query },
      );
      if (answer.statusCode !== 200) throw new Error(`GET health/events: ${answer.statusCode}`);
      events.push(...(answer.json.events as Record<string, unknown>[]));
      cursor = answer.json.nextCursor as string | undefined;
      if (cursor === undefined) return events;
    }
    throw new Error('GET health/events: more than 1000 pages');
  }

  /** The four reads at the clock's instant; stats of `statsDay` when given. */
  async observe(options: { pageSize?: number; statsDay?: string } = {}): Promise<Observed> {
    const bucket = { bucketId: this.bucketId };
    const days = this.days();
    const [health, events, uptime, stats] = await Promise.all([
      this.api.request(
        'GET',
        'GET /bucket/{bucketId}/health',
        `/bucket/${this.bucketId}/health`,
        bucket,
      ),
      this.allHealthEvents(options.pageSize),
      this.api.request(
        'GET',
        'GET /bucket/{bucketId}/uptime',
        `/bucket/${this.bucketId}/uptime`,
        bucket,
        { query: { days: String(days.length) } },
      ),
      options.statsDay === undefined
        ? undefined
        : this.api.request(
            'POST',
            'POST /bucket/{bucketId}/stats',
            `/bucket/${this.bucketId}/stats`,
            bucket,
            { body: { day: options.statsDay } },
          ),
    ]);
    for (const [name, answer] of [
      ['health', health],
      ['uptime', uptime],
      ['stats', stats],
    ] as const) {
      if (answer !== undefined && answer.statusCode !== 200) {
        throw new Error(`${name}: ${answer.statusCode} ${JSON.stringify(answer.json)}`);
      }
    }
    return {
      health: health.json,
      events,
      uptime: (uptime.json.bucket as { days: Record<string, unknown>[] }).days,
      stats: stats?.json.bucket as Record<string, unknown> | undefined,
    };
  }

  /** What the model says the same reads answer at the clock's instant. */
  expected(options: { statsDay?: string } = {}): Observed {
    const s = this.scenario();
    const t = this.api.now;
    const counts = countsAt(s, t);
    let assigned = 0;
    let offline = 0;
    for (const node of this.nodes) {
      if (node.current === undefined) continue;
      assigned++;
      const last = node.current.reports.at(-1);
      if (last?.status === 'OFFLINE' && t < last.at + s.staleMs) offline++;
    }
    const percent = percentAt(s, t);
    const point = modelPointAt(s, t);
    const health: Record<string, unknown> = {
      bucketId: this.bucketId,
      verdict: verdictAt(s, t),
      ...(point.since !== undefined && { since: iso(point.since) }),
      nodes: {
        assigned,
        counted: counts.counted,
        online: counts.online,
        offline,
        disconnected: assigned - counts.online - offline,
      },
      policy: { minOnlinePercent: percent, minOnline: modelMinOnline(counts.counted, percent) },
    };
    const active = this.activeWindows(t);
    if (active.length > 0) {
      const w = active[0] as WorldWindow;
      health.maintenance = {
        id: w.id,
        start: iso(w.start),
        end: iso(w.end),
        ...(w.reason !== undefined && { reason: w.reason }),
      };
    }
    const events = modelChanges(s, s.createdAt, t)
      .reverse()
      .map((c) => ({
        id: healthEventId(this.bucketId, iso(c.at), c.to),
        from: c.from,
        to: c.to,
        at: iso(c.at),
        nodes: { counted: c.counts.counted, online: c.counts.online },
      }));
    const uptime = this.days().map((day) => bucketDayOf(day, modelDay(s, day, t)));
    const stats =
      options.statsDay === undefined
        ? undefined
        : bucketDayOf(options.statsDay, modelDay(s, options.statsDay, t));
    return { health, events, uptime, stats };
  }

  /** The windows active at t, the earliest-starting first (ties: every one of them first). */
  activeWindows(t: number): WorldWindow[] {
    return this.windows
      .filter((w) => !w.removed && w.start <= t && t < w.end)
      .sort((a, b) => a.start - b.start);
  }

  /** The model's verdict at t (for messages). */
  verdictAt(t: number): ModelVerdict {
    return verdictAt(this.scenario(), t);
  }
}

/** A day of `bucket.days` / stats' `bucket` from the model's durations. */
export function bucketDayOf(day: string, d: ModelDurations): Record<string, unknown> {
  return {
    day,
    operational_seconds: d.operationalMs / 1000,
    degraded_seconds: d.degradedMs / 1000,
    partial_outage_seconds: d.partialOutageMs / 1000,
    major_outage_seconds: d.majorOutageMs / 1000,
    maintenance_seconds: d.maintenanceMs / 1000,
    unknown_seconds: d.unknownMs / 1000,
    observed_seconds: d.observedMs / 1000,
    perc_available: modelPercAvailable(d),
  };
}

export { modelDayOf };
