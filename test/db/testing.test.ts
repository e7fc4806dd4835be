import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { CharField, connections, defineApp, rolledBack, setUpTestDatabases } from '../../src/db/index.ts';
import { POSTGRES_URL } from './helpers.ts';

const lab = defineApp('lab');
const Sample = lab.model('Sample', { fields: { code: CharField({ maxLength: 10, unique: true }) } });

test('SQLite: a test database (a file named by test.name), the tables made, each test rolled back, removed at the end', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-testdb-'));
  const file = path.join(dir, 'test.sqlite3');
  try {
    const tearDown = await setUpTestDatabases({
      installedApps: [lab],
      databases: {
        default: { engine: 'sqlite', name: path.join(dir, 'real.sqlite3'), test: { name: file } },
      },
    });
    assert.equal(connections.settings.default?.name, file);
    await rolledBack(async () => {
      await Sample.objects.create({ code: 'a' });
      assert.equal(await Sample.objects.count(), 1);
    });
    assert.equal(await Sample.objects.count(), 0, 'the test’s row was rolled back');
    await tearDown();
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(path.join(dir, 'real.sqlite3')), false, 'the real database was never touched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'PostgreSQL: test_<name> is created (replacing a stale one), used, and dropped',
  { skip: !POSTGRES_URL },
  async () => {
    const url = new URL(POSTGRES_URL as string);
    url.pathname = '/portico_lab';
    const tearDown = await setUpTestDatabases({
      installedApps: [lab],
      databases: { default: { engine: 'postgres', url: url.toString() } },
    });
    const exists = async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      const { rows } = await client.query("select 1 from pg_database where datname = 'test_portico_lab'");
      await client.end();
      return rows.length === 1;
    };
    try {
      assert.match(connections.settings.default?.url ?? '', /\/test_portico_lab$/);
      assert.equal(await exists(), true);
      await Sample.objects.create({ code: 'kept' });
      assert.equal(await Sample.objects.count(), 1);
    } finally {
      await tearDown();
    }
    assert.equal(await exists(), false);
  },
);

test('the test client’s requests use the test database, not the one the settings name', async () => {
  const { Client } = await import('../../src/web/test/index.ts');
  const { HttpResponse, path: route } = await import('../../src/web/index.ts');
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-testdb-'));
  const real = path.join(dir, 'real.sqlite3');
  const settings = {
    installedApps: [lab],
    databases: { default: { engine: 'sqlite' as const, name: real } },
    allowedHosts: ['testserver'],
    rootUrlconf: [route('count/', async () => new HttpResponse(String(await Sample.objects.count())))],
  };
  try {
    const tearDown = await setUpTestDatabases(settings);
    await Sample.objects.create({ code: 'in-test' });
    // Building the handler configures the settings' databases: the test ones stay.
    assert.equal((await new Client(settings).get('/count/')).text(), '1');
    await tearDown();
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(real), false, 'the real database was never opened');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
