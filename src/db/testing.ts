/**
 * Test databases, as Django's test runner makes them: for each configured database, a
 * test database (SQLite in memory, or the file `test.name`; PostgreSQL `test_<name>`,
 * created and at the end dropped), the migrations applied once (apps without migrations
 * get their tables straight from the models), and `rolledBack()` around each test.
 *
 * @module
 */
import { rmSync } from 'node:fs';
import pg from 'pg';
import { PorticoError } from '../tsgi/errors.ts';
import { installedApps } from './apps.ts';
import {
  configureDatabases,
  connections,
  type DatabaseSettings,
  type DatabasesSettings,
} from './connection.ts';
import { migrate } from './migrations/executor.ts';
import type { App } from './models.ts';
import { syncModels } from './sync.ts';

function postgresName(settings: DatabaseSettings): string {
  if (settings.url !== undefined)
    return decodeURIComponent(new URL(settings.url).pathname.slice(1)) || 'postgres';
  return settings.name ?? 'postgres';
}

/** The same server, another database. */
function withDatabase(settings: DatabaseSettings, name: string): DatabaseSettings {
  if (settings.url !== undefined) {
    const url = new URL(settings.url);
    url.pathname = `/${encodeURIComponent(name)}`;
    return { ...settings, url: url.toString() };
  }
  return { ...settings, name };
}

async function admin(settings: DatabaseSettings, sql: string): Promise<void> {
  const target = withDatabase(settings, 'postgres');
  const client = new pg.Client(
    target.url !== undefined
      ? { connectionString: target.url }
      : {
          ...(target.host !== undefined ? { host: target.host } : {}),
          ...(target.port !== undefined ? { port: target.port } : {}),
          ...(target.user !== undefined ? { user: target.user } : {}),
          ...(target.password !== undefined ? { password: target.password } : {}),
          database: 'postgres',
        },
  );
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates the test databases of `settings`, configures them, applies the installed apps'
 * migrations; resolves to the function that drops them.
 */
export async function setUpTestDatabases(settings: {
  readonly databases?: DatabasesSettings;
  readonly installedApps?: readonly App[];
}): Promise<() => Promise<void>> {
  const databases = settings.databases ?? {};
  if (Object.keys(databases).length === 0)
    throw new PorticoError('PORTICO_ERR_DB_CONFIG', 'setUpTestDatabases: the settings configure no database');
  const test: Record<string, DatabaseSettings> = {};
  const drops: Array<() => Promise<void>> = [];
  for (const [alias, db] of Object.entries(databases)) {
    if (db.engine === 'sqlite') {
      const file = db.test?.name;
      if (file !== undefined && file !== ':memory:') {
        rmSync(file, { force: true });
        drops.push(async () => {
          for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
        });
      }
      test[alias] = { ...db, name: file ?? ':memory:' };
    } else {
      const name = db.test?.name ?? `test_${postgresName(db)}`;
      if (!/^[\w$-]+$/.test(name))
        throw new PorticoError(
          'PORTICO_ERR_DB_CONFIG',
          `test database name '${name}' is not a plain identifier`,
        );
      // A test database left by a run that crashed is replaced, as Django does with --noinput.
      await admin(db, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin(db, `CREATE DATABASE "${name}"`);
      drops.push(() => admin(db, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      test[alias] = withDatabase(db, name);
    }
  }
  await connections.reset();
  configureDatabases({ databases: test }); // validated
  connections.pin(connections.settings); // the handler's configureDatabases(settings) leaves it
  const apps = installedApps(settings);
  for (const alias of Object.keys(test)) {
    await migrate(apps, { using: alias });
    const unmigrated = apps.filter((app) => app.migrationsDir === null).flatMap((app) => app.models);
    if (unmigrated.length > 0) await syncModels(unmigrated, { using: alias });
  }
  return async () => {
    await connections.reset();
    for (const drop of drops) await drop();
  };
}
