/**
 * `db-queries`: the `db` workload's two queries without HTTP, in-process: the model API
 * (`Item.objects.get`, `orderBy('id').limit(20)`, instances into plain objects) against the
 * same queries through the model's Kysely handle and through `node:sqlite` directly, on the
 * benchmark's SQLite file. Prints CPU µs per query pair (process CPU time, which other
 * tenants of the machine move far less than wall time) and the ratios: the figure behind
 * issue 13's "model layer at most 15 % slower than the same query through raw Kysely".
 *
 * Run: `node bench/servers/db/queries.ts` (`--quick` for a short run).
 */
import { DatabaseSync } from 'node:sqlite';
import {
  BooleanField,
  CharField,
  configureDatabases,
  defineApp,
  IntegerField,
} from '../../../src/db/index.ts';
import { benchDatabase, ITEM_ID, type ItemJson, LIST_LIMIT } from './database.ts';

const quick = process.argv.includes('--quick');
const file = benchDatabase();
const bench = defineApp('bench');
const Item = bench.model('Item', {
  fields: { name: CharField({ maxLength: 100 }), quantity: IntegerField(), active: BooleanField() },
});
configureDatabases({ databases: { default: { engine: 'sqlite', name: file } } });

type Row = { id: number; name: string; quantity: number; active: unknown };
const json = (r: Row): ItemJson => ({
  id: r.id,
  name: r.name,
  quantity: r.quantity,
  active: Boolean(r.active),
});

const raw = new DatabaseSync(file, { readOnly: true });
const one = raw.prepare('SELECT id, name, quantity, active FROM bench_item WHERE id = ?');
const list = raw.prepare('SELECT id, name, quantity, active FROM bench_item ORDER BY id LIMIT ?');

const contenders: Record<string, () => Promise<string>> = {
  orm: async () => {
    const item = await Item.objects.get({ id: ITEM_ID });
    const items = await Item.objects.orderBy('id').limit(LIST_LIMIT);
    return JSON.stringify([json(item), items.map(json)]);
  },
  kysely: async () => {
    const db = Item.objects.kysely();
    const row = await db
      .selectFrom('bench_item')
      .select(['id', 'name', 'quantity', 'active'])
      .where('id', '=', ITEM_ID)
      .executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('bench_item')
      .select(['id', 'name', 'quantity', 'active'])
      .orderBy('id')
      .limit(LIST_LIMIT)
      .execute();
    return JSON.stringify([json(row), rows.map(json)]);
  },
  'node:sqlite': async () => {
    const row = one.get(ITEM_ID) as Row;
    const rows = list.all(LIST_LIMIT) as Row[];
    return JSON.stringify([json(row), rows.map(json)]);
  },
};

// Every contender answers the same.
const answers = new Set(await Promise.all(Object.values(contenders).map((run) => run())));
if (answers.size !== 1) throw new Error(`the contenders disagree: ${[...answers].join('\n')}`);

const iterations = quick ? 2_000 : 20_000;
const rounds = quick ? 1 : 5;
const samples = new Map<string, number[]>(Object.keys(contenders).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  // Interleaved, as the HTTP harness does: drift hits every contender alike.
  for (const [name, run] of Object.entries(contenders)) {
    for (let i = 0; i < iterations / 10; i++) await run(); // warm-up
    const before = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await run();
    const used = process.cpuUsage(before);
    samples.get(name)?.push((used.user + used.system) / iterations);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const kysely = median(samples.get('kysely') ?? []);
process.stdout.write(
  `db-queries: CPU µs per (GET one + list of ${LIST_LIMIT}), median of ${rounds} round(s) of ${iterations}\n`,
);
for (const [name, xs] of samples) {
  const us = median(xs);
  process.stdout.write(
    `  ${name.padEnd(12)} ${us.toFixed(1).padStart(7)} µs   ${(us / kysely).toFixed(3)} × kysely\n`,
  );
}
