// Fails fast, with a way out, when npm scripts would run on a Node older than 24 (the project
// targets nodejs24.x). Plain JavaScript on purpose: it must run on the old Node it refuses, and
// Node before 22.18 cannot run a .ts file at all.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const local = ['node', 'node.cmd', 'node.exe'].some((name) =>
    existsSync(new URL(`../node_modules/.bin/${name}`, import.meta.url)),
  );
  const lines = [`bucket-status needs Node 24; this is Node ${process.version}.`];
  if (local) {
    lines.push(
      '`npm ci` installed Node 24 in node_modules/.bin: run project commands through `npm run ...`',
      'or `npx ...`, which put it first on PATH, not with `node` directly.',
    );
  } else {
    lines.push(
      'node_modules/.bin holds no Node 24. `npm ci` puts one there on Linux (x64, arm64),',
      `macOS (x64, arm64) and Windows x64; on other platforms (this is ${process.platform} ${process.arch})`,
      'install Node 24 yourself: `nvm install 24` (https://github.com/nvm-sh/nvm), `fnm install 24`',
      '(https://github.com/Schniz/fnm), or the installer from https://nodejs.org/.',
    );
  }
  console.error(lines.join('\n'));
  process.exit(1);
}
