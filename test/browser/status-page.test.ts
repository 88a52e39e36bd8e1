import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, describe, expect, onTestFinished } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { sendReport } from '../../reporter/transport.ts';
import { chromiumAvailability, launchChromium } from '../support/chromium.ts';
import { faultProxyFixtures } from '../support/fault-proxy.ts';

/**
 * The status page in a real Chromium against the local runtime (its own port, the shared test
 * engine behind a fault proxy so that "engine down" is real). The demo's nodes report through
 * the real reporter transport; nothing in the page is stubbed.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = join(ROOT, 'docs', 'status-page.png');
const it = faultProxyFixtures();
const chromium = chromiumAvailability();
if (!chromium.available) {
  console.warn(`browser tests skipped: ${chromium.reason}`);
}

let runtime: LocalRuntime;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let origin: string;
const requests: Request[] = [];

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

async function report(index: number, status: 'ONLINE' | 'OFFLINE', latency?: number) {
  const node = runtime.demo.nodes[index];
  if (node === undefined) throw new Error(`no demo node ${index}`);
  const sent = await sendReport({
    apiUrl: runtime.apiUrl,
    nodeId: node.nodeId,
    privateKey: node.privateKey,
    body: {
      ip: `198.51.100.${21 + index}`,
      region: REGIONS[index] as string,
      version: '1.4.2',
      buckets: [
        {
          bucketId: runtime.demo.bucketId,
          status,
          ...(latency !== undefined && { latency_ms: latency }),
        },
      ],
    },
  });
  expect(sent.body.accepted).toEqual([runtime.demo.bucketId]);
}

const pageUrl = (bucketId: string, token: string) =>
  `${runtime.apiUrl}/#bucket=${encodeURIComponent(bucketId)}&token=${encodeURIComponent(token)}`;

async function openPage(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request));
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(url);
  return page;
}

/** The operator store on the runtime's table (the admin CLI's writes). */
async function withStore<T>(
  use: (store: ReturnType<typeof createAdminStore>) => Promise<T>,
): Promise<T> {
  const dynamo = createDynamoClient({ endpoint: runtime.dynamoEndpoint });
  try {
    return await use(createAdminStore(dynamo, runtime.tableName));
  } finally {
    dynamo.destroy();
  }
}

const sessionValue = (page: Page, key: string) =>
  page.evaluate(
    (name) =>
      (
        globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
      ).sessionStorage.getItem(name),
    key,
  );

