// Every setting is one entry of functions/shared/config.ts SETTINGS (its variables, its
// reader); each function names the keys it reads in its FUNCTIONS entry and their readers in its
// wiring's `settingReaders`, which its Lambda entry reads (functions/shared/lambda-entry.ts).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS } from '../../functions/route-table.ts';
import {
  ConfigError,
  readSettings,
  readStaleAfterSeconds,
  requireTableName,
  SETTINGS,
} from '../../functions/shared/config.ts';
import { readLocalConfig } from '../../local/config.ts';

const ROOT = path.join(import.meta.dirname, '../..');

describe('the settings of each function', () => {
  it.each(FUNCTION_NAMES)(
    '%s: its wiring reads the keys of its table entry, each by the registry reader',
    async (name) => {
      const wiring = (await import(
        pathToFileURL(path.join(ROOT, FUNCTIONS[name].wiring)).href
      )) as {
        settingReaders: Record<string, unknown>;
      };
      expect(Object.keys(wiring.settingReaders)).toEqual([...FUNCTIONS[name].settings]);
      for (const [key, read] of Object.entries(wiring.settingReaders)) {
        expect(read, key).toBe(SETTINGS[key as keyof typeof SETTINGS].read);
      }
    },
  );

  it('readSettings reads each in order; the first bad one throws its own ConfigError', () => {
    const readers = { tableName: requireTableName, staleAfterSeconds: readStaleAfterSeconds };
    expect(readSettings({ TABLE_NAME: 'table' }, readers)).toStrictEqual({
      tableName: 'table',
      staleAfterSeconds: 90,
    });
    const bad = () => readSettings({ STALE_AFTER_SECONDS: '0' }, readers);
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow('TABLE_NAME is required (the DynamoDB table name)');
  });

  it('the local runtime reads every setting of the registry but the delivery queue', () => {
    const local = readLocalConfig({});
    const keys = Object.keys(SETTINGS).filter((key) => key !== 'deliveryQueueUrl');
    for (const key of keys) expect(Object.keys(local), key).toContain(key);
    expect(local).not.toHaveProperty('deliveryQueueUrl');
    expect(local.statusPageUrl).toBeUndefined();
    expect(readLocalConfig({ STATUS_PAGE_URL: 'https://page.example.com' }).statusPageUrl).toBe(
      'https://page.example.com/',
    );
  });
});
