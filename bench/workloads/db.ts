/**
 * `db`: the database layer under HTTP load. `GET /items/42/` reads one row and
 * `GET /items/?limit=20` lists twenty, answering JSON, from the same SQLite file
 * (`bench/servers/db/database.ts`, 1,000 rows), the two requests rotated on every
 * connection:
 *
 * - `portico-serve`: Portico's model API (`Item.objects.get`, `orderBy().limit()`) in a
 *   project under `portico serve`, one worker: what users run;
 * - `portico-kysely`: the same project, its views querying through the model's typed
 *   Kysely handle (`Item.objects.kysely()`): the model layer is held to at most 15 % slower;
 * - `fastify-kysely` (the baseline): Fastify with the same queries through Kysely;
 * - `fastify-sqlite`: Fastify on `node:sqlite` directly, two prepared statements: the floor;
 * - `uwsgi-django`: Django's ORM on uWSGI (one worker, HTTP), when Django and uWSGI are
 *   installed; else skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { expectedItem, ITEM_ID, LIST_LIMIT } from '../../bench/servers/db/database.ts';
import type { ScriptBench, Workload } from './types.ts';

const json = 'application/json';

/** Why uWSGI with Django cannot run here, or undefined when it can. */
function djangoUnavailable(): string | undefined {
  if (spawnSync('uwsgi', ['--version']).status !== 0)
    return 'uwsgi is not installed (apt-get install uwsgi uwsgi-plugin-python3)';
  const home = process.env.BENCH_DJANGO_HOME;
  const python = home === undefined ? 'python3' : `${home}/bin/python3`;
  if (spawnSync(python, ['-c', 'import django']).status !== 0)
    return `${python} cannot import django (apt-get install python3-django, or BENCH_DJANGO_HOME=<a venv with Django>)`;
  return undefined;
}

export const db: Workload = {
  name: 'db',
  description:
    'database: GET /items/42/ (one row) and GET /items/?limit=20 (a list), JSON, SQLite; ' +
    'Portico models vs Kysely vs node:sqlite vs Django',
  baseline: 'fastify-kysely',
  servers: [
    { name: 'fastify-kysely', script: 'bench/servers/db/fastify.ts', args: ['kysely'] },
    { name: 'fastify-sqlite', script: 'bench/servers/db/fastify.ts', args: ['sqlite'] },
    {
      name: 'portico-serve',
      script: 'bench/servers/portico-serve.ts',
      args: ['1', 'bench/servers/db/portico-module.ts'],
      env: { BENCH_DB_API: 'orm' },
    },
    {
      name: 'portico-kysely',
      script: 'bench/servers/portico-serve.ts',
      args: ['1', 'bench/servers/db/portico-module.ts'],
      env: { BENCH_DB_API: 'kysely' },
    },
    { name: 'uwsgi-django', script: 'bench/servers/db/uwsgi-django.ts', unavailable: djangoUnavailable },
  ],
  requests: [
    {
      method: 'GET',
      path: `/items/${ITEM_ID}/`,
      expect: { status: 200, contentType: json, body: JSON.stringify(expectedItem(ITEM_ID)) },
    },
    {
      method: 'GET',
      path: `/items/?limit=${LIST_LIMIT}`,
      expect: {
        status: 200,
        contentType: json,
        body: JSON.stringify({ items: Array.from({ length: LIST_LIMIT }, (_, i) => expectedItem(i + 1)) }),
      },
    },
  ],
};

/** The same queries in-process, without HTTP: CPU per query pair, model API vs Kysely vs node:sqlite. */
export const dbQueries: ScriptBench = {
  name: 'db-queries',
  description: "the db workload's queries in-process: CPU µs per query, model API vs Kysely vs node:sqlite",
  script: 'bench/servers/db/queries.ts',
};
