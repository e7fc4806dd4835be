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
  db: ['tsgi', 'web'],
  contrib: ['tsgi', 'web', 'db'],
  api: ['tsgi', 'web', 'db', 'contrib'],
  cli: ['tsgi', 'server', 'appserver', 'web', 'db', 'contrib', 'api'],
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

/** Each module's relative imports inside src/, type-only ones included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const targets: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = path.resolve(path.dirname(file), match[1] as string);
      if (target.startsWith(src + path.sep) && existsSync(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles among `files` (Tarjan's strongly connected components of more than one module). */
function cyclesAmong(graph: Map<string, string[]>, files: readonly string[]): string[][] {
  const inside = new Set(files);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(path.relative(src, w));
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

test('src/web/ has no import cycle, type-only imports included', () => {
  const graph = importGraph();
  const web = [...graph.keys()].filter((file) => layerOf(file) === 'web');
  assert.ok(web.length > 50, `found only ${web.length} modules in src/web/`);
  assert.deepEqual(cyclesAmong(graph, web), []);
});

test('the cycle finder finds a cycle', () => {
  const a = path.join(src, 'a.ts');
  const b = path.join(src, 'b.ts');
  const c = path.join(src, 'c.ts');
  const graph = new Map([
    [a, [b]],
    [b, [a, c]],
    [c, []],
  ]);
  assert.deepEqual(cyclesAmong(graph, [a, b, c]), [['a.ts', 'b.ts']]);
});

test('the CLI reaches other layers only through their public entry points', () => {
  const exportsField = JSON.parse(readFileSync(path.resolve(src, '../package.json'), 'utf8'))
    .exports as Record<string, string | Record<string, string>>;
  // Module entry points carry conditions; `./package.json` is a plain file.
  const entries = new Set(
    Object.values(exportsField)
      .filter((target) => typeof target === 'object')
      .map((conditions) => path.resolve(src, '..', conditions['portico-source'] as string)),
  );
  const deep: string[] = [];
  for (const [file, targets] of importGraph()) {
    if (layerOf(file) !== 'cli') continue;
    for (const target of targets) {
      if (layerOf(target) !== 'cli' && !entries.has(target))
        deep.push(`${path.relative(src, file)} imports ${path.relative(src, target)}`);
    }
  }
  assert.deepEqual(deep, []);
});
