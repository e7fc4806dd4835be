/**
 * `portico serve MODULE:ATTR`: resolve the options (command line, environment, config
 * file, the app module's `serverOptions`), then run the app server's master.
 */
import {
  formatConfig,
  loadApp,
  resolveServeConfig,
  runAppServer,
  type ServeRequest,
} from '../appserver/index.ts';
import { serveHelp } from './serve-help.ts';

export { serveHelp };

/** Set by `getTsgiApplication` on an application whose settings have `debug` on. */
const DEBUG = Symbol.for('portico.debug');

/** Hosts that mean every interface (a bare port, as in uWSGI, is `0.0.0.0`). */
export const ALL_INTERFACES = new Set(['0.0.0.0', '::', '']);

/** The warning printed when debug pages would be served to the whole network. */
export function allInterfacesWarning(address: string): string {
  return (
    `portico: warning: debug is on and ${address} listens on every interface: anyone who can reach ` +
    'this machine sees the debug pages (tracebacks, settings); listen on 127.0.0.1 or turn debug off'
  );
}

/** Resolves `serve`'s arguments against `env`; throws a one-line error naming a bad option. */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ServeRequest> {
  return resolveServeConfig(args, env);
}

/** Runs `portico serve`; resolves with the exit code once the server has stopped. */
export async function runServe(args: string[]): Promise<number> {
  const request = await parseServeArgs(args);
  if (request.help) {
    process.stdout.write(serveHelp());
    return 0;
  }
  const { config } = request;
  if (config.printConfig) {
    process.stdout.write(formatConfig(request));
    return 0;
  }
  const specs = [...(config.app === undefined ? [] : [{ prefix: '', spec: config.app }]), ...config.mount];
  // Loaded once here so a broken module is one clear error before any worker is forked;
  // the master never calls the application, each worker loads its own.
  const apps = [];
  for (const { spec } of specs) apps.push(await loadApp(spec));
  const debug = apps.some((app) => (app as { [DEBUG]?: unknown })[DEBUG] === true);
  for (const address of config.http) {
    if (debug && !('path' in address) && ALL_INTERFACES.has(address.host)) {
      process.stderr.write(`${allInterfacesWarning(`${address.host}:${address.port}`)}\n`);
    }
  }
  const describe = specs.map((m) => `${m.prefix || '/'} -> ${m.spec}`).join(', ');
  return runAppServer(config, { describe });
}
