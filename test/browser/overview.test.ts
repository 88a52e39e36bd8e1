import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, describe, expect, onTestFinished } from 'vitest';
import { createAdminStore } from '../../admin/operator-store.ts';
import { createDynamoClient } from '../../functions/shared/dynamo-client.ts';
import { mintDemoToken } from '../../local/demo.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { sendReport } from '../../reporter/transport.ts';
import { chromiumAvailability, launchChromium } from '../support/chromium.ts';
import { faultProxyFixtures } from '../support/fault-proxy.ts';

/**
 * The status page's overview (DESIGN.md section 14) in a real Chromium against the local
 * runtime and its real GET /me and GET /workspace/{workspaceId}/buckets: a token with no
 * `#bucket` lists the user's workspaces and their buckets, each linking to its own page; hash
 * changes move between the overview and a bucket both ways. The engine sits behind a fault
 * proxy so that "engine down" (503) is real.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = join(ROOT, 'docs', 'overview.png');
const it = faultProxyFixtures();
const chromium = chromiumAvailability();

let runtime: LocalRuntime;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let origin: string;
const requests: Request[] = [];
/** A second workspace of the demo user, named to sort before the demo's own. */
const second = {
  workspaceId: `ov-ws-${randomUUID().slice(0, 8)}`,
  name: 'a second workspace',
  online: randomUUID(),
  empty: randomUUID(),
};

async function report(index: number, status: 'ONLINE' | 'OFFLINE') {
  const node = runtime.demo.nodes[index];
  if (node === undefined) throw new Error(`no demo node ${index}`);
  await sendReport({
    apiUrl: runtime.apiUrl,
    nodeId: node.nodeId,
    privateKey: node.privateKey,
    body: {
      ip: `198.51.100.${41 + index}`,
      region: 'eu-west-1',
      version: '1.4.2',
      buckets: [{ bucketId: runtime.demo.bucketId, status }],
    },
  });
}

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

const tokenFor = (userId: string) => mintDemoToken({ userId, jwtSecret: runtime.demo.jwtSecret });

const overviewUrl = (token: string) => `${runtime.apiUrl}/#token=${encodeURIComponent(token)}`;

async function openPage(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request));
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(url);
  return page;
}

const rowOf = (page: Page, bucketId: string) =>
  page.locator(`.bucket-row[data-bucket="${bucketId}"]`);

