/**
 * Imports follow the data flow (socket → server → TSGI → framework), never back: the
 * framework runs on any TSGI server, and the gateway depends on nothing of ours.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const src = path.resolve(import.meta.dirname, '../../src');

/** What each layer may import, besides itself (DEVELOPERS.md's table). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  tsgi: [],
  server: ['tsgi'],
  appserver: ['tsgi', 'server'],
  web: ['tsgi'],
  api: ['tsgi', 'web'],
  cli: ['tsgi', 'server', 'appserver', 'web', 'api'],
};

// Static `import ... from '…'`, `export ... from '…'` and dynamic `import('…')`.
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function layerOf(file: string): string {
  return path.relative(src, file).split(path.sep)[0] as string;
}

test('every import in src/ points down the layers, never up', () => {
  const violations: string[] = [];
  const files = sources(src);
  assert.ok(files.length > 50, `found only ${files.length} source files`);
  for (const file of files) {
    const layer = layerOf(file);
    const allowed = ALLOWED[layer];
    if (allowed === undefined) {
      violations.push(`${path.relative(src, file)}: src/${layer}/ is not a known layer`);
      continue;
    }
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = path.resolve(path.dirname(file), match[1] as string);
      // Only real modules: a generated project's files (templates in src/cli) import their own.
      if (!target.startsWith(src + path.sep) || !existsSync(target)) continue;
      const to = layerOf(target);
      if (to !== layer && !allowed.includes(to)) {
        violations.push(`${path.relative(src, file)} imports src/${to}/ (${match[1]})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
