// What each function's routes alone need, checked on the bundles as the stack ships them: the
// functions are split by route so that a cold import parses no module only another function's
// routes use (docs/ARCHITECTURE.md, "Functions and their routes"; docs/PERFORMANCE.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../functions/route-table.ts';
import { bundleEveryFunction, type FunctionBundles } from '../support/function-bundles.ts';

let bundles: FunctionBundles | undefined;
let shipped = new Map<FunctionName, string[]>();

beforeAll(async () => {
  bundles = await bundleEveryFunction('function-split-bundles');
  shipped = bundles.shipped;
}, 120_000);

afterAll(() => bundles?.remove());

const carries = (name: FunctionName, part: string) =>
  (shipped.get(name) ?? []).filter((file) => file.includes(part));

describe('each function bundles only what its routes need', () => {
  it('the webhook URL checks (ipaddr.js) are in webhooks and delivery, not in manage', () => {
    expect(carries('webhooks', '/ipaddr.js/')).not.toEqual([]);
    expect(carries('delivery', '/ipaddr.js/')).not.toEqual([]);
    expect(carries('manage', '/ipaddr.js/')).toEqual([]);
    expect(carries('manage', 'functions/domain/webhook-url.ts')).toEqual([]);
  });

  it("the workspace reads' modules are in workspace, not in status", () => {
    const workspaceOnly = [
      'functions/workspace/',
      'functions/domain/prometheus-text.ts',
      'functions/data/overview-index.ts',
      'functions/data/workspace-overview.ts',
    ];
    for (const part of workspaceOnly) {
      expect(carries('workspace', part), part).not.toEqual([]);
      expect(carries('status', part), part).toEqual([]);
    }
  });

  it("a function that only reads maintenance windows carries none of the store's writes", () => {
    expect(carries('manage', 'functions/data/health-marks.ts')).not.toEqual([]);
    const readers: FunctionName[] = [
      'status',
      'workspace',
      'events',
      'public',
      'badge',
      'fanOut',
      'delivery',
    ];
    for (const name of readers) {
      expect(carries(name, 'functions/data/maintenance-windows.ts'), name).not.toEqual([]);
      expect(carries(name, 'functions/data/health-marks.ts'), name).toEqual([]);
    }
  });
});