/** The API as the demo workspace's ADMIN (maintenance windows). */
const adminApi = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${runtime.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${runtime.demo.adminToken}`,
      'content-type': 'application/json',
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });

const statusResponse = (page: Page, status?: number) =>
  page.waitForResponse(
    (r) => r.url().includes('/status') && (status === undefined || r.status() === status),
  );

describe.skipIf(!chromium.available)('the status page in Chromium', () => {
  it.beforeAll(async ({ proxy }) => {
    runtime = await startLocalRuntime({
      env: {
        DYNAMODB_ENDPOINT: proxy.endpoint,
        TABLE_NAME: `page-${randomUUID().slice(0, 8)}`,
        NODE_MIN_REPORT_INTERVAL_MS: '0',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      port: 0,
      simulateNodes: false,
      log: () => undefined,
    });
    origin = new URL(runtime.apiUrl).origin;
    await report(0, 'ONLINE', 38);
    await report(1, 'ONLINE', 92);
    await report(2, 'OFFLINE');
    browser = await launchChromium();
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('renders the demo nodes with status words, counts, latency and "s ago"', async () => {
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    const statuses = await page.locator('.node .badge').allInnerTexts();
    expect(statuses.map((s) => s.trim())).toEqual(['ONLINE', 'ONLINE', 'OFFLINE']);
    const text = await page.locator('main').innerText();
    expect(text).toContain('198.51.100.21');
    expect(text).toContain('us-east-1');
    expect(text).toContain('38 ms');
    expect(text).toMatch(/\d+ s ago|just now/);
    expect(await page.locator('.count').allInnerTexts()).toEqual([
      '2 Online',
      '1 Offline',
      '0 Disconnected',
    ]);
    // Status is told by text, not by colour alone: each badge carries its word.
    const colours = await page
      .locator('.node .badge')
      .evaluateAll((els) =>
        els.map((el) => (globalThis as unknown as Dom).getComputedStyle(el).backgroundColor),
      );
    expect(colours[0]).toBe(colours[1]);
    expect(colours[0]).not.toBe(colours[2]);
    await page.close();
  });

  it('leads with the verdict (word, icon, colour), since, availability bars and maintenance, above the nodes', async () => {
    const api = adminApi;
    const bucket = `/bucket/${runtime.demo.bucketId}`;
    const hour = 3_600_000;
    const upcoming = await api(`${bucket}/maintenance`, {
      method: 'POST',
      body: {
        start: new Date(Date.now() + 2 * hour).toISOString(),
        end: new Date(Date.now() + 3 * hour).toISOString(),
        reason: 'disk swap',
      },
    });
    expect(upcoming.status).toBe(201);
    const upcomingId = ((await upcoming.json()) as { id: string }).id;
    try {
      const page = await openPage(runtime.statusPageUrl);
      await page.locator('.node').nth(2).waitFor();
      await page.locator('.verdict-word').waitFor();
      await page.locator('.availability .bar').first().waitFor();
      await page.locator('.maintenance li').first().waitFor();
      // Two of three nodes ONLINE under the default policy: degraded, as a word and an icon.
      const verdict = page.locator('.verdict .verdict-word');
      expect((await verdict.innerText()).trim()).toBe('Degraded');
      expect(await verdict.getAttribute('data-verdict')).toBe('DEGRADED');
      expect(await verdict.locator('svg.verdict-icon').count()).toBe(1);
      const facts = await page.locator('.verdict-facts').innerText();
      expect(facts).toContain('2 of 3 nodes online');
      expect(facts).toMatch(
        /since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC \((\d+ (s|min) ago|just now)\)/,
      );
      // 30 bars, each with its day and figure as its name; the same figures as a table.
      const bars = page.locator('.availability .bar');
      expect(await bars.count()).toBe(30);
      const today = new Date().toISOString().slice(0, 10);
      expect(await bars.last().getAttribute('aria-label')).toMatch(
        new RegExp(`^${today}: \\d+(\\.\\d+)?% available$`),
      );
      expect(await page.locator('.availability .uptime-title').innerText()).toMatch(
        /^30-day availability: (\d+(\.\d+)?%|no data)$/,
      );
      await page.locator('.days-table summary').click();
      const firstRow = await page.locator('.days-table tbody tr').first().innerText();
      expect(firstRow).toMatch(new RegExp(`^${today}\\s+\\d+(\\.\\d+)?%$`));
      expect(await page.locator('.days-table tbody tr').count()).toBe(30);
      // The upcoming window, with its reason.
      const windowText = await page.locator('.maintenance li').first().innerText();
      expect(windowText).toMatch(/^Upcoming: .* UTC to .* UTC \(starts in (1|2) h\): disk swap$/);
      // Verdict, availability and maintenance come before the counts and the nodes.
      const order = await page.evaluate(() =>
        [...(globalThis as unknown as Dom).document.querySelectorAll('main section h2[id]')].map(
          (h) => (h as unknown as { id: string }).id,
        ),
      );
      expect(order.slice(0, 5)).toEqual([
        'verdict-title',
        'availability-title',
        'maintenance-title',
        'summary-title',
        'nodes-title',
      ]);
      // The health is revalidated like the status: If-None-Match, 304 while nothing changed.
      const health = await page.waitForResponse((r) => r.url().endsWith('/health'));
      expect(await health.request().headerValue('if-none-match')).toMatch(/^"[\w-]+"$/);
      expect(health.status()).toBe(304);

      // An active window: the verdict becomes Maintenance within a refresh, the window says Now.
      const active = await api(`${bucket}/maintenance`, {
        method: 'POST',
        body: { start: new Date().toISOString(), end: new Date(Date.now() + hour).toISOString() },
      });
      expect(active.status).toBe(201);
      const activeId = ((await active.json()) as { id: string }).id;
      try {
        await page
          .locator('.verdict .verdict-word[data-verdict="MAINTENANCE"]')
          .waitFor({ timeout: 15_000 });
        expect((await verdict.innerText()).trim()).toBe('Maintenance');
        await page.locator('.maintenance li.window-active').waitFor({ timeout: 15_000 });
        expect(await page.locator('.maintenance li').first().innerText()).toMatch(
          /^Now, until .* UTC \(ends in \d+ min\)$/,
        );
      } finally {
        expect((await api(`${bucket}/maintenance/${activeId}`, { method: 'DELETE' })).status).toBe(
          204,
        );
      }
      await page.close();
    } finally {
      await api(`${bucket}/maintenance/${upcomingId}`, { method: 'DELETE' });
    }
  }, 60_000);

  it('moves the token out of the address bar into sessionStorage', async () => {
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').first().waitFor();
    expect(page.url()).not.toContain('token');
    expect(page.url()).not.toContain(runtime.demo.token);
    expect(page.url()).toBe(`${runtime.apiUrl}/#bucket=${runtime.demo.bucketId}`);
    expect(await page.evaluate(() => sessionStorage.getItem('bucket-status.token'))).toBe(
      runtime.demo.token,
    );
    // A reload keeps working from sessionStorage.
    await page.reload();
    await page.locator('.node').first().waitFor();
    await page.close();
  });

  it('shows a status change within one refresh, without a reload, and revalidates with 304s', async () => {
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    // Nothing changed: the next refresh sends the ETag and gets 304.
    const revalidated = await statusResponse(page);
    expect(revalidated.status()).toBe(304);
    expect(await revalidated.request().headerValue('if-none-match')).toMatch(/^"[\w-]+"$/);
    expect(await page.locator('.node').count()).toBe(3);

    await report(2, 'ONLINE', 140);
    const changed = await statusResponse(page, 200);
    expect(await changed.request().headerValue('if-none-match')).toMatch(/^"[\w-]+"$/);
    await page.waitForFunction(
      // A function, not a string: the page's CSP forbids eval.
      () => (globalThis as unknown as Dom).document.querySelectorAll('.node-online').length === 3,
      undefined,
      { timeout: 2_000 },
    );
    expect((await page.locator('.node .badge').allInnerTexts()).map((s) => s.trim())).toEqual([
      'ONLINE',
      'ONLINE',
      'ONLINE',
    ]);
    expect(navigations).toEqual([]);
    await report(2, 'OFFLINE');
    await page.close();
  });

  it('asks for a token when there is none, and accepts a pasted one', async () => {
    const page = await openPage(`${runtime.apiUrl}/#bucket=${runtime.demo.bucketId}`);
    await page.getByLabel('Token', { exact: true }).waitFor();
    expect(await page.getByLabel('Bucket id').inputValue()).toBe(runtime.demo.bucketId);
    await page.getByLabel('Token', { exact: true }).fill(runtime.demo.token);
    await page.getByRole('button', { name: 'Show status' }).click();
    await page.locator('.node').nth(2).waitFor();
    await page.close();
  });

  it('shows a clear message for 401 with a form to paste a new token', async () => {
    const page = await openPage(pageUrl(runtime.demo.bucketId, 'not-a-token'));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Your token was not accepted');
    await page.getByLabel('Token', { exact: true }).fill(runtime.demo.token);
    await page.getByRole('button', { name: 'Show status' }).click();
    await page.locator('.node').first().waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  for (const [status, bucket, message] of [
    [403, () => runtime.demo.forbiddenBucketId, 'No access to this bucket'],
    [404, () => randomUUID(), 'Bucket not found'],
  ] as const) {
    it(`shows a clear message for ${status}`, async () => {
      const page = await openPage(pageUrl(bucket(), runtime.demo.token));
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toContain(message);
      expect(await page.locator('.node').count()).toBe(0);
      await page.close();
    });
  }

  it('shows a clear message for 503 when the engine is down, and recovers', async ({ proxy }) => {
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').first().waitFor();
    proxy.rules = [{ kind: 'unavailable', times: Number.POSITIVE_INFINITY }];
    try {
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.innerText()).toContain('temporarily unavailable');
    } finally {
      proxy.rules = [];
    }
    await page.getByRole('alert').waitFor({ state: 'detached', timeout: 20_000 });
    await page.close();
  });

  it('hides the uptime and events sections while their routes answer 404, the status part stands', async () => {
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request));
    // A deployment without those routes: API Gateway's own 404 (fault injection, the one mock).
    const missing = {
      status: 404,
      contentType: 'application/json',
      body: '{"message":"Not Found"}',
    };
    await page.route(/\/bucket\/[^/]+\/(uptime|events)/, (route) => route.fulfill(missing));
    await page.goto(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    await statusResponse(page);
    expect(await page.locator('.uptime').count()).toBe(0);
    expect(await page.locator('.events').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it("by keyboard: Tab reaches the bucket's availability bars, then a node's uptime bars, each showing the day's percentage", async () => {
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node .uptime').nth(2).waitFor();
    await page.locator('.availability .bar').first().waitFor();
    expect(await page.locator('.node').first().locator('.bar').count()).toBe(30);
    const today = new Date().toISOString().slice(0, 10);
    /** Where the focused bar is: 'availability', 'node' or '' (not a bar). */
    const focusedBar = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as Dom).document.activeElement;
        if (el === null || !el.className.split(' ').includes('bar')) return '';
        return el.closest('.node') !== null
          ? 'node'
          : el.closest('.availability') !== null
            ? 'availability'
            : 'other';
      });
    let focused = '';
    for (let press = 0; press < 20 && focused === ''; press++) {
      await page.keyboard.press('Tab');
      focused = await focusedBar();
    }
    // The bucket's bars come first: today's availability, as the detail line says.
    expect(focused).toBe('availability');
    expect(await page.locator('.availability .uptime-detail').innerText()).toMatch(
      new RegExp(`^${today}: \\d+(\\.\\d+)?% available$`),
    );
    // One tab stop for the bars, then the table's disclosure, then the first node's bars.
    await page.keyboard.press('Tab');
    expect(await focusedBar()).toBe('');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as Dom).document.activeElement?.tagName ?? '',
      ),
    ).toBe('SUMMARY');
    for (let press = 0; press < 5 && focused !== 'node'; press++) {
      await page.keyboard.press('Tab');
      focused = await focusedBar();
    }
    expect(focused).toBe('node');
    const detail = page.locator('.node').first().locator('.uptime-detail');
    // The focused bar is today's: the node reported, so the day has a percentage.
    expect(await detail.innerText()).toMatch(new RegExp(`^${today}: \\d+(\\.\\d+)?% uptime`));
    expect(await detail.evaluate((el) => el.className)).not.toContain('idle');
    // Arrow keys move between days; the day before the node's assignment has no data.
    await page.keyboard.press('ArrowLeft');
    expect(await detail.innerText()).toMatch(/^\d{4}-\d{2}-\d{2}: no data$/);
    // Hover shows a day too.
    await page.locator('.node').nth(1).locator('.bar').last().hover();
    expect(await page.locator('.node').nth(1).locator('.uptime-detail').innerText()).toContain(
      `${today}:`,
    );
    await page.close();
  });

  it('has no serious or critical axe-core violation', async () => {
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    // Everything on screen: the verdict, the availability bars and their table, the uptime
    // bars and the events are checked too.
    await page.locator('.node .uptime').nth(2).waitFor();
    await page.locator('.events li').first().waitFor();
    await page.locator('.verdict .verdict-word').waitFor();
    await page.locator('.availability .bar').first().waitFor();
    await page.locator('.days-table summary').click();
    const axeSource = await readFile(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: () => Promise<AxeResult> } }).axe;
      const result = await axe.run();
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
    await page.close();
  });

  it('at 375 px wide has no horizontal scroll (and writes the README screenshots)', async () => {
    // An upcoming maintenance window, so that every section of the bucket view is on screen.
    const created = await adminApi(`/bucket/${runtime.demo.bucketId}/maintenance`, {
      method: 'POST',
      body: {
        start: new Date(Date.now() + 26 * 3_600_000).toISOString(),
        end: new Date(Date.now() + 28 * 3_600_000).toISOString(),
        reason: 'firmware update of the storage nodes',
      },
    });
    expect(created.status).toBe(201);
    const windowId = ((await created.json()) as { id: string }).id;
    onTestFinished(async () => {
      await adminApi(`/bucket/${runtime.demo.bucketId}/maintenance/${windowId}`, {
        method: 'DELETE',
      });
    });
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    await page.locator('.node .uptime').nth(2).waitFor();
    await page.locator('.events li').first().waitFor();
    await page.locator('.verdict .verdict-word').waitFor();
    await page.locator('.availability .bar').first().waitFor();
    await page.locator('.maintenance li').first().waitFor();
    await page.screenshot({ path: join(ROOT, '.local', 'status-page.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));
    }
    await page.setViewportSize({ width: 375, height: 800 });
    await page.locator('.node').first().waitFor();
    const widths = (await page.evaluate(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    )) as { scroll: number; client: number };
    expect(widths.client).toBe(375);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.screenshot({ path: join(ROOT, '.local', 'status-page-375.png'), fullPage: true });
    await page.close();
  });

  it('takes a second link opened in the same tab: the new bucket, its token stored, the address bar cleared', async () => {
    // A second bucket of the demo workspace, read with the demo admin's token.
    const other = randomUUID();
    const nodeId = `page-other-${randomUUID().slice(0, 8)}`;
    const privateKey = await withStore(async (store) => {
      await store.createBucket({
        bucketId: other,
        workspaceId: runtime.demo.workspaceId,
        orgId: runtime.demo.orgId,
        name: 'a second bucket',
      });
      const registered = await store.registerNode({ nodeId, orgId: runtime.demo.orgId });
      await store.assignNode({ bucketId: other, nodeId });
      return registered.privateKey as string;
    });
    await sendReport({
      apiUrl: runtime.apiUrl,
      nodeId,
      privateKey,
      body: {
        ip: '198.51.100.99',
        region: 'eu-north-1',
        version: '1.4.2',
        buckets: [{ bucketId: other, status: 'ONLINE' }],
      },
    });

    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    await page.goto(pageUrl(other, runtime.demo.adminToken));
    await page.locator('.bucket code', { hasText: other }).waitFor();
    await page.locator('.node', { hasText: '198.51.100.99' }).waitFor();
    expect(await page.locator('.node').count()).toBe(1);
    expect(page.url()).toBe(`${runtime.apiUrl}/#bucket=${other}`);
    expect(await sessionValue(page, 'bucket-status.token')).toBe(runtime.demo.adminToken);
    expect(await sessionValue(page, 'bucket-status.bucket')).toBe(other);

    // A share link in the same tab is taken and kept too (an unknown one opens nothing).
    await page.goto(`${runtime.apiUrl}/#share=bss_${'A'.repeat(43)}`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('This shared link does not open anything');
    expect(page.url()).toBe(`${runtime.apiUrl}/`);
    expect(await sessionValue(page, 'bucket-status.share')).toBe(`bss_${'A'.repeat(43)}`);
    expect(await page.locator('.node').count()).toBe(0);

    // Forgetting the share link goes back to the bucket and token kept in the tab.
    await page.getByRole('button', { name: 'Forget link' }).click();
    await page.locator('.node', { hasText: '198.51.100.99' }).waitFor();
    expect(await sessionValue(page, 'bucket-status.share')).toBe(null);

    // And a bucket link after it shows that bucket again.
    await page.goto(runtime.statusPageUrl);
    await page.locator('.node').nth(2).waitFor();
    expect(page.url()).toBe(`${runtime.apiUrl}/#bucket=${runtime.demo.bucketId}`);
    expect(await sessionValue(page, 'bucket-status.token')).toBe(runtime.demo.token);
    expect(await sessionValue(page, 'bucket-status.share')).toBe(null);
    await page.close();
  });

  it('says a malformed bucket id is malformed, sends nothing for it and does not retry', async () => {
    const page = await openPage(
      `${runtime.apiUrl}/#bucket=../../x&token=${encodeURIComponent(runtime.demo.token)}`,
    );
    const sent: string[] = [];
    page.on('request', (request) => sent.push(request.url()));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('The bucket id in this link is malformed');
    expect(text).not.toContain('Cannot reach the API');
    expect(text).not.toContain('keeps trying');
    expect(page.url()).not.toContain('token');
    // The form to correct it, the id as given.
    expect(await page.getByLabel('Bucket id').inputValue()).toBe('../../x');
    expect(sent.filter((url) => new URL(url).pathname.startsWith('/bucket/'))).toEqual([]);
    await page.close();
  });

  it('pairs each node with its own uptime bars when a node is assigned while the page is open', async () => {
    await report(0, 'ONLINE', 38);
    const page = await openPage(runtime.statusPageUrl);
    await page.locator('.uptime').nth(2).waitFor();
    // A node that never reports, whose id sorts before every demo node's.
    const nodeId = `0-page-first-${randomUUID().slice(0, 8)}`;
    await withStore(async (store) => {
      await store.registerNode({ nodeId, orgId: runtime.demo.orgId });
      await store.assignNode({ bucketId: runtime.demo.bucketId, nodeId });
    });
    try {
      await page.locator('.node').nth(3).waitFor({ timeout: 15_000 });
      // One more refresh: whatever the page reads after seeing the new node is on screen.
      await statusResponse(page);
      await statusResponse(page);
      const rows = page.locator('.node');
      expect(await rows.first().locator('.node-ip').innerText()).toBe('node 1');
      // Its own bars, if any, say it was never up; the bars of an ONLINE node must not show.
      const barsOfFirst = await rows
        .first()
        .locator('.bar')
        .evaluateAll((bars) =>
          bars.map((bar) => (bar as unknown as { ariaLabel: string }).ariaLabel),
        );
      for (const label of barsOfFirst) expect(label).toMatch(/: (0% uptime|no data)$/);
      for (const index of [1, 2, 3]) {
        expect(await rows.nth(index).locator('.bar').count()).toBe(30);
      }
    } finally {
      await withStore((store) => store.unassignNode({ bucketId: runtime.demo.bucketId, nodeId }));
      await page.close();
    }
  }, 60_000);

  it('sent every request to the page origin only (the API is on it locally)', () => {
    expect(requests.length).toBeGreaterThan(10);
    const elsewhere = requests.map((r) => r.url()).filter((url) => new URL(url).origin !== origin);
    expect(elsewhere).toEqual([]);
  });
});

interface AxeResult {
  violations: { id: string; impact?: string; nodes: { target: string[] }[] }[];
}

/** The page's globals used inside page.evaluate callbacks (the file has no DOM types). */
interface Dom {
  document: {
    querySelectorAll(selector: string): ArrayLike<unknown> & Iterable<unknown>;
    activeElement: { className: string; tagName: string; closest(s: string): unknown } | null;
  };
  getComputedStyle(element: unknown): { backgroundColor: string };
}
