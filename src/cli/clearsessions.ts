/**
 * `portico clearsessions`: deletes expired sessions (Django's command) from the stores
 * that keep them (`db`, `cachedDb`, or a store of your own with `clearExpired`); caches and
 * signed cookies expire on their own.
 */
import { configureCaches } from '../contrib/cache/index.ts';
import { sessionSettingsOf, sessionStoreFor } from '../contrib/sessions/index.ts';
import { resolveSettings, type Settings } from '../web/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico clearsessions --help`. */
export const clearsessionsHelp = `Usage: portico clearsessions [options]

Deletes the expired sessions of the project's session store (run it from cron).

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  -h, --help       show this help
`;

/** Runs `portico clearsessions`; resolves to the exit code. */
export async function runClearsessions(args: string[]): Promise<number> {
  const options = parseOptions('clearsessions', args, { values: ['settings'], flags: [], positionals: 0 });
  if (options.flags.has('help')) {
    process.stdout.write(clearsessionsHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    const settings = resolveSettings(project.settings as Settings, { source: project.file });
    configureCaches(settings);
    const store = sessionStoreFor(settings);
    if (store.clearExpired === undefined) {
      const engine = sessionSettingsOf(settings).engine ?? 'db';
      process.stdout.write(
        `The session engine ${typeof engine === 'string' ? `'${engine}'` : '(your own)'} expires sessions itself: nothing to clear.\n`,
      );
      return 0;
    }
    const count = await store.clearExpired();
    process.stdout.write(`Deleted ${count} expired session${count === 1 ? '' : 's'}.\n`);
    return 0;
  } finally {
    await project.close();
  }
}
