/**
 * `portico sqlmigrate APP NAME [--backwards] [--vendor sqlite|postgres]`: the SQL a
 * migration runs, without running it.
 */
import { PorticoError } from '../tsgi/errors.ts';
import { connections, sqlForMigration } from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico sqlmigrate --help`. */
export const sqlmigrateHelp = `Usage: portico sqlmigrate APP NAME [options]

Prints the SQL of a migration (NAME or its number) for the project's database, or for
--vendor; nothing is run.

Options:
  --settings PATH    the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --database NAME    the database alias whose vendor to use (default: default)
  --vendor VENDOR    sqlite or postgres, instead of the database's
  --backwards        the SQL that unapplies it
  -h, --help         show this help
`;

/** Runs `portico sqlmigrate`; resolves to the exit code. */
export async function runSqlmigrate(args: string[]): Promise<number> {
  const options = parseOptions('sqlmigrate', args, {
    values: ['settings', 'database', 'vendor'],
    flags: ['backwards'],
    positionals: 2,
  });
  if (options.flags.has('help')) {
    process.stdout.write(sqlmigrateHelp);
    return 0;
  }
  const [app, name] = options.positionals;
  if (app === undefined || name === undefined)
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      'sqlmigrate: give an app and a migration (try portico sqlmigrate --help)',
    );
  const vendor = options.values.vendor;
  if (vendor !== undefined && vendor !== 'sqlite' && vendor !== 'postgres')
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      `sqlmigrate: --vendor must be sqlite or postgres (got '${vendor}')`,
    );
  const project = await loadDbProject(options.values.settings);
  try {
    const statements = await sqlForMigration(project.apps, app, name, {
      vendor: vendor ?? connections.settings[options.values.database ?? 'default']?.engine ?? 'sqlite',
      backwards: options.flags.has('backwards'),
    });
    process.stdout.write('BEGIN;\n');
    for (const s of statements) {
      const params = s.parameters.length > 0 ? ` -- parameters: ${JSON.stringify(s.parameters)}` : '';
      process.stdout.write(`${s.sql};${params}\n`);
    }
    process.stdout.write('COMMIT;\n');
    return 0;
  } finally {
    await project.close();
  }
}
