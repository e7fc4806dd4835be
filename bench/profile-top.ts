/**
 * Summarises a V8 `.cpuprofile` (as `node --cpu-prof` or `npm run bench -- --cpu-prof DIR`
 * writes): the functions with the most self time, and the source lines inside them.
 *
 * Usage: node bench/profile-top.ts PROFILE.cpuprofile [--top N] [--filter TEXT]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, filter: { type: 'string' } },
});
const file = positionals[0];
if (file === undefined) {
  process.stderr.write('usage: node bench/profile-top.ts PROFILE.cpuprofile [--top N] [--filter TEXT]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(values.top);

const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
const byFunction = new Map<string, { ticks: number; lines: Map<number, number> }>();
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/');
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  if (values.filter !== undefined && !key.includes(values.filter)) continue;
  const entry = byFunction.get(key) ?? { ticks: 0, lines: new Map<number, number>() };
  entry.ticks += node.hitCount ?? 0;
  for (const { line, ticks } of node.positionTicks ?? []) {
    entry.lines.set(line, (entry.lines.get(line) ?? 0) + ticks);
  }
  byFunction.set(key, entry);
}

const pct = (ticks: number) => `${((100 * ticks) / total).toFixed(1).padStart(5)}%`;
process.stdout.write(`${total} samples, ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s\n`);
for (const [key, entry] of [...byFunction].sort((a, b) => b[1].ticks - a[1].ticks).slice(0, top)) {
  const lines = [...entry.lines]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([line, ticks]) => `L${line} ${pct(ticks).trim()}`)
    .join(', ');
  process.stdout.write(`${pct(entry.ticks)}  ${key}${lines ? `  [${lines}]` : ''}\n`);
}
