import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorsDoc } from '../../scripts/errors-doc.ts';
import { defineErrors, errorLayers, errorSpec, hasCode, PorticoError } from '../../src/tsgi/errors.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What each layer may import besides itself (as in test/repo/layers.test.ts). */
const VISIBLE: Readonly<Record<string, readonly string[]>> = {
  tsgi: ['tsgi'],
  server: ['tsgi', 'server'],
  appserver: ['tsgi', 'server', 'appserver'],
  web: ['tsgi', 'web'],
  db: ['tsgi', 'web', 'db'],
  contrib: ['tsgi', 'web', 'db', 'contrib'],
  api: ['tsgi', 'web', 'db', 'contrib', 'api'],
  cli: ['tsgi', 'server', 'appserver', 'web', 'db', 'contrib', 'api', 'cli'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('docs/errors.md is generated from every layer’s registry (npm run docs:errors)', () => {
  assert.equal(readFileSync(join(root, 'docs/errors.md'), 'utf8'), errorsDoc());
  assert.deepEqual(
    [...errorLayers().keys()],
    ['tsgi', 'server', 'appserver', 'web', 'db', 'contrib', 'api', 'cli'],
  );
});

test('every PORTICO_ERR_ code used in src/ is declared by its layer or by one it may import', () => {
  const owner = new Map<string, string>();
  for (const [layer, specs] of errorLayers()) for (const code of Object.keys(specs)) owner.set(code, layer);
  const problems: string[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const layer = relative(join(root, 'src'), file).split(sep)[0] as string;
    for (const [code] of readFileSync(file, 'utf8').matchAll(/PORTICO_ERR_[A-Z0-9_]*[A-Z0-9]/g)) {
      const declaredBy = owner.get(code);
      if (declaredBy === undefined) problems.push(`${code} in ${file} is declared by no layer`);
      else if (!VISIBLE[layer]?.includes(declaredBy))
        problems.push(`${code} in ${file} belongs to ${declaredBy}, which src/${layer}/ may not import`);
    }
  }
  assert.deepEqual(problems, []);
});

test('a code has its meaning and status together; a code belongs to one layer', () => {
  assert.deepEqual(errorSpec('PORTICO_ERR_BODY_TOO_LARGE'), {
    message: 'The request body is larger than limit-post.',
    status: 413,
  });
  assert.equal(errorSpec('PORTICO_ERR_NOT_FOUND')?.status, 404);
  assert.equal(errorSpec('PORTICO_ERR_NOWHERE'), undefined);
  assert.throws(
    () => defineErrors('elsewhere', { PORTICO_ERR_NOT_FOUND: { message: 'again' } }),
    /PORTICO_ERR_NOT_FOUND is declared by both web and elsewhere/,
  );
});

test('PorticoError carries its code', () => {
  const error = new PorticoError('PORTICO_ERR_BAD_REQUEST', 'nope');
  assert.equal(error.code, 'PORTICO_ERR_BAD_REQUEST');
  assert.ok(hasCode(error, 'PORTICO_ERR_BAD_REQUEST'));
  assert.ok(!hasCode(new Error('x'), 'PORTICO_ERR_BAD_REQUEST'));
});
