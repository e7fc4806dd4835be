/**
 * `portico makemigrations [APP...] [--name NAME] [--empty] [--check] [--dry-run] [--no-input]`:
 * writes the migrations the models need (Django's command).
 */
import { createInterface } from 'node:readline/promises';
import { makeMigrations, type Questioner } from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico makemigrations --help`. */
export const makemigrationsHelp = `Usage: portico makemigrations [APP...] [options]

Compares the installed apps' models with their migration files and writes the next
migration of each app that changed. A field that disappeared while a similar one appeared
is a rename only if you say so, and so is a model that disappeared while one with the
same fields appeared (asked on a terminal; never with --no-input).

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --name NAME      the new migration's name after its number
  --empty          write an empty migration (for RunSQL/RunTS) for the one APP given
  --merge          for an app with two leaf migrations, write one depending on both
  --check          write nothing; exit 1 with one line on stderr if the models need
                   a migration (for CI)
  --dry-run        print what would be written, write nothing
  --no-input       ask nothing (renames become remove + add, delete + create)
  -h, --help       show this help
`;

function terminalQuestioner(): Questioner {
  return {
    async askRename(model, from, to) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        const answer = await rl.question(`Was ${model}.${from} renamed to ${model}.${to}? [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    async askRenameModel(app, from, to) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        const answer = await rl.question(`Was the model ${app}.${from} renamed to ${to}? [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}

/** Runs `portico makemigrations`; resolves to the exit code. */
export async function runMakemigrations(args: string[]): Promise<number> {
  const options = parseOptions('makemigrations', args, {
    values: ['settings', 'name'],
    flags: ['empty', 'merge', 'check', 'dry-run', 'no-input'],
    positionals: 100,
  });
  if (options.flags.has('help')) {
    process.stdout.write(makemigrationsHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  try {
    const check = options.flags.has('check');
    const interactive = !check && !options.flags.has('no-input') && process.stdin.isTTY === true;
    const written = await makeMigrations(project.apps, {
      ...(options.positionals.length > 0 ? { apps: options.positionals } : {}),
      ...(options.values.name !== undefined ? { name: options.values.name } : {}),
      empty: options.flags.has('empty'),
      merge: options.flags.has('merge'),
      dryRun: check || options.flags.has('dry-run'),
      ...(interactive ? { questioner: terminalQuestioner() } : {}),
    });
    if (written.length === 0) {
      process.stdout.write('No changes detected\n');
      return 0;
    }
    for (const migration of written) {
      process.stdout.write(`Migrations for '${migration.app}':\n  ${migration.file}\n`);
      for (const operation of migration.operations) process.stdout.write(`    - ${operation.describe()}\n`);
      if (options.flags.has('dry-run')) process.stdout.write(`\n${migration.source}\n`);
    }
    if (!check) return 0;
    const labels = [...new Set(written.map((migration) => `'${migration.app}'`))].join(', ');
    process.stderr.write(
      `makemigrations --check: the models of ${labels} have changes without a migration; run portico makemigrations\n`,
    );
    return 1;
  } finally {
    await project.close();
  }
}
