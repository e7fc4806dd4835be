/** The TSGI application, for `portico serve app.ts:application` (production). */
import { configureDatabases, migrate } from '../../src/db/index.ts';
import { getTsgiApplication } from '../../src/web/index.ts';
import settings from './settings.ts';

// Migrated on start: each worker runs it, and the migrations serialise (the first applies,
// the others find them applied).
configureDatabases(settings);
await migrate(settings.installedApps);

export const application = getTsgiApplication(settings);
