/**
 * Runs the examples of a docs folder: every ```ts block (except those marked
 * ```ts fragment) is written to a temporary module, its `portico/*` imports pointed at
 * the sources of package.json's entry points, and imported, one test per block. The
 * examples assert their own results with `node:assert`, so a doc that drifts from the code
 * fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
const FENCE = /^```ts( fragment)?\n([\s\S]*?)^```$/gm;

// Every `portico/...` module entry point, from package.json's `exports` (its source files).
const ENTRY_POINTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(
    JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).exports as Record<
      string,
      string | Record<string, string>
    >,
  )
    .filter((entry): entry is [string, Record<string, string>] => typeof entry[1] === 'object')
    .map(([subpath, conditions]) => [`portico${subpath.slice(1)}`, conditions['portico-source'] as string]),
);

function pointAtSources(code: string): string {
  return code.replace(/from '(portico\/[a-z/]+)'/g, (whole, name: string) => {
    const file = ENTRY_POINTS[name];
    return file === undefined ? whole : `from '${pathToFileURL(join(root, file)).href}'`;
  });
}

/** Registers one test per runnable example of `docs/<folder>/*.md`; resolves to the pages' names. */
export async function testDocExamples(folder: string): Promise<string[]> {
  const docs = join(root, 'docs', folder);
  const files = (await readdir(docs)).filter((name) => name.endsWith('.md')).sort();
  const scratch = mkdtempSync(join(tmpdir(), `portico-docs-${folder.replace(/\W/g, '_')}-`));
  process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  for (const file of files) {
    const text = await readFile(join(docs, file), 'utf8');
    const blocks = [...text.matchAll(FENCE)].filter((m) => m[1] === undefined).map((m) => m[2] as string);
    describe(`docs/${folder}/${file}`, () => {
      blocks.forEach((code, i) => {
        const firstLine = code.split('\n').find((line) => line.startsWith('//')) ?? code.split('\n')[0];
        test(`example ${i + 1}: ${firstLine?.slice(0, 70)}`, async () => {
          const module = join(scratch, `${file.replace(/\W/g, '_')}-${i}.ts`);
          await writeFile(module, pointAtSources(code));
          await import(pathToFileURL(module).href);
        });
      });
    });
  }
  return files;
}
