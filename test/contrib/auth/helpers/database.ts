/**
 * A fresh database per suite (SQLite in memory, or a PostgreSQL database of its own when
 * TEST_POSTGRES_URL is set), with auth migrated (so `postMigrate` creates permissions) and
 * the other apps' tables made from their models.
 */
import { type App, configureDatabases, connections, migrate, syncModels } from '../../../../src/db/index.ts';
import { authApp } from '../../../../src/contrib/auth/index.ts';
import { createTestDatabase } from '../../../db/helpers.ts';

export { VENDORS } from '../../../db/helpers.ts';

/** Sets up `default`; resolves to the function that drops it. */
export async function setUpAuthDatabase(
  vendor: 'sqlite' | 'postgres',
  apps: readonly App[] = [],
): Promise<() => Promise<void>> {
  const db = await createTestDatabase(vendor);
  await connections.reset();
  configureDatabases({ databases: { default: db.settings } });
  await migrate([authApp, ...apps]);
  const unmigrated = apps.filter((a) => a.migrationsDir === null).flatMap((a) => a.models);
  if (unmigrated.length > 0) await syncModels(unmigrated);
  return async () => {
    await connections.reset();
    await db.drop();
  };
}
