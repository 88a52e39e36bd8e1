/**
 * Every relative link of the project's Markdown (README.md, docs/**, client/README.md) points at
 * a file that exists and, when it names a heading (`file.md#anchor` or `#anchor`), at a heading
 * of that file, with GitHub's anchors. External links (a scheme such as https: or mailto:) are
 * not checked: a test must not depend on the network.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The Markdown files whose links are checked, relative to the repository root. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
  return ['README.md', 'client/README.md', ...docs].sort();
}

/** The text outside fenced code blocks and inline code, where links and headings are read. */
function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (fence === marker) fence = undefined;
      lines.push('');
      continue;
    }
    lines.push(fence === undefined ? line : '');
  }
  return lines;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, -1, -2 on repeats. */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The inline links and images of a Markdown text: `[text](target)`, `![alt](target)`. */
function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      targets.push(match[1] as string);
    }
  }
  return targets;
}

/**
 * The links of `file` (relative to `root`) that do not resolve: a missing file, or an anchor
 * that no heading of the target Markdown file has. Each as `file: target (why)`.
 */
function brokenLinks(root: string, file: string, text: string): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const hash = target.indexOf('#');
    const path = decodeURI(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved = path === '' ? join(root, file) : resolve(root, dirname(file), path);
    if (relative(root, resolved).startsWith('..') || !existsSync(resolved)) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      broken.push(`${file}: ${target} (an anchor into a file that is not Markdown)`);
      continue;
    }
    const anchors = headingAnchors(path === '' ? text : readFileSync(resolved, 'utf8'));
    if (!anchors.has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
  }
  return broken;
}

describe('links in the Markdown docs', () => {
  it('reads GitHub heading anchors and inline links, outside code', () => {
    const text = [
      '# Budgets and latest figures',
      '## The page (`page` in `.local/bench.json`)',
      '## Rows',
      '## Rows',
      '```',
      '## Not a heading [x](nowhere.md)',
      '```',
      'See [a](docs/a.md#rows-1), ![img](b.png) and `[code](c.md)`.',
    ].join('\n');
    expect([...headingAnchors(text)]).toEqual([
      'budgets-and-latest-figures',
      'the-page-page-in-localbenchjson',
      'rows',
      'rows-1',
    ]);
    expect(linkTargets(text)).toEqual(['docs/a.md#rows-1', 'b.png']);
  });

  it('reports a missing file, a missing heading and a link out of the repository', () => {
    const text = [
      '# Here',
      '[ok](README.md) [ok](#here) [ok](docs/PERFORMANCE.md#known-gaps-and-limits)',
      '[gone](docs/GONE.md) [bad anchor](#there) [bad](docs/PERFORMANCE.md#no-such-heading)',
      '[out](../outside.md) [web](https://example.com/x.md)',
    ].join('\n');
    expect(brokenLinks(ROOT, 'README.md', text)).toEqual([
      'README.md: docs/GONE.md (no such file)',
      'README.md: #there (no such heading)',
      'README.md: docs/PERFORMANCE.md#no-such-heading (no such heading)',
      'README.md: ../outside.md (no such file)',
    ]);
  });

  for (const file of markdownFiles()) {
    it(`${file}: every relative link resolves`, () => {
      expect(brokenLinks(ROOT, file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
    });
  }
});
