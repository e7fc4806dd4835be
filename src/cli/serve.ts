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
  for (const { spec } of specs) await loadApp(spec);
  const describe = specs.map((m) => `${m.prefix || '/'} -> ${m.spec}`).join(', ');
  return runAppServer(config, { describe });
}
