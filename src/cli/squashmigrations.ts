/**
 * `portico squashmigrations APP [START] END [--squashed-name NAME] [--no-optimize]`: one
 * migration in place of several (Django's command).
 */
import { squashMigrations } from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico squashmigrations --help`. */
export const squashmigrationsHelp = `Usage: portico squashmigrations APP [START] END [options]

Writes one migration that does what APP's migrations from START (default its first) to END
do, their operations concatenated and optimised (a field added to a model created earlier
joins its CreateModel; a field added then removed, a model created then deleted, vanish).
It replaces them: a database that applied none or all of them uses it from now on, one in
between finishes with the originals. Delete the originals once every database has it.

Options:
  --settings PATH         the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --squashed-name NAME    the new migration's name (default START_squashed_END)
  --no-optimize           concatenate the operations without optimising them
  -h, --help              show this help
`;

/** Runs `portico squashmigrations`; resolves to the exit code. */
export async function runSquashmigrations(args: string[]): Promise<number> {
  const options = parseOptions('squashmigrations', args, {
    values: ['settings', 'squashed-name'],
    flags: ['no-optimize'],
    positionals: 3,
  });
  if (options.flags.has('help')) {
    process.stdout.write(squashmigrationsHelp);
    return 0;
  }
  const [app, first, second] = options.positionals;
  if (app === undefined || first === undefined) {
    process.stderr.write(`portico squashmigrations: give APP and END\n${squashmigrationsHelp}`);
    return 2;
  }
  const [start, end] = second === undefined ? [undefined, first] : [first, second];
  const project = await loadDbProject(options.values.settings);
  try {
    const squashed = await squashMigrations(project.apps, app, end, {
      ...(start !== undefined ? { start } : {}),
      ...(options.values['squashed-name'] !== undefined ? { name: options.values['squashed-name'] } : {}),
      optimize: !options.flags.has('no-optimize'),
    });
    process.stdout.write(`Created new squashed migration ${squashed.file}\n`);
    for (const operation of squashed.operations) process.stdout.write(`  - ${operation.describe()}\n`);
    return 0;
  } finally {
    await project.close();
  }
}
