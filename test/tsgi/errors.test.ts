import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorCodes, hasCode, PorticoError } from '../../src/tsgi/errors.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('docs/errors.md lists every code with the registry meaning, and nothing else', () => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `(PORTICO_ERR_[A-Z0-9_]+)` \| (.+) \|$/gm)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]),
  );
  assert.deepEqual([...rows.keys()].sort(), Object.keys(errorCodes).sort());
  for (const [code, meaning] of Object.entries(errorCodes)) assert.equal(rows.get(code), meaning, code);
});

test('every PORTICO_ERR_ code used in src/ is in the registry', () => {
  const known = new Set(Object.keys(errorCodes));
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const [code] of readFileSync(file, 'utf8').matchAll(/PORTICO_ERR_[A-Z0-9_]*[A-Z0-9]/g)) {
      assert.ok(known.has(code), `${code} in ${file} is not in src/tsgi/errors.ts`);
    }
  }
});

test('PorticoError carries its code', () => {
  const error = new PorticoError('PORTICO_ERR_BAD_REQUEST', 'nope');
  assert.equal(error.code, 'PORTICO_ERR_BAD_REQUEST');
  assert.ok(hasCode(error, 'PORTICO_ERR_BAD_REQUEST'));
  assert.ok(!hasCode(new Error('x'), 'PORTICO_ERR_BAD_REQUEST'));
});
