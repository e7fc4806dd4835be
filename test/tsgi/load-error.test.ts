/** Load failures described with their place: file, line, column, the line and a caret. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { describeLoadFailure, ModuleLoadError } from '../../src/tsgi/load-error.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-load-error-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'package.json'), '{"type":"module"}');

async function failure(name: string, text: string): Promise<unknown> {
  const file = join(dir, name);
  writeFileSync(file, text);
  try {
    await import(pathToFileURL(file).href);
  } catch (error) {
    return error;
  }
  assert.fail(`${name} loaded`);
}

test('a TypeScript syntax error: the file, its line and column, the line and a caret', async () => {
  const error = await failure('syntax.ts', 'export const a = 1;\nexport function f(: number) {}\n');
  const described = describeLoadFailure(error, join(dir, 'syntax.ts'), dir);
  assert.match(described.summary, /^syntax\.ts:2:19: SyntaxError: /);
  assert.equal(described.detail, '  export function f(: number) {}\n                    ^');
  assert.equal(described.hint, '');
});

test('an error thrown while loading: the line of the throw in the module', async () => {
  const error = await failure(
    'throws.ts',
    "const x: number = 1;\nif (x) throw new TypeError('no config');\n",
  );
  const described = describeLoadFailure(error, join(dir, 'throws.ts'), dir);
  assert.equal(described.summary, 'throws.ts:2:14: TypeError: no config');
  assert.equal(described.detail, "  if (x) throw new TypeError('no config');\n               ^");
});

test('a CommonJS package: the hint names its package.json', async () => {
  mkdirSync(join(dir, 'cjs'));
  writeFileSync(join(dir, 'cjs/package.json'), '{"type":"commonjs"}');
  const error = await failure(
    'cjs/app.ts',
    "import { strict } from 'node:assert';\nexport const a = strict;\n",
  );
  const wrapped = new ModuleLoadError("module 'cjs/app.ts'", join(dir, 'cjs/app.ts'), error);
  assert.equal(wrapped.code, 'PORTICO_ERR_LOAD_FAILED');
  assert.match(
    wrapped.message,
    /^module 'cjs\/app\.ts' failed to load: .*cjs[/\\]app\.ts:1:1: SyntaxError: /,
  );
  assert.match(wrapped.detail, /\nhint: .*cjs[/\\]package\.json needs "type": "module" \(it is commonjs\)/);
});

test('something that is not an Error is described as it is', () => {
  assert.deepEqual(describeLoadFailure('plain', join(dir, 'x.ts')), {
    summary: 'plain',
    detail: '',
    hint: '',
  });
});
