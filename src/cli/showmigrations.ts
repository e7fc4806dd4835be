/**
 * `portico showmigrations [APP...]`: each app's migrations, `[X]` when applied.
 */
import { showMigrations } from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico showmigrations --help`. */
export const showmigrationsHelp = `Usage: portico showmigrations [APP...] [options]

Lists each installed app's migrations, [X] for applied, [ ] for not.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --database NAME  the database alias (default: default)
  -h, --help       show this help
`;

/** Runs `portico showmigrations`; resolves to the exit code. */
export async function runShowmigrations(args: string[]): Promise<number> {
  const options = parseOptions('showmigrations', args, {
    values: ['settings', 'database'],
    flags: [],
    positionals: 100,
  });
  if (options.flags.has('help')) {
    process.stdout.write(showmigrationsHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    const shown = await showMigrations(
      project.apps,
      options.values.database !== undefined ? { using: options.values.database } : {},
    );
    for (const { app, migrations } of shown) {
      if (options.positionals.length > 0 && !options.positionals.includes(app)) continue;
      process.stdout.write(`${app}\n`);
      if (migrations.length === 0) process.stdout.write(' (no migrations)\n');
      for (const m of migrations) process.stdout.write(` [${m.applied ? 'X' : ' '}] ${m.name}\n`);
    }
    return 0;
  } finally {
    await project.close();
  }
}
