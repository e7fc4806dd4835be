/**
 * `portico createcachetable`: creates the tables of the caches using the `database`
 * backend (Django's command); existing tables are left alone.
 */
import { caches, configureCaches, createCacheTable } from '../contrib/cache/index.ts';
import { resolveSettings, type Settings } from '../web/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico createcachetable --help`. */
export const createcachetableHelp = `Usage: portico createcachetable [options]

Creates the table of each cache whose backend is 'database' (settings.caches).

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --dry-run        print the tables it would create, and create none
  -h, --help       show this help
`;

/** Runs `portico createcachetable`; resolves to the exit code. */
export async function runCreatecachetable(args: string[]): Promise<number> {
  const options = parseOptions('createcachetable', args, {
    values: ['settings'],
    flags: ['dry-run'],
    positionals: 0,
  });
  if (options.flags.has('help')) {
    process.stdout.write(createcachetableHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    configureCaches(resolveSettings(project.settings as Settings, { source: project.file }));
    let found = 0;
    for (const alias of caches.aliases()) {
      const cache = caches.settingsOf(alias);
      if (cache?.backend !== 'database' || cache.location === undefined) continue;
      found++;
      const database = typeof cache.options?.database === 'string' ? cache.options.database : 'default';
      if (options.flags.has('dry-run')) {
        process.stdout.write(`Would create the cache table '${cache.location}' (database '${database}').\n`);
        continue;
      }
      const created = await createCacheTable(cache.location, database);
      process.stdout.write(
        created
          ? `Created the cache table '${cache.location}'.\n`
          : `Cache table '${cache.location}' already exists.\n`,
      );
    }
    if (found === 0) process.stdout.write('No cache uses the database backend: nothing to create.\n');
    await caches.closeAll();
    return 0;
  } finally {
    await project.close();
  }
}
