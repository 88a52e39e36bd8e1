import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, ROUTES } from '../../functions/route-table.ts';
import { describeFunction } from '../../infra/bucket-status-stack.ts';

describe('function descriptions', () => {
  it("fit Lambda's 256 characters, whatever the routes, and name what the function does", () => {
    for (const name of FUNCTION_NAMES) {
      const text = describeFunction('a-long-stage-name-x', name);
      expect(text.length).toBeLessThanOrEqual(256);
      expect(text.startsWith('bucket-status a-long-stage-name-x: ')).toBe(true);
      const routes = ROUTES.filter((r) => r.function === name);
      // A function whose routes fit is described by them; one whose routes do not, by its spec.
      if (FUNCTIONS[name].kind !== 'http') expect(text).toContain(FUNCTIONS[name].description);
      else if (!text.includes('routes)')) {
        for (const r of routes) expect(text).toContain(r.path);
      } else expect(text).toContain(`(${routes.length} routes)`);
    }
  });
});
