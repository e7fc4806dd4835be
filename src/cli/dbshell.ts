/**
 * `portico dbshell [--database ALIAS]`: the database's own shell (`sqlite3` or `psql`)
 * with the project's connection settings (Django's command).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PorticoError } from '../tsgi/errors.ts';
import { connections } from '../db/index.ts';
import { loadDbProject } from './db-project.ts';
import { parseOptions } from './options.ts';

/** `portico dbshell --help`. */
export const dbshellHelp = `Usage: portico dbshell [options] [-- ARGS...]

Runs the database's command-line client with the project's settings: sqlite3 on the
SQLite file, psql with the PostgreSQL url or host, port, user, password and name.

Options:
  --settings PATH  the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --database NAME  the database alias (default: default)
  -h, --help       show this help
`;

/** The client and its arguments and environment for a database's settings. */
export function shellCommand(settings: {
  engine: string;
  name?: string;
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
}): { command: string; args: string[]; env: Record<string, string> } {
  if (settings.engine === 'sqlite') return { command: 'sqlite3', args: [settings.name as string], env: {} };
  const env: Record<string, string> = {};
  if (settings.host !== undefined) env.PGHOST = settings.host;
  if (settings.port !== undefined) env.PGPORT = String(settings.port);
  if (settings.user !== undefined) env.PGUSER = settings.user;
  // The password goes through the environment, never the command line (ps shows that).
  if (settings.password !== undefined) env.PGPASSWORD = settings.password;
  if (settings.name !== undefined) env.PGDATABASE = settings.name;
  return { command: 'psql', args: settings.url !== undefined ? [settings.url] : [], env };
}

/** Runs `portico dbshell`; resolves to the client's exit code. */
export async function runDbshell(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash === -1 ? args : args.slice(0, dash);
  const extra = dash === -1 ? [] : args.slice(dash + 1);
  const options = parseOptions('dbshell', own, { values: ['settings', 'database'], flags: [] });
  if (options.flags.has('help')) {
    process.stdout.write(dbshellHelp);
    return 0;
  }
  const project = await loadDbProject(options.values.settings);
  await project.close();
  const alias = options.values.database ?? 'default';
  const settings = connections.settings[alias];
  if (settings === undefined)
    throw new PorticoError('PORTICO_ERR_CLI_USAGE', `dbshell: no database '${alias}' in the settings`);
  const { command, args: clientArgs, env } = shellCommand(settings);
  const child = spawn(command, [...clientArgs, ...extra], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const [code] = (await Promise.race([
    once(child, 'exit'),
    once(child, 'error').then(([error]) => {
      throw new PorticoError(
        'PORTICO_ERR_CLI_USAGE',
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? `dbshell: '${command}' is not installed or not on the PATH`
          : `dbshell: ${command} failed: ${(error as Error).message}`,
      );
    }),
  ])) as [number | null];
  return code ?? 1;
}
