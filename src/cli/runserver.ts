/**
 * `portico runserver [HOST:PORT] [--settings PATH] [--noreload]`: the development server
 * (Django's `runserver`). Portico's HTTP server with `debug` on, so errors show the
 * technical pages; one line per request; the project's `static/` folder served at
 * `/static/`; restarted whenever a module or template of the project changes, keeping the
 * last good version serving while a change does not load. Never for production: use
 * `portico serve`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type net from 'node:net';
import { type StaticMapping, staticMap } from '../appserver/index.ts';
import { serve } from '../server/index.ts';
import { PorticoError } from '../tsgi/errors.ts';
import type { Application, StartResponse } from '../tsgi/index.ts';
import { getTsgiApplication, type Settings } from '../web/index.ts';
import { parseOptions } from './options.ts';
import { CONNECTION_MESSAGE, READY_MESSAGE, runWithReloader } from './reloader.ts';
import { ALL_INTERFACES, allInterfacesWarning } from './serve.ts';
import { loadSettingsFile, settingsPath } from './settings-file.ts';

/** `portico runserver --help`. */
export const runserverHelp = `Usage: portico runserver [HOST:PORT | PORT] [--settings PATH] [--static PREFIX=DIR] [--noreload]

Serves a project for development: Portico's HTTP server with debug pages on, one log line
per request, restarted when a module or template under the settings file's directory
changes (a change that fails to load leaves the last good version serving). Not for
production (use portico serve).

Arguments:
  HOST:PORT           where to listen (default 127.0.0.1:8000; a bare PORT is 127.0.0.1)

Options:
  --settings PATH     the settings file (default: $PORTICO_SETTINGS, else ./settings.ts)
  --static PREFIX=DIR serve DIR's files under PREFIX (default: the project's static/
                      folder at /static, when there is one)
  --noreload          do not watch files; serve in this process
  -h, --help          show this help
`;

/** Set in the server child that the reloader runs; it takes connections from its parent. */
const CHILD_ENV = 'PORTICO__RUNSERVER_CHILD';

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

/** `[14:02:03] GET /notes/?page=2 200 4ms`: one line per request, once its status is known. */
export function logRequests(app: Application, write: (line: string) => void): Application {
  return (environ, startResponse) => {
    const started = performance.now();
    const query = environ.QUERY_STRING ? `?${environ.QUERY_STRING}` : '';
    const target = `${environ.SCRIPT_NAME}${environ.PATH_INFO}${query}`;
    const logged: StartResponse = (status, headers, excInfo) => {
      const ms = performance.now() - started;
      const time = new Date().toTimeString().slice(0, 8);
      write(
        `[${time}] ${environ.REQUEST_METHOD} ${target} ${status.slice(0, 3)} ${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`,
      );
      return startResponse(status, headers, excInfo);
    };
    return app(environ, logged);
  };
}

/** The static mapping: `--static PREFIX=DIR`, else `/static` → the project's `static/` when it exists. */
function staticMappings(option: string | undefined, projectDir: string): StaticMapping[] {
  if (option !== undefined) {
    const eq = option.indexOf('=');
    if (eq <= 0 || !option.startsWith('/')) {
      throw new PorticoError(
        'PORTICO_ERR_CLI_USAGE',
        `runserver: --static '${option}' is not PREFIX=DIR (try portico runserver --help)`,
      );
    }
    return [{ prefix: option.slice(0, eq).replace(/\/+$/, ''), dir: resolve(option.slice(eq + 1)) }];
  }
  const dir = resolve(projectDir, 'static');
  return existsSync(dir) && statSync(dir).isDirectory() ? [{ prefix: '/static', dir }] : [];
}

/** The project's application as the development server runs it. */
async function developmentApp(file: string, statics: readonly StaticMapping[]): Promise<Application> {
  const settings = await loadSettingsFile(file);
  const application = getTsgiApplication({ ...settings, debug: true });
  const served = statics.length === 0 ? application : staticMap(application, statics);
  return logRequests(served, (line) => process.stdout.write(`${line}\n`));
}

function banner(url: string, file: string): string {
  return `portico: development server at ${url}/ (settings ${file}, debug on); quit with CONTROL-C\n`;
}

async function untilStopped(): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** `--noreload`: serves the project in this process until SIGINT/SIGTERM. */
async function serveProject(
  file: string,
  address: { host: string; port: number },
  statics: readonly StaticMapping[],
): Promise<number> {
  const server = await serve(await developmentApp(file, statics), { host: address.host, port: address.port });
  process.stdout.write(banner(server.url, file));
  await untilStopped();
  await server.close(1000);
  return 0;
}

/**
 * The reloader's child: loads the project (its errors are printed by the command, and the
 * parent keeps the previous child serving), then serves the connections its parent sends.
 */
async function serveChild(file: string, statics: readonly StaticMapping[]): Promise<number> {
  const application = await developmentApp(file, statics);
  // Its own listener is loopback on a free port, unused: connections come from the parent.
  const server = await serve(application, { host: '127.0.0.1', port: 0 });
  process.on('message', (message, socket) => {
    if (message === CONNECTION_MESSAGE && socket !== undefined) {
      server.listener.emit('connection', socket as net.Socket);
    }
  });
  // An orphan does not outlive its parent.
  const orphaned = new Promise<void>((resolve) => process.once('disconnect', resolve));
  process.send?.(READY_MESSAGE);
  await Promise.race([untilStopped(), orphaned]);
  process.disconnect?.();
  await server.close(1000);
  return 0;
}

/** Runs `portico runserver`; resolves to the exit code. */
export async function runRunserver(args: string[]): Promise<number> {
  const options = parseOptions('runserver', args, {
    values: ['settings', 'static'],
    flags: ['noreload'],
    positionals: 1,
  });
  if (options.flags.has('help')) {
    process.stdout.write(runserverHelp);
    return 0;
  }
  const address = parseAddress(options.positionals[0]);
  const file = settingsPath(options.values.settings);
  const projectDir = dirname(resolve(file));
  const statics = staticMappings(options.values.static, projectDir);
  if (process.env[CHILD_ENV] === '1' && process.send !== undefined) return serveChild(file, statics);
  // Loaded once here too: a missing or broken settings file is one line before anything else.
  const settings: Settings = await loadSettingsFile(file);
  if (ALL_INTERFACES.has(address.host))
    process.stderr.write(`${allInterfacesWarning(`${address.host}:${address.port}`)}\n`);
  if (options.flags.has('noreload')) return serveProject(file, address, statics);
  const bin = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));
  const templateDirs = (settings.templates?.dirs ?? []).map((dir) => resolve(projectDir, dir));
  return runWithReloader({
    dir: projectDir,
    templateDirs,
    host: address.host,
    port: address.port,
    args: [
      ...process.execArgv,
      bin,
      'runserver',
      '--settings',
      file,
      ...(options.values.static === undefined ? [] : ['--static', options.values.static]),
    ],
    env: { [CHILD_ENV]: '1' },
    log: (line) => process.stdout.write(`${line}\n`),
    onListening: (url) => process.stdout.write(banner(url, file)),
  });
}
