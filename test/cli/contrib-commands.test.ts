/**
 * `portico clearsessions` and `portico createcachetable`, run in-process against a project
 * settings file on SQLite (src/cli/clearsessions.ts, src/cli/createcachetable.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.ts';
import { DatabaseCache, caches } from '../../src/contrib/cache/index.ts';
import { DbSessionStore, sessionsApp } from '../../src/contrib/sessions/index.ts';
import { configureDatabases, connections, migrate } from '../../src/db/index.ts';

const root = resolve(import.meta.dirname, '../..');
const src = (p: string) => pathToFileURL(join(root, 'src', p)).href;
const dir = mkdtempSync(join(tmpdir(), 'portico-contrib-cli-'));
const dbFile = join(dir, 'db.sqlite3');
after(async () => {
  await caches.closeAll();
  await connections.reset();
  rmSync(dir, { recursive: true, force: true });
});

function writeSettings(name: string, sessions: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { HttpResponse, path } from '${src('web/index.ts')}';
import { sessionsApp } from '${src('contrib/sessions/index.ts')}';
export default {
  rootUrlconf: [path('', () => new HttpResponse('ok'))],
  secretKey: 'a-secret-key-for-the-cli-tests-0123456789-abcdefghijklmnop',
  installedApps: [sessionsApp],
  databases: { default: { engine: 'sqlite', name: ${JSON.stringify(dbFile)} } },
  caches: { default: { backend: 'locmem' }, pages: { backend: 'database', location: 'page_cache' } },
  sessions: ${sessions},
};
`,
  );
  return file;
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    return { code: await main(args), out };
  } finally {
    process.stdout.write = write;
  }
}

test('clearsessions deletes the expired sessions of the db engine', async () => {
  const settings = writeSettings('settings.ts', "{ engine: 'db' }");
  configureDatabases({ databases: { default: { engine: 'sqlite', name: dbFile } } });
  await migrate([sessionsApp]);
  const store = new DbSessionStore();
  const live = await store.save(null, { a: 1 }, new Date(Date.now() + 60_000));
  await store.save(null, { a: 2 }, new Date(Date.now() - 1000));
  await store.save(null, { a: 3 }, new Date(Date.now() - 1000));
  await connections.reset();

  const result = await run(['clearsessions', '--settings', settings]);
  assert.equal(result.code, 0);
  assert.equal(result.out, 'Deleted 2 expired sessions.\n');

  configureDatabases({ databases: { default: { engine: 'sqlite', name: dbFile } } });
  assert.deepEqual(await new DbSessionStore().load(live), { a: 1 });
  await connections.reset();
});

test('clearsessions with an engine that expires sessions itself says so', async () => {
  const settings = writeSettings('settings-cookies.ts', "{ engine: 'signedCookies' }");
  const result = await run(['clearsessions', '--settings', settings]);
  assert.equal(result.code, 0);
  assert.match(result.out, /'signedCookies' expires sessions itself/);
});

test('createcachetable creates the database caches’ tables, once', async () => {
  const settings = writeSettings('settings-cache.ts', '{}');
  assert.match(
    (await run(['createcachetable', '--settings', settings, '--dry-run'])).out,
    /Would create the cache table 'page_cache'/,
  );
  const first = await run(['createcachetable', '--settings', settings]);
  assert.equal(first.code, 0);
  assert.equal(first.out, "Created the cache table 'page_cache'.\n");
  assert.equal(
    (await run(['createcachetable', '--settings', settings])).out,
    "Cache table 'page_cache' already exists.\n",
  );
  configureDatabases({ databases: { default: { engine: 'sqlite', name: dbFile } } });
  const cache = new DatabaseCache('page_cache');
  await cache.set('k', 'v');
  assert.equal(await cache.get('k'), 'v');
  await connections.reset();
});
