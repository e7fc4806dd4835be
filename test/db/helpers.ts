/**
 * Database tests run on SQLite always and on PostgreSQL when TEST_POSTGRES_URL
 * names a server (CI starts a throwaway cluster): each suite gets a fresh database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach } from 'node:test';
import pg from 'pg';
import { configureDatabases, connections, type DatabaseSettings, SchemaEditor } from '../../src/db/index.ts';
import type { AnyModelClass } from '../../src/db/models.ts';
import { specOf } from '../../src/db/schema.ts';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

/** The vendors to test on. */
export const VENDORS: ReadonlyArray<'sqlite' | 'postgres'> = POSTGRES_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

/** A fresh, empty database of a vendor; `drop()` removes it. */
export interface TestDatabase {
  readonly settings: DatabaseSettings;
  drop(): Promise<void>;
}

export async function createTestDatabase(
  vendor: 'sqlite' | 'postgres',
  options: { file?: boolean } = {},
): Promise<TestDatabase> {
  if (vendor === 'sqlite') {
    if (options.file !== true)
      return { settings: { engine: 'sqlite', name: ':memory:' }, drop: async () => {} };
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-db-'));
    return {
      settings: { engine: 'sqlite', name: path.join(dir, 'db.sqlite3') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `portico_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL as string);
  url.pathname = `/${name}`;
  return {
    settings: { engine: 'postgres', url: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Configures `default` on a fresh database of `vendor` and creates the models' tables. */
export async function setUpDatabase(
  vendor: 'sqlite' | 'postgres',
  models: readonly AnyModelClass[],
  options: { file?: boolean; atomicRequests?: boolean } = {},
): Promise<TestDatabase> {
  const db = await createTestDatabase(vendor, options);
  await connections.reset();
  configureDatabases({
    databases: { default: { ...db.settings, ...(options.atomicRequests ? { atomicRequests: true } : {}) } },
  });
  const editor = new SchemaEditor(
    vendor,
    (label) => specOf(models.find((m) => m.meta.label === label) as AnyModelClass),
    connections.get().kysely,
  );
  for (const model of models) await editor.createModel(specOf(model));
  return {
    settings: db.settings,
    drop: async () => {
      await connections.reset();
      await db.drop();
    },
  };
}

/** Empties the models' tables (children first). */
export async function truncate(models: readonly AnyModelClass[]): Promise<void> {
  const db = connections.get();
  for (const model of [...models].reverse()) await db.kysely.deleteFrom(model.meta.table).execute();
}

/**
 * In a `describe`: a fresh database of `vendor` with the models' tables for the suite,
 * emptied before each test, then `seed`ed; `fixture.data` is what the seed returned.
 */
export function useDatabase<T>(
  vendor: 'sqlite' | 'postgres',
  models: readonly AnyModelClass[],
  seed: () => Promise<T>,
): { readonly data: T } {
  const fixture = { data: undefined as T };
  let database: TestDatabase | undefined;
  before(async () => {
    database = await setUpDatabase(vendor, models);
  });
  after(async () => database?.drop());
  beforeEach(async () => {
    await truncate(models);
    fixture.data = await seed();
  });
  return fixture;
}
