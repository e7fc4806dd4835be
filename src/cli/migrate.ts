/**
 * `portico migrate [APP [TARGET]] [--fake]`: applies (or unapplies, to a target) the
 * installed apps' migrations (Django's command).
 */
import { migrate } from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico migrate --help`. */
export const migrateHelp = `Usage: portico migrate [APP [TARGET]] [options]

Applies the installed apps' migrations, each in a transaction. With APP and TARGET (a
migration name or its number, or 'zero'), applies or unapplies APP's migrations to end at
TARGET. Two runs at once do not both apply a migration.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --database NAME  the database alias (default: default)
  --fake           record the migrations as applied (or unapplied) without running them
  -h, --help       show this help
`;

/** Runs `portico migrate`; resolves to the exit code. */
export async function runMigrate(args: string[]): Promise<number> {
  const options = parseOptions('migrate', args, {
    values: ['settings', 'database'],
    flags: ['fake'],
    positionals: 2,
  });
  if (options.flags.has('help')) {
    process.stdout.write(migrateHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    const [app, target] = options.positionals;
    process.stdout.write('Running migrations:\n');
    await migrate(project.apps, {
      ...(app !== undefined ? { app } : {}),
      ...(target !== undefined ? { target } : {}),
      ...(options.values.database !== undefined ? { using: options.values.database } : {}),
      fake: options.flags.has('fake'),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    return 0;
  } finally {
    await project.close();
  }
}
