/**
 * The `portico` command: one subcommand per job, one clear line and a non-zero exit on
 * any error.
 */
import { readFileSync } from 'node:fs';
import { hasCode } from '../tsgi/errors.ts';
import { didYouMean } from '../tsgi/index.ts';
import { runServe } from './serve.ts';

const mainHelp = `Usage: portico <command> [options]

Commands:
  serve MODULE:ATTR   serve a TSGI application with a master and workers
  runserver [ADDR]    serve a project for development, reloading on changes
  startproject NAME   create a new project
  check               check a project's configuration
  routes              print a project's URL table
  shell, dbshell      a prompt with the project loaded; the database's own shell
  makemigrations      write the migrations the models need (--check for CI)
  migrate [APP [TO]]  apply (or unapply to a target) the migrations
  showmigrations, sqlmigrate APP NAME, squashmigrations APP END
  dumpdata [APP...], loaddata FILE...   JSON fixtures out of and into the database
  createsuperuser, changepassword [USER]   the auth app's users
  clearsessions, createcachetable          sessions and cache upkeep

Options:
  -h, --help          show this help (portico <command> --help for a command's)
  -V, --version       print the version
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
  squashmigrations: async (args) => (await import('./squashmigrations.ts')).runSquashmigrations(args),
  dumpdata: async (args) => (await import('./dumpdata.ts')).runDumpdata(args),
  loaddata: async (args) => (await import('./loaddata.ts')).runLoaddata(args),
  dbshell: async (args) => (await import('./dbshell.ts')).runDbshell(args),
  shell: async (args) => (await import('./shell.ts')).runShell(args),
  clearsessions: async (args) => (await import('./clearsessions.ts')).runClearsessions(args),
  createcachetable: async (args) => (await import('./createcachetable.ts')).runCreatecachetable(args),
  createsuperuser: async (args) => (await import('./createsuperuser.ts')).runCreatesuperuser(args),
  changepassword: async (args) => (await import('./changepassword.ts')).runChangepassword(args),
};

/** Runs the command line; resolves to the exit code for errors it reported. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(`portico: error: a command is needed\n${mainHelp}`);
    return 2;
  }
  if (command === '-h' || command === '--help') {
    process.stdout.write(mainHelp);
    return 0;
  }
  if (command === '-V' || command === '--version') {
    // The same relative path from src/cli and from dist/cli.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`portico ${pkg.version}\n`);
    return 0;
  }
  // `portico help` is the top-level help; `portico help serve` is serve's.
  if (command === 'help') return rest[0] === undefined ? main(['--help']) : main([rest[0], '--help']);
  const run = commands[command];
  if (run === undefined) {
    const what = command.startsWith('-') ? 'option' : 'command';
    const known = what === 'option' ? ['--help', '--version'] : Object.keys(commands);
    process.stderr.write(
      `portico: error: unknown ${what} '${command}'${didYouMean(command, known)} (try portico --help) [PORTICO_ERR_CLI_USAGE]\n`,
    );
    return 2;
  }
  try {
    return (await run(rest)) ?? 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code ?? 'PORTICO_ERR_APP_FAILED';
    process.stderr.write(`portico: error: ${message} [${code}]\n`);
    // Under the one line: where it went wrong (a source line and its caret), and a hint.
    const detail = (error as { detail?: unknown }).detail;
    if (typeof detail === 'string' && detail !== '') process.stderr.write(`${detail}\n`);
    // A bad option is a usage error wherever it was given: the command line, the
    // environment, a config file or the app module's serverOptions.
    return hasCode(error, 'PORTICO_ERR_CLI_USAGE') || hasCode(error, 'PORTICO_ERR_CONFIG') ? 2 : 1;
  }
}
