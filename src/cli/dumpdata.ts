/**
 * `portico dumpdata [APP[.MODEL]...] [--indent N] [--output FILE] [--database NAME]`: the
 * database's rows as a JSON fixture (Django's command), for `portico loaddata`.
 */
import { writeFileSync } from 'node:fs';
import { dumpData, serializeFixture } from '../db/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico dumpdata --help`. */
export const dumpdataHelp = `Usage: portico dumpdata [APP[.MODEL]...] [options]

Prints the rows of the installed apps' models (or of the apps and models named) as a JSON
fixture: [{"model": "app.model", "pk": 1, "fields": {...}}, ...], which portico loaddata
reads back. A foreign key is the target's primary key, a many-to-many relation a list of them.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --database NAME  the database alias (default: default)
  --indent N       pretty-print with N spaces (default: one line)
  --output FILE    write to FILE instead of standard output
  -h, --help       show this help
`;

/** Runs `portico dumpdata`; resolves to the exit code. */
export async function runDumpdata(args: string[]): Promise<number> {
  const options = parseOptions('dumpdata', args, {
    values: ['settings', 'database', 'indent', 'output'],
    flags: [],
    positionals: 1000,
  });
  if (options.flags.has('help')) {
    process.stdout.write(dumpdataHelp);
    return 0;
  }
  const indentText = options.values.indent;
  const indent = indentText === undefined ? undefined : Number(indentText);
  if (indent !== undefined && !(Number.isInteger(indent) && indent >= 0 && indent <= 10))
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      `dumpdata: --indent must be 0 to 10, got '${indentText}'`,
    );
  const project = await loadDbProject(options.values.settings);
  try {
    const objects = await dumpData(project.apps, {
      labels: options.positionals,
      ...(options.values.database !== undefined ? { using: options.values.database } : {}),
    });
    const text = serializeFixture(objects, indent);
    if (options.values.output !== undefined) writeFileSync(options.values.output, text);
    else process.stdout.write(text);
    return 0;
  } finally {
    await project.close();
  }
}
