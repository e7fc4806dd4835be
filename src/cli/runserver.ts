/**
 * `portico runserver [HOST:PORT] [--settings PATH] [--noreload]`: the development server
 * (Django's `runserver`). One process running Portico's HTTP server with `debug` on, so
 * errors show the technical pages, restarted whenever a file of the project changes.
 * Never for production: use `portico serve`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../server/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { getTsgiApplication } from '../web/index.ts';
import { parseOptions } from './options.ts';
import { runWithReloader } from './reloader.ts';
import { loadSettingsFile, settingsPath } from './settings-file.ts';

/** `portico runserver --help`. */
export const runserverHelp = `Usage: portico runserver [HOST:PORT | PORT] [--settings PATH] [--noreload]

Serves a project for development: Portico's HTTP server in one process, debug pages on,
restarted when a file under the settings file's directory changes. Not for production
(use portico serve).

Arguments:
  HOST:PORT         where to listen (default 127.0.0.1:8000)

Options:
  --settings PATH   the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --noreload        do not watch files; serve in this process
  -h, --help        show this help
`;

/** The address to listen on: `8000`, `0.0.0.0:8000`, `[::1]:8000`; default 127.0.0.1:8000. */
export function parseAddress(text: string | undefined): { host: string; port: number } {
  if (text === undefined) return { host: '127.0.0.1', port: 8000 };
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:]+):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) {
    throw new PorticoError(
      'PORTICO_ERR_CLI_USAGE',
      `runserver: '${text}' is not an address (PORT or HOST:PORT) (try portico runserver --help)`,
    );
  }
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1'), port };
}

/** Serves the project in this process until SIGINT/SIGTERM. */
async function serveProject(file: string, address: { host: string; port: number }): Promise<number> {
  const settings = await loadSettingsFile(file);
  const application = getTsgiApplication({ ...settings, debug: true });
  const server = await serve(application, { host: address.host, port: address.port });
  process.stdout.write(
    `portico: development server at ${server.url}/ (settings ${file}, debug on); quit with CONTROL-C\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close(1000);
  return 0;
}

/** Runs `portico runserver`; resolves to the exit code. */
export async function runRunserver(args: string[]): Promise<number> {
  const options = parseOptions('runserver', args, {
    values: ['settings'],
    flags: ['noreload'],
    positionals: 1,
  });
  if (options.flags.has('help')) {
    process.stdout.write(runserverHelp);
    return 0;
  }
  const address = parseAddress(options.positionals[0]);
  const file = settingsPath(options.values.settings);
  if (options.flags.has('noreload')) return serveProject(file, address);
  // Load once here too: a missing or broken settings file is one line before any watching.
  await loadSettingsFile(file);
  const bin = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));
  return runWithReloader({
    dir: dirname(resolve(file)),
    args: [
      ...process.execArgv,
      bin,
      'runserver',
      `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
      '--settings',
      file,
      '--noreload',
    ],
    env: {},
    log: (line) => process.stdout.write(`${line}\n`),
  });
}
