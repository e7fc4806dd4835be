/**
 * The `portico` command: one subcommand per job, one clear line and a non-zero exit on
 * any error.
 */
import { readFileSync } from 'node:fs';
import { hasCode } from '../tsgi/errors.ts';
import { runServe, serveHelp } from './serve.ts';

const mainHelp = `Usage: portico <command> [options]

Commands:
  serve MODULE:ATTR   serve a TSGI application with a master and workers (portico serve --help)
  check               check a project's configuration (--settings PATH, default ./settings.ts)
  routes              print a project's URL table, as text or --json
  runserver [ADDR]    serve a project for development, reloading on changes (default 127.0.0.1:8000)
  startproject NAME   create a new project directory that serves, checks and tests clean
  makemigrations      write the migrations the models need (--check for CI)
  migrate [APP [TO]]  apply (or unapply to a target) the migrations
  showmigrations      list each app's migrations, applied or not
  sqlmigrate APP NAME print the SQL of a migration
  dbshell             the database's own shell (sqlite3 or psql) with the project's settings
  shell               a prompt with the settings loaded and the models in scope

Options:
  -h, --help          show this help
  --version           print the version
`;

// The project commands load the web framework (and its dependencies), which `serve` does
// not need: they are imported only when run.
const commands: Record<string, (args: string[]) => Promise<number | void>> = {
  serve: runServe,
  check: async (args) => (await import('./check.ts')).runCheck(args),
  routes: async (args) => (await import('./routes.ts')).runRoutes(args),
  runserver: async (args) => (await import('./runserver.ts')).runRunserver(args),
  startproject: async (args) => (await import('./startproject.ts')).runStartproject(args),
  makemigrations: async (args) => (await import('./makemigrations.ts')).runMakemigrations(args),
  migrate: async (args) => (await import('./migrate.ts')).runMigrate(args),
  showmigrations: async (args) => (await import('./showmigrations.ts')).runShowmigrations(args),
  sqlmigrate: async (args) => (await import('./sqlmigrate.ts')).runSqlmigrate(args),
  dbshell: async (args) => (await import('./dbshell.ts')).runDbshell(args),
  shell: async (args) => (await import('./shell.ts')).runShell(args),
};

/** Runs the command line; resolves to the exit code for errors it reported. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    if (command === undefined) process.stderr.write(mainHelp);
    else process.stdout.write(`${mainHelp}\n${serveHelp()}`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    // The same relative path from src/cli and from dist/cli.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`portico ${pkg.version}\n`);
    return 0;
  }
  const run = commands[command];
  if (run === undefined) {
    process.stderr.write(`portico: error: unknown command '${command}' (try portico --help)\n`);
    return 2;
  }
  try {
    return (await run(rest)) ?? 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code ?? 'PORTICO_ERR_APP_FAILED';
    process.stderr.write(`portico: error: ${message} [${code}]\n`);
    // A bad option is a usage error wherever it was given: the command line, the
    // environment, a config file or the app module's serverOptions.
    return hasCode(error, 'PORTICO_ERR_CLI_USAGE') || hasCode(error, 'PORTICO_ERR_CONFIG') ? 2 : 1;
  }
}
