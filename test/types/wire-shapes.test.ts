import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPONENTS } from '../../functions/wire/components.ts';
import {
  CLIENT_TYPES_PATH,
  clientTypes,
  OPENAPI_PATH,
  openApiDocument,
} from '../../scripts/wire-shapes.ts';

/**
 * One source per wire shape (functions/wire/): client/types.ts and openapi.yaml's
 * components/schemas are written from it by `npm run wire`. A shape edited without running it
 * fails here.
 */
describe('what follows from the wire shapes', () => {
  it('client/types.ts is what `npm run wire` writes', () => {
    expect(readFileSync(CLIENT_TYPES_PATH, 'utf8')).toBe(clientTypes());
  });

  it("openapi.yaml's components/schemas is what `npm run wire` writes", () => {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    expect(current).toBe(openApiDocument(current));
  });

  it('openapi.yaml publishes every shape, and no schema that is not one', () => {
    const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as {
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.schemas)).toEqual(Object.keys(COMPONENTS));
  });

  it('a stale openapi.yaml is caught (the check can fail)', () => {
    const current = readFileSync(OPENAPI_PATH, 'utf8');
    const stale = current.replace('maxItems: 200', 'maxItems: 201');
    expect(stale).not.toBe(current);
    expect(openApiDocument(stale)).not.toBe(stale);
  });
});