describe.skipIf(!chromium.available)('the overview in Chromium', () => {
  it.beforeAll(async ({ proxy }) => {
    runtime = await startLocalRuntime({
      env: {
        DYNAMODB_ENDPOINT: proxy.endpoint,
        TABLE_NAME: `overview-${randomUUID().slice(0, 8)}`,
        NODE_MIN_REPORT_INTERVAL_MS: '0',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
      port: 0,
      simulateNodes: false,
      log: () => undefined,
    });
    origin = new URL(runtime.apiUrl).origin;
    await report(0, 'ONLINE');
    await report(1, 'ONLINE');
    await report(2, 'OFFLINE');
    // A second workspace the demo user reads: one bucket with an ONLINE node, one with none.
    const nodeId = `ov-node-${randomUUID().slice(0, 8)}`;
    const privateKey = await withStore(async (store) => {
      await store.createWorkspace({
        workspaceId: second.workspaceId,
        orgId: runtime.demo.orgId,
        name: second.name,
      });
      await store.grant({
        userId: runtime.demo.userId,
        workspaceId: second.workspaceId,
        role: 'READ',
      });
      for (const [bucketId, name] of [
        [second.online, 'bucket one'],
        [second.empty, 'bucket two'],
      ] as const) {
        await store.createBucket({
          bucketId,
          workspaceId: second.workspaceId,
          orgId: runtime.demo.orgId,
          name,
        });
      }
      const registered = await store.registerNode({ nodeId, orgId: runtime.demo.orgId });
      await store.assignNode({ bucketId: second.online, nodeId });
      return registered.privateKey as string;
    });
    await sendReport({
      apiUrl: runtime.apiUrl,
      nodeId,
      privateKey,
      body: {
        ip: '198.51.100.90',
        region: 'eu-north-1',
        version: '1.4.2',
        buckets: [{ bucketId: second.online, status: 'ONLINE' }],
      },
    });
    browser = await launchChromium();
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('a token with no bucket lists the workspaces, then their buckets: verdict as word and icon, counts, since', async () => {
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    await rowOf(page, second.empty).waitFor();
    // The token left the address bar for the tab's session storage.
    expect(page.url()).toBe(`${runtime.apiUrl}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('bucket-status.token'))).toBe(
      runtime.demo.token,
    );
    // Workspaces by name, each with the caller's role.
    expect(await page.locator('.workspace h2').allInnerTexts()).toEqual([
      'a second workspace (read)',
      'demo workspace (read)',
    ]);
    // Buckets by name within their workspace.
    expect(
      await page.locator('.workspace').first().locator('.bucket-link').allInnerTexts(),
    ).toEqual(['bucket one', 'bucket two']);
    // The demo bucket: two of three nodes ONLINE, degraded, since its last change.
    const demo = rowOf(page, runtime.demo.bucketId);
    expect(await demo.locator('.bucket-link').innerText()).toBe('demo bucket');
    const verdict = demo.locator('.verdict-word');
    expect((await verdict.innerText()).trim()).toBe('Degraded');
    expect(await verdict.locator('svg.verdict-icon').count()).toBe(1);
    expect(await demo.locator('.bucket-counts').innerText()).toBe(
      '2 of 3 nodes online, 1 offline, 0 disconnected',
    );
    expect(await demo.locator('.bucket-since').innerText()).toMatch(
      /^since (\d+ (s|min) ago|just now)$/,
    );
    // The other two: operational, and unknown (no node), each in words, colours apart.
    expect((await rowOf(page, second.online).locator('.verdict-word').innerText()).trim()).toBe(
      'Operational',
    );
    expect((await rowOf(page, second.empty).locator('.verdict-word').innerText()).trim()).toBe(
      'Unknown',
    );
    expect(await rowOf(page, second.empty).locator('.bucket-counts').innerText()).toBe(
      '0 of 0 nodes online, 0 offline, 0 disconnected',
    );
    const colours = await page
      .locator('.bucket-row .verdict-word')
      .evaluateAll((els) =>
        els.map((el) => (globalThis as unknown as Dom).getComputedStyle(el).backgroundColor),
      );
    expect(new Set(colours).size).toBe(3);
    expect(await page.locator('.overview-summary').innerText()).toContain(
      '3 buckets in 2 workspaces: 1 degraded, 1 unknown, 1 operational',
    );
    // No token form on the overview.
    expect(await page.locator('form').count()).toBe(0);
    await page.close();
  });

  it('each bucket links to its page, and hash changes move between the two views both ways', async () => {
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    await rowOf(page, runtime.demo.bucketId).locator('.bucket-link').click();
    // The bucket's page: its verdict and nodes, the id in the address bar, the token kept.
    await page.locator('.node').nth(2).waitFor();
    await page.locator('.verdict .verdict-word').waitFor();
    expect(page.url()).toBe(`${runtime.apiUrl}/#bucket=${runtime.demo.bucketId}`);
    expect(await page.locator('.bucket-row').count()).toBe(0);
    // "All buckets" goes back to the overview.
    await page.getByRole('link', { name: 'All buckets' }).click();
    await rowOf(page, second.online).waitFor();
    expect(page.url()).toBe(`${runtime.apiUrl}/`);
    expect(await page.locator('.node').count()).toBe(0);
    // The browser's Back and Forward move between them too.
    await page.goBack();
    await page.locator('.node').nth(2).waitFor();
    expect(await page.locator('.bucket-row').count()).toBe(0);
    await page.goForward();
    await rowOf(page, runtime.demo.bucketId).waitFor();
    expect(await page.locator('.node').count()).toBe(0);
    // A bucket typed into the address bar opens it, the token still in the tab.
    await page.goto(`${runtime.apiUrl}/#bucket=${second.online}`);
    await page.locator('.node', { hasText: '198.51.100.90' }).waitFor();
    expect(await page.locator('.node').count()).toBe(1);
    await page.close();
  });

  it('revalidates with If-None-Match (304 while unchanged) and shows a change within a refresh', async () => {
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    const me = await page.waitForResponse((r) => new URL(r.url()).pathname === '/me');
    expect(me.status()).toBe(304);
    expect(await me.request().headerValue('if-none-match')).toMatch(/^"[\w-]+"$/);
    const buckets = await page.waitForResponse((r) =>
      new URL(r.url()).pathname.endsWith(`/workspace/${runtime.demo.workspaceId}/buckets`),
    );
    expect(buckets.status()).toBe(304);
    expect(await buckets.request().headerValue('if-none-match')).toMatch(/^"[\w-]+"$/);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await report(2, 'ONLINE');
    try {
      await rowOf(page, runtime.demo.bucketId)
        .locator('.verdict-word[data-verdict="OPERATIONAL"]')
        .waitFor({ timeout: 15_000 });
      expect(await rowOf(page, runtime.demo.bucketId).locator('.bucket-counts').innerText()).toBe(
        '3 of 3 nodes online, 0 offline, 0 disconnected',
      );
      expect(navigations).toEqual([]);
    } finally {
      await report(2, 'OFFLINE');
    }
    await page.close();
  }, 30_000);

  it('follows nextCursor when asked to show more buckets', async () => {
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request));
    // Pages of one bucket each, from the real route (the request's limit is narrowed, the
    // answers are the API's own).
    await page.route(/\/workspace\/[^/]+\/buckets/, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set('limit', '1');
      return route.continue({ url: url.href });
    });
    await page.goto(overviewUrl(runtime.demo.token));
    const workspace = page.locator(`.workspace[data-workspace="${second.workspaceId}"]`);
    await workspace.locator('.bucket-row').first().waitFor();
    expect(await workspace.locator('.bucket-link').allInnerTexts()).toEqual(['bucket one']);
    const more = workspace.getByRole('button', { name: 'Show more buckets of a second workspace' });
    await more.focus();
    await page.keyboard.press('Enter');
    await workspace.locator('.bucket-row').nth(1).waitFor();
    expect(await workspace.locator('.bucket-link').allInnerTexts()).toEqual([
      'bucket one',
      'bucket two',
    ]);
    await more.waitFor({ state: 'detached' });
    // The pages stay shown through the next refreshes.
    await page.waitForResponse((r) => r.url().includes('/buckets') && r.url().includes('cursor='));
    expect(await workspace.locator('.bucket-row').count()).toBe(2);
    await page.close();
  });

  it('shows a clear message for 401 with a form; a pasted token with no bucket opens the overview', async () => {
    const page = await openPage(overviewUrl('not-a-token'));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Your token was not accepted');
    expect(await page.getByLabel('Bucket id').inputValue()).toBe('');
    await page.getByLabel('Token', { exact: true }).fill(runtime.demo.token);
    await page.getByRole('button', { name: 'Show status' }).click();
    await rowOf(page, runtime.demo.bucketId).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(page.url()).toBe(`${runtime.apiUrl}/`);
    await page.close();
  });

  it('shows a clear message for 403 (a disabled user)', async () => {
    const userId = `ov-disabled-${randomUUID().slice(0, 8)}`;
    await withStore(async (store) => {
      await store.createUser({ userId, orgId: runtime.demo.orgId, orgRole: 'MEMBER' });
      await store.grant({ userId, workspaceId: runtime.demo.workspaceId, role: 'READ' });
      await store.disableUser(userId);
    });
    const page = await openPage(overviewUrl(await tokenFor(userId)));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('No access to the overview');
    expect(await page.locator('.bucket-row').count()).toBe(0);
    expect(await page.locator('form').count()).toBe(0);
    await page.close();
  });

  it('shows a clear message for 404 (a token whose user does not exist)', async () => {
    const page = await openPage(overviewUrl(await tokenFor(`ov-nobody-${randomUUID()}`)));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('User not found');
    expect(await page.locator('.bucket-row').count()).toBe(0);
    await page.close();
  });

  it('shows a clear message for 503 when the engine is down, and recovers', async ({ proxy }) => {
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    proxy.rules = [{ kind: 'unavailable', times: Number.POSITIVE_INFINITY }];
    try {
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 20_000 });
      expect(await alert.innerText()).toContain('temporarily unavailable');
      // What was read stays on screen under the message.
      expect(await page.locator('.bucket-row').count()).toBe(3);
    } finally {
      proxy.rules = [];
    }
    await page.getByRole('alert').waitFor({ state: 'detached', timeout: 20_000 });
    await page.close();
  }, 60_000);

  it('by keyboard: Tab reaches the first bucket, Enter opens it', async () => {
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    let focused = '';
    for (let press = 0; press < 10 && focused !== 'bucket one'; press++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(
        () => (globalThis as unknown as Dom).document.activeElement?.textContent ?? '',
      );
    }
    expect(focused).toBe('bucket one');
    await page.keyboard.press('Enter');
    await page.locator('.node', { hasText: '198.51.100.90' }).waitFor();
    expect(page.url()).toBe(`${runtime.apiUrl}/#bucket=${second.online}`);
    await page.close();
  });

  it('has no serious or critical axe-core violation', async () => {
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    await rowOf(page, second.empty).waitFor();
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

  it('at 375 px wide has no horizontal scroll, a bucket in maintenance too (and writes the README screenshot)', async () => {
    // An active window on the bucket with no node: its row says Maintenance and until when.
    const window = await withStore((store) =>
      store.addMaintenance(second.empty, {
        start: Date.now(),
        end: Date.now() + 2 * 3_600_000,
        reason: 'rack move',
      }),
    );
    onTestFinished(async () => {
      await withStore((store) => store.endMaintenance(second.empty, window.id));
    });
    const page = await openPage(overviewUrl(runtime.demo.token));
    await rowOf(page, runtime.demo.bucketId).waitFor();
    const inMaintenance = rowOf(page, second.empty);
    await inMaintenance.locator('.verdict-word[data-verdict="MAINTENANCE"]').waitFor();
    expect((await inMaintenance.locator('.verdict-word').innerText()).trim()).toBe('Maintenance');
    expect(await inMaintenance.locator('.bucket-maintenance').innerText()).toMatch(
      /^Maintenance until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: rack move$/,
    );
    await page.screenshot({ path: join(ROOT, '.local', 'overview.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await writeFile(SCREENSHOT, await page.screenshot({ fullPage: true }));
    }
    await page.setViewportSize({ width: 375, height: 800 });
    await rowOf(page, runtime.demo.bucketId).waitFor();
    const widths = (await page.evaluate(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    )) as { scroll: number; client: number };
    expect(widths.client).toBe(375);
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.screenshot({ path: join(ROOT, '.local', 'overview-375.png'), fullPage: true });
    await page.close();
  });

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
  document: { activeElement: { textContent: string | null } | null };
  getComputedStyle(element: unknown): { backgroundColor: string };
}
