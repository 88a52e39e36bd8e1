// `npm ci` installs anywhere (DESIGN.md section 12, "Installing"): npm refuses a lockfile entry
// restricted to another OS or CPU unless the entry is optional, so every package with `os` or
// `cpu` in package-lock.json must be `optional: true`. And the npm scripts run on the Node 24
// of node_modules/.bin wherever a Node 24 binary package exists for the platform.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  os?: string | string[];
  cpu?: string | string[];
  optional?: boolean;
  dev?: boolean;
  bin?: Record<string, string>;
}

interface PackageJson {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readJson = <T>(file: string): T =>
  JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as T;

const lock = readJson<{ lockfileVersion: number; packages: Record<string, LockEntry> }>(
  'package-lock.json',
);
const manifest = readJson<PackageJson>('package.json');

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** npm's rule for `os`/`cpu`: absent allows all; `!x` excludes x; otherwise the value must be listed. */
function allows(field: string | string[] | undefined, value: string): boolean {
  const list = asList(field);
  if (list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((item) => !item.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

const installed = Object.entries(lock.packages).filter(([key]) => key !== '');
const restricted = installed.filter(
  ([, entry]) => entry.os !== undefined || entry.cpu !== undefined,
);

/** The platforms section 12 names, as Node spells them (process.platform, process.arch). */
const PLATFORMS = [
  { os: 'linux', cpu: 'x64' },
  { os: 'linux', cpu: 'arm64' },
  { os: 'darwin', cpu: 'x64' },
  { os: 'darwin', cpu: 'arm64' },
  { os: 'win32', cpu: 'x64' },
] as const;

describe('package-lock.json installs on every platform', () => {
  it('is a lockfile npm ci reads with per-path entries (lockfileVersion 3)', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(restricted.length).toBeGreaterThan(0);
  });

  it('marks every package restricted by os or cpu optional', () => {
    const plain = restricted
      .filter(([, entry]) => entry.optional !== true)
      .map(
        ([key, entry]) =>
          `${key}@${entry.version} (os ${asList(entry.os)}, cpu ${asList(entry.cpu)})`,
      );
    expect(plain).toEqual([]);
  });

  it('lists no platform-restricted package as a plain dependency or devDependency', () => {
    const plainNames = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}),
    ]);
    const offenders = restricted
      .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length))
      .filter((name) => plainNames.has(name));
    expect(offenders).toEqual([]);
  });

  it.each(PLATFORMS)('gives $os $cpu a Node 24 binary for the npm scripts', ({ os, cpu }) => {
    const required = manifest.engines?.node ?? '';
    expect(required).toBe('>=24');
    const binaries = installed
      .filter(([key]) => key.split('node_modules/').length === 2) // top level: node_modules/.bin/node
      .filter(([, entry]) => entry.bin?.node !== undefined)
      .filter(([, entry]) => entry.os !== undefined && entry.cpu !== undefined)
      .filter(([, entry]) => allows(entry.os, os) && allows(entry.cpu, cpu));
    expect(binaries.map(([key, entry]) => `${key}@${entry.version}`)).toHaveLength(1);
    const [key, entry] = binaries[0] ?? ['', {}];
    expect(entry.version?.split('.')[0], key).toBe('24');
    expect(entry.optional, key).toBe(true);
    expect(manifest.optionalDependencies?.[key.slice('node_modules/'.length)], key).toBeDefined();
  });
});

describe('allows (npm os/cpu matching)', () => {
  it('follows npm: absent, listed, negated', () => {
    expect(allows(undefined, 'linux')).toBe(true);
    expect(allows('linux', 'linux')).toBe(true);
    expect(allows('linux', 'darwin')).toBe(false);
    expect(allows(['darwin', 'linux'], 'linux')).toBe(true);
    expect(allows(['!win32'], 'linux')).toBe(true);
    expect(allows(['!win32'], 'win32')).toBe(false);
  });
});
