/**
 * `portico loaddata FILE... [--database NAME]`: JSON fixtures into the database, all in one
 * transaction (Django's command).
 */
import { loadData } from '../db/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico loaddata --help`. */
export const loaddataHelp = `Usage: portico loaddata FILE... [options]

Writes the objects of JSON fixtures (as portico dumpdata writes them) into the database, in
one transaction: a row whose primary key exists is updated, the others are inserted, and
foreign keys may point at objects later in the files. On any error nothing is written and
the message names the file and the object.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --database NAME  the database alias (default: default)
  -h, --help       show this help
`;

/** Runs `portico loaddata`; resolves to the exit code. */
export async function runLoaddata(args: string[]): Promise<number> {
  const options = parseOptions('loaddata', args, {
    values: ['settings', 'database'],
    flags: [],
    positionals: 1000,
  });
  if (options.flags.has('help')) {
    process.stdout.write(loaddataHelp);
    return 0;
  }
  if (options.positionals.length === 0)
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      'loaddata: name at least one fixture file (try portico loaddata --help)',
    );
  const project = await loadDbProject(options.values.settings);
  try {
    const result = await loadData(options.positionals, project.apps, {
      ...(options.values.database !== undefined ? { using: options.values.database } : {}),
    });
    const s = (n: number) => (n === 1 ? '' : 's');
    process.stdout.write(
      `Installed ${result.objects} object${s(result.objects)} from ${result.fixtures} fixture${s(result.fixtures)}\n`,
    );
    return 0;
  } finally {
    await project.close();
  }
}
