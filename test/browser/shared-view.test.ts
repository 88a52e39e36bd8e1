import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { sendReport } from '../../reporter/transport.ts';
import { chromiumAvailability, launchChromium } from '../support/chromium.ts';

/**
 * The status page opened on a share link (`#share=<token>`, DESIGN.md section 17) in a real
 * Chromium against the local runtime: the bucket's verdict, nodes (addresses only when the
 * share shows them), availability bars and health changes, labelled as a shared view, with no
 * token prompt, no Authorization header, and the token gone from the address bar.
 */

const chromium = chromiumAvailability();
let runtime: LocalRuntime;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
const requests: Request[] = [];

async function report(index: number, status: 'ONLINE' | 'OFFLINE') {
  const node = runtime.demo.nodes[index];
  if (node === undefined) throw new Error(`no demo node ${index}`);
  await sendReport({
    apiUrl: runtime.apiUrl,
    nodeId: node.nodeId,
    privateKey: node.privateKey,
    body: {
      ip: `198.51.100.${31 + index}`,
      region: 'eu-west-1',
      version: '1.4.2',
      buckets: [{ bucketId: runtime.demo.bucketId, status }],
    },
  });
}

async function createShare(
  showIps: boolean,
): Promise<{ id: string; token: string; pageUrl: string }> {
  const response = await fetch(`${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/shares`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${runtime.demo.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ label: 'browser', showIps }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string; pageUrl: string };
}

async function openPage(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (request) => requests.push(request));
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(url);
  return page;
}

describe.skipIf(!chromium.available)('the shared view in Chromium', () => {
  beforeAll(async () => {
    runtime = await startLocalRuntime({
      env: { NODE_MIN_REPORT_INTERVAL_MS: '0', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      port: 0,
      simulateNodes: false,
      log: () => undefined,
    });
    await report(0, 'ONLINE');
    await report(1, 'ONLINE');
    await report(2, 'OFFLINE');
    browser = await launchChromium();
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
  });

  it('shows the verdict, nodes without addresses, availability and health changes; no prompt', async () => {
    const share = await createShare(false);
    // The page link POST shares answers, as the local runtime serves the page.
    expect(share.pageUrl).toBe(`${runtime.apiUrl}/#share=${share.token}`);
    requests.length = 0;
    const page = await openPage(share.pageUrl);
    await page.locator('.node').nth(2).waitFor();
    await page.locator('.verdict-word').waitFor();
    // Labelled as a shared view of the bucket; no token form, no "Forget token".
    const header = await page.locator('header').innerText();
    expect(header).toContain('Shared view');
    expect(header).toContain(runtime.demo.bucketId);
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Forget token' }).count()).toBe(0);
    // Two of three counted nodes ONLINE under the default policy (50 %): degraded, in words.
    expect((await page.locator('.verdict-word').innerText()).trim()).toBe('Degraded');
    expect(await page.locator('.verdict-word svg.verdict-icon').count()).toBe(1);
    expect(await page.locator('.verdict').innerText()).toContain('2 of 3 nodes online');
    // Nodes with their states, and no address anywhere on the page.
    const statuses = await page.locator('.node .badge').allInnerTexts();
    expect(statuses.map((s) => s.trim()).sort()).toEqual(['OFFLINE', 'ONLINE', 'ONLINE']);
    const main = await page.locator('main').innerText();
    expect(main).not.toMatch(/198\.51\.100\./);
    expect(main).toContain('node 1');
    // The bucket's availability bars (30 days) and the health changes section.
    await page.locator('.availability .bar').first().waitFor();
    expect(await page.locator('.availability .bar').count()).toBe(30);
    await page.locator('#health-events-title').waitFor();
    // The token left the address bar, and no request carried an Authorization header.
    expect(page.url()).toBe(`${runtime.apiUrl}/`);
    const publicRequests = requests.filter((r) => r.url().includes('/public/'));
    expect(publicRequests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      expect(await request.headerValue('authorization')).toBe(null);
      expect(new URL(request.url()).origin).toBe(new URL(runtime.apiUrl).origin);
    }
    await page.close();
  });

  it('shows addresses when the share does', async () => {
    const share = await createShare(true);
    const page = await openPage(share.pageUrl);
    await page.locator('.node', { hasText: '198.51.100.31' }).waitFor();
    expect(await page.locator('.node').count()).toBe(3);
    await page.close();
  });

  it('a revoked link says it opens nothing, and shows no bucket data', async () => {
    const share = await createShare(false);
    const deleted = await fetch(
      `${runtime.apiUrl}/bucket/${runtime.demo.bucketId}/shares/${share.id}`,
      { method: 'DELETE', headers: { authorization: `Bearer ${runtime.demo.adminToken}` } },
    );
    expect(deleted.status).toBe(204);
    const page = await openPage(share.pageUrl);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('This shared link does not open anything');
    expect(await page.locator('.node').count()).toBe(0);
    expect(page.url()).toBe(`${runtime.apiUrl}/`);
    await page.close();
  });
});
