/**
 * The `fragment` blocks of docs/api/serializers.md run here — the docs/api runner
 * (test/api/docs.test.ts) runs the others and skips these only because they import `zod` — with `portico/api` pointed at
 * the serializers and exceptions, `portico/db` at the database layer, and `zod`/`valibot`
 * at this checkout's packages. A block that is only an import line is skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../../..');
const FENCE = /^```ts( fragment)?\n([\s\S]*?)^```$/gm;
const scratch = mkdtempSync(join(tmpdir(), 'portico-docs-serializers-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

const shim = join(scratch, 'api.ts');
await writeFile(
  shim,
  [
    `export * from '${pathToFileURL(join(root, 'src/api/serializers/index.ts')).href}';`,
    `export * from '${pathToFileURL(join(root, 'src/api/exceptions.ts')).href}';`,
  ].join('\n'),
);
const targets: Record<string, string> = {
  'portico/api': pathToFileURL(shim).href,
  'portico/db': pathToFileURL(join(root, 'src/db/index.ts')).href,
  zod: import.meta.resolve('zod'),
  valibot: import.meta.resolve('valibot'),
};

const text = await readFile(join(root, 'docs/api/serializers.md'), 'utf8');
const blocks = [...text.matchAll(FENCE)]
  .filter((m) => m[1] !== undefined)
  .map((m) => m[2] as string)
  .filter((code) => /\bassert\b/.test(code));

describe('docs/api/serializers.md', () => {
  blocks.forEach((code, i) => {
    const title = code.split('\n').find((line) => line.startsWith('//')) ?? `block ${i + 1}`;
    test(`example ${i + 1}: ${title.slice(0, 70)}`, async () => {
      const module = join(scratch, `example-${i}.ts`);
      await writeFile(
        module,
        code.replace(/from '([^']+)'/g, (all, name: string) =>
          targets[name] ? `from '${targets[name]}'` : all,
        ),
      );
      await import(pathToFileURL(module).href);
    });
  });
  test('the page has its examples', () => {
    // The Zod example; the other blocks run in test/api/docs.test.ts.
    if (blocks.length < 1) throw new Error(`expected the Zod example, found ${blocks.length} blocks`);
  });
});
