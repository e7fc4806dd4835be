/**
 * How long `tsc --noEmit` takes on an API project as it grows (the target: under
 * 10 s for 100 routes; Hono's zod-openapi takes about a minute for ~30, hono#3869).
 *
 * Generates, under .bench-tmp/, a project of N resources — each a model, a ModelSerializer
 * with a typed use of its validated data, a ModelViewSet on a router (a list and a detail
 * route) and a generic detail view on a named, typed `path()` reversed with
 * `createReverse` — then times `tsc --noEmit` on it, for each N given. The checker also
 * reads the Portico sources the project imports, so N = 1 is the fixed cost.
 *
 *   node bench/typecheck-api.ts                # N = 1, 50, 100, against the sources
 *   node bench/typecheck-api.ts 100 200        # chosen sizes
 *   node bench/typecheck-api.ts --dist 1 100   # against declaration files, as an installed package is
 *
 * `--dist` first emits Portico's declarations (`tsconfig.build.json`) under .bench-tmp/, then
 * points the project at them: what a project that installed Portico type-checks against.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = process.argv.includes('--dist');
const sizes = process.argv
  .slice(2)
  .filter((a) => a !== '--dist')
  .map(Number);
const ns = sizes.length > 0 ? sizes : [1, 50, 100];

const from = (layer: string) =>
  dist ? `../typecheck-dist/${layer}/index.js` : `../../src/${layer}/index.ts`;

function project(n: number): string {
  const lines: string[] = [
    `import { CharField, BooleanField, DateTimeField, IntegerField, ForeignKey, CASCADE, defineApp } from '${from('db')}';`,
    `import { DefaultRouter, ModelSerializer, ModelViewSet, RetrieveUpdateDestroyAPIView, type ValidatedData } from '${from('api')}';`,
    `import { createReverse, include, path } from '${from('web')}';`,
    `const app = defineApp('bench');`,
    `const router = new DefaultRouter();`,
  ];
  for (let i = 0; i < n; i++) {
    const fk = i > 0 ? `, parent: ForeignKey(M${i - 1}, { onDelete: CASCADE, null: true })` : '';
    lines.push(
      `const M${i} = app.model('M${i}', { fields: { name: CharField({ maxLength: 50 }), count: IntegerField({ default: 0 }), active: BooleanField({ default: true }), created: DateTimeField({ autoNowAdd: true })${fk} } });`,
      `class S${i} extends ModelSerializer.for(M${i}, { fields: ['id', 'name', 'count', 'active', 'created'], readOnlyFields: ['count'] }) {}`,
      `export function use${i}(s: S${i}): string { const v: ValidatedData<S${i}> = s.validatedData; return v.name.toUpperCase() + String(v.active); }`,
      `class V${i} extends ModelViewSet { override queryset = M${i}.objects.all(); override serializerClass = S${i}; }`,
      `class D${i} extends RetrieveUpdateDestroyAPIView { override queryset = M${i}.objects.filter({ active: true }); override serializerClass = S${i}; }`,
      `router.register('r${i}', V${i});`,
    );
  }
  lines.push(
    `export const urlpatterns = [`,
    `  path('api/', include(router.urls)),`,
    ...Array.from({ length: n }, (_, i) => `  path('d${i}/<int:pk>/', D${i}.asView(), { name: 'd${i}' }),`),
    `];`,
    `const reverse = createReverse(urlpatterns);`,
    `export const last: string = reverse('d${n - 1}', { kwargs: { pk: 1 } });`,
  );
  return `${lines.join('\n')}\n`;
}

const tsc = join(root, 'node_modules/typescript/bin/tsc');
const node = process.execPath;
if (dist) {
  const out = join(root, '.bench-tmp', 'typecheck-dist');
  rmSync(out, { recursive: true, force: true });
  const built = spawnSync(
    node,
    [tsc, '-p', join(root, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', out],
    { encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`declarations: ${built.stdout}${built.stderr}`);
}
console.log(dist ? 'Against the declaration files:' : 'Against the sources:');
// CPU time (user + system) is what the run costs; on a shared machine the wall time also
// holds the time other processes had the cores, so both are shown.
console.log(
  '| resources | URL patterns | CPU (s) | wall (s) | tsc check time (s) | types | instantiations |',
);
console.log('|---|---|---|---|---|---|---|');
for (const n of ns) {
  const dir = join(root, '.bench-tmp', `typecheck-api-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'api.ts'), project(n));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.json'), include: ['api.ts'] }, null, 2),
  );
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %U %S %e', node, tsc, '-p', join(dir, 'tsconfig.json'), '--noEmit', '--extendedDiagnostics'],
    { encoding: 'utf8' },
  );
  const [user, sys, wall] = (/TIME (\S+) (\S+) (\S+)/.exec(run.stderr) ?? []).slice(1).map(Number);
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    throw new Error(`tsc failed for n=${n}`);
  }
  const stat = (name: string) => new RegExp(`^${name}:\\s+([\\d.]+)`, 'm').exec(run.stdout)?.[1] ?? '?';
  const cpu = ((user ?? NaN) + (sys ?? NaN)).toFixed(1);
  console.log(
    `| ${n} | ${3 * n + 1} | ${cpu} | ${wall?.toFixed(1)} | ${stat('Check time')} | ${stat('Types')} | ${stat('Instantiations')} |`,
  );
  rmSync(dir, { recursive: true, force: true });
}
if (dist) rmSync(join(root, '.bench-tmp', 'typecheck-dist'), { recursive: true, force: true });
