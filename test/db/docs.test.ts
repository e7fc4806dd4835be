/**
 * The examples in `docs/db/*.md` run, as those of docs/web do: every ```ts block (except
 * ```ts fragment) is written to a temporary module with its `portico/*` imports pointed at
 * `src/`, and imported; the examples assert their own results.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
const docs = join(root, 'docs/db');
const ENTRY_POINTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(
    JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).exports as Record<
      string,
      Record<string, string>
    >,
  ).map(([subpath, conditions]) => [`portico${subpath.slice(1)}`, conditions['portico-source'] as string]),
);
const FENCE = /^```ts( fragment)?\n([\s\S]*?)^```$/gm;

const files = (await readdir(docs)).filter((name) => name.endsWith('.md')).sort();
const scratch = mkdtempSync(join(tmpdir(), 'portico-dbdocs-'));
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));

test('docs/db has its pages', () => {
  assert.deepEqual(files, ['README.md', 'migrations.md', 'models.md', 'transactions.md']);
});

for (const file of files) {
  const text = await readFile(join(docs, file), 'utf8');
  const blocks = [...text.matchAll(FENCE)].filter((m) => m[1] === undefined).map((m) => m[2] as string);
  describe(`docs/db/${file}`, () => {
    blocks.forEach((code, i) => {
      const firstLine = code.split('\n').find((line) => line.startsWith('//')) ?? code.split('\n')[0];
      test(`example ${i + 1}: ${firstLine?.slice(0, 70)}`, async () => {
        const module = join(scratch, `${file.replace(/\W/g, '_')}-${i}.ts`);
        const source = code.replace(/from '(portico\/[a-z/]+)'/g, (whole, name: string) => {
          const target = ENTRY_POINTS[name];
          return target === undefined ? whole : `from '${pathToFileURL(join(root, target)).href}'`;
        });
        await writeFile(module, source);
        await import(pathToFileURL(module).href);
      });
    });
  });
}
