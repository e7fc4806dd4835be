/**
 * URL resolution cost as the URLconf grows: 10, 1,000 and 10,000 patterns.
 *
 * Each URLconf mixes literal routes, routes with converters, regexes and includes (in the
 * proportions of a typical project); each lookup set mixes hits on every kind and 10%
 * misses. Prints ns per resolution for the compiled matcher, with lookups spread evenly
 * over every route (each lookup touches a different, cold part of the tree: the growth
 * there is memory latency, not work) and with a hot set of 50 routes (what real traffic
 * looks like: flat), and, for comparison, for a pattern-by-pattern scan (what Django's
 * resolver does).
 *
 * Run: `node bench/router/resolve.ts` (add `--quick` for a short run).
 */
import { HttpResponse, include, path, rePath, type URLEntry } from '../../src/web/index.ts';
import { RootResolver } from '../../src/web/urls/resolver.ts';

const quick = process.argv.includes('--quick');
const view = () => new HttpResponse();

/** `size` endpoint patterns, and paths that hit them (plus misses). */
function project(size: number): { patterns: URLEntry[]; spread: string[]; hot: string[] } {
  const patterns: URLEntry[] = [];
  const paths: string[] = [];
  let count = 0;
  for (let i = 0; count < size; i++) {
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        patterns.push(path(`section${i}/`, view, { name: `s${i}` }));
        paths.push(`/section${i}/`);
        count += 1;
        break;
      case 4:
      case 5:
      case 6:
        patterns.push(path(`section${i}/<int:id>/`, view, { name: `d${i}` }));
        paths.push(`/section${i}/${i * 7}/`);
        count += 1;
        break;
      case 7:
        patterns.push(path(`section${i}/<slug:slug>/edit/`, view, { name: `e${i}` }));
        paths.push(`/section${i}/some-slug-${i}/edit/`);
        count += 1;
        break;
      case 8:
        patterns.push(rePath(`^archive${i}/(?P<year>[0-9]{4})/$`, view, { name: `a${i}` }));
        paths.push(`/archive${i}/2024/`);
        count += 1;
        break;
      default: {
        const children = Math.min(4, size - count);
        patterns.push(
          path(
            `app${i}/<int:owner>/`,
            include(
              Array.from({ length: children }, (_, k) =>
                path(`item${k}/<slug:slug>/`, view, { name: `i${k}` }),
              ),
              { namespace: `ns${i}` },
            ),
          ),
        );
        paths.push(`/app${i}/5/item${children - 1}/x/`);
        count += children;
      }
    }
  }
  const misses = paths.map((p) => `${p}missing/`);
  const lookups = (spread: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < 1000; i++) {
      // Deterministic spread over the first `spread` patterns; every tenth lookup misses.
      const index = (i * 7919) % Math.min(spread, paths.length);
      out.push(i % 10 === 9 ? (misses[index] as string) : (paths[index] as string));
    }
    return out;
  };
  return { patterns, spread: lookups(paths.length), hot: lookups(50) };
}

function measure(fn: (path: string) => unknown, paths: readonly string[], budgetMs: number): number {
  let sink = 0;
  // Warm up (JIT), then time whole passes over the lookup set until the budget is spent.
  for (let i = 0; i < 20_000; i++) if (fn(paths[i % paths.length] as string) !== null) sink++;
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (const p of paths) if (fn(p) !== null) sink++;
    ops += paths.length;
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.log(sink);
  return Number(now - start) / ops;
}

const rows: string[] = [];
for (const size of [10, 1000, 10000]) {
  const { patterns, spread: paths, hot } = project(size);
  const built = process.hrtime.bigint();
  const resolver = new RootResolver(patterns);
  const buildMs = Number(process.hrtime.bigint() - built) / 1e6;
  // Sanity: the compiled matcher and the scan agree (on a sample: the scan is slow).
  for (const p of paths.slice(0, 100)) {
    const a = resolver.match(p);
    const b = resolver.scan(p);
    if ((a === null) !== (b === null) || (a && b && a.func !== b.func))
      throw new Error(`disagreement on ${p}`);
  }
  const compiled = measure((p) => resolver.match(p), paths, quick ? 100 : 1000);
  const hotCompiled = measure((p) => resolver.match(p), hot, quick ? 100 : 1000);
  const scanned = measure((p) => resolver.scan(p), paths, quick ? 100 : size >= 10000 ? 2000 : 1000);
  rows.push(
    `${String(resolver.entries.length).padStart(6)} routes | compiled ${compiled.toFixed(0).padStart(5)} ns/op ` +
      `(hot set ${hotCompiled.toFixed(0).padStart(4)} ns/op) | ` +
      `linear scan ${scanned.toFixed(0).padStart(9)} ns/op | build ${buildMs.toFixed(1)} ms`,
  );
  console.log(rows.at(-1));
}
