/**
 * The `db` workload on Fastify (logger off, response schemas, as Fastify's own benchmarks
 * write routes), reading the benchmark's SQLite file two ways (`argv[3]`):
 *
 * - `kysely`: the same queries as Portico's, built with Kysely on Kysely's `SqliteDialect`
 *   over `node:sqlite` (Portico's small adapter, `src/db/backends/sqlite.ts`: Kysely ships
 *   no `node:sqlite` dialect, and with the same driver underneath the comparison is about
 *   the layers above it);
 * - `sqlite`: `node:sqlite` directly, two prepared statements: the floor.
 */
import Fastify from 'fastify';
import { Kysely } from 'kysely';
import { DatabaseSync } from 'node:sqlite';
import { createSqliteDialect } from '../../../src/db/backends/sqlite.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { benchDatabase, type ItemJson } from './database.ts';

interface Row {
  id: number;
  name: string;
  quantity: number;
  active: number;
}

interface Tables {
  bench_item: Row;
}

const kind = process.argv[3] ?? '';
const file = benchDatabase();

const json = (row: Row): ItemJson => ({
  id: row.id,
  name: row.name,
  quantity: row.quantity,
  active: row.active !== 0,
});

/** The two queries, however they are made. */
interface Reader {
  one(id: number): Promise<Row | undefined> | Row | undefined;
  list(limit: number): Promise<Row[]> | Row[];
}

function kyselyReader(): Reader {
  const db = new Kysely<Tables>({ dialect: createSqliteDialect({ filename: file }).dialect });
  return {
    one: (id) =>
      db
        .selectFrom('bench_item')
        .select(['id', 'name', 'quantity', 'active'])
        .where('id', '=', id)
        .executeTakeFirst(),
    list: (limit) =>
      db
        .selectFrom('bench_item')
        .select(['id', 'name', 'quantity', 'active'])
        .orderBy('id')
        .limit(limit)
        .execute(),
  };
}

function sqliteReader(): Reader {
  const db = new DatabaseSync(file, { readOnly: true });
  const one = db.prepare('SELECT id, name, quantity, active FROM bench_item WHERE id = ?');
  const list = db.prepare('SELECT id, name, quantity, active FROM bench_item ORDER BY id LIMIT ?');
  return {
    one: (id) => one.get(id) as Row | undefined,
    list: (limit) => list.all(limit) as unknown as Row[],
  };
}

const readers: Record<string, () => Reader> = { kysely: kyselyReader, sqlite: sqliteReader };
const makeReader = readers[kind];
if (makeReader === undefined)
  throw new Error(`argv[3] must be kysely or sqlite, got ${JSON.stringify(kind)}`);
const reader = makeReader();

const item = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    quantity: { type: 'integer' },
    active: { type: 'boolean' },
  },
} as const;

const app = Fastify({ logger: false });

app.get<{ Params: { id: number } }>(
  '/items/:id/',
  {
    schema: {
      params: { type: 'object', properties: { id: { type: 'integer' } } },
      response: { 200: item },
    },
  },
  async (request, reply) => {
    const row = await reader.one(request.params.id);
    if (row === undefined) return reply.code(404).send();
    return json(row);
  },
);

app.get<{ Querystring: { limit?: number } }>(
  '/items/',
  {
    schema: {
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: item } } } },
    },
  },
  async (request) => ({ items: (await reader.list(request.query.limit ?? 20)).map(json) }),
);

await app.listen({ host: HOST, port: portFromArgs() });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('fastify did not bind a TCP port');
announce(address.port, () => app.close());
