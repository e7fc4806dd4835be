/**
 * `portico shell`: a REPL with the project's settings loaded, its databases configured
 * and every installed app's models in scope (Django's `shell`), with top-level await.
 */
import repl from 'node:repl';
import * as db from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico shell --help`. */
export const shellHelp = `Usage: portico shell [options]

An interactive prompt (JavaScript) with the project's settings loaded: every
installed app's models by name (Note, Organization, ...), 'settings', and the database
layer as 'db' (db.atomic, db.Q, db.Count, ...). 'await' works at the top level.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  -h, --help       show this help
`;

/** Runs `portico shell`; resolves when the prompt is closed. */
export async function runShell(args: string[]): Promise<number> {
  const options = parseOptions('shell', args, { values: ['settings'], flags: [] });
  if (options.flags.has('help')) {
    process.stdout.write(shellHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  const models = project.apps.flatMap((app) => app.models);
  const interactive = process.stdin.isTTY === true;
  if (interactive)
    process.stdout.write(
      `Portico shell: ${models.map((m) => m.meta.modelName).join(', ') || 'no models'} in scope (${project.file}).\n`,
    );
  const server = repl.start({
    prompt: interactive ? '>>> ' : '',
    terminal: interactive,
    ignoreUndefined: true,
  });
  Object.assign(server.context, { db, settings: project.settings });
  for (const model of models) server.context[model.meta.modelName] = model;
  await new Promise<void>((resolve) => server.on('exit', () => resolve()));
  await project.close();
  return 0;
}
