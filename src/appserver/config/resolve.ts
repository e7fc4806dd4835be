/**
 * From argv and the environment to one checked configuration: finds the config file and
 * the app module, reads the module's `serverOptions`, merges everything by precedence and
 * checks the options against each other.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import {
  type ConfigLayer,
  findRaw,
  mergeLayers,
  objectLayer,
  parseArgv,
  readConfigFile,
  readEnv,
  type ResolvedConfig,
} from './config.ts';
import { loadServerOptions } from '../load.ts';
import { type AppServerConfig, OPTIONS } from './schema.ts';
import { formatHostPort, formatSocketAddress } from './values.ts';

/** What `portico serve` was asked to do. */
export type ServeRequest = { help: true } | ({ help: false } & ResolvedConfig);

/** How to reach the app module's `serverOptions` (replaceable in tests). */
export type ServerOptionsLoader = (spec: string) => Promise<unknown>;

/**
 * Resolves `portico serve ARGS` with `env`: command line > environment > config file >
 * app module `serverOptions` > defaults. Throws a one-line error naming the option and its
 * source (`PORTICO_ERR_CLI_USAGE` for the command line, `PORTICO_ERR_CONFIG` otherwise).
 */
export async function resolveServeConfig(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  loadModuleOptions: ServerOptionsLoader = loadServerOptions,
): Promise<ServeRequest> {
  const argv = parseArgv(args);
  if (argv.help) return { help: true };
  const envLayer = readEnv(env);
  const layers: ConfigLayer[] = [envLayer, argv.layer];
  const configPath = findRaw(layers, 'config');
  if (configPath !== undefined) layers.unshift(readConfigFile(String(configPath)));
  const app = findRaw(layers, 'app');
  if (typeof app === 'string' && app !== '') {
    const serverOptions = await loadModuleOptions(app);
    if (serverOptions !== undefined) {
      layers.unshift(objectLayer(serverOptions, `app module ${app} (serverOptions)`));
    }
  }
  const resolved = mergeLayers(layers);
  applySocketDefault(resolved);
  checkConfig(resolved);
  return { help: false, ...resolved };
}

/**
 * The default HTTP address is a default for "no socket given at all": with only `--uwsgi`
 * (uWSGI's usual deployment behind nginx) no HTTP port is opened that nobody asked for.
 */
export function applySocketDefault({ config, sources }: ResolvedConfig): void {
  if (sources.http === 'default' && config.uwsgiSocket.length > 0) {
    config.http = [];
    sources.http = 'default (none: a uwsgi socket is given)';
  }
}

/** Checks what no single option can: an app to serve, sockets to listen on, the cheaper bounds. */
export function checkConfig({ config, sources }: ResolvedConfig): void {
  const fail = (name: string, message: string) => {
    const source = sources[name] ?? 'default';
    const cli = source.startsWith('command line');
    throw new PorticoError(
      cli ? 'PORTICO_ERR_CLI_USAGE' : 'PORTICO_ERR_CONFIG',
      `${cli ? '--' : ''}${name}: ${message}${cli ? '' : ` (from ${source})`}`,
    );
  };
  if (config.app === undefined && config.mount.length === 0 && !config.printConfig) {
    throw new PorticoError('PORTICO_ERR_CLI_USAGE', 'no application given (MODULE:ATTR or --mount)');
  }
  const sockets = [...config.http, ...config.uwsgiSocket].map(formatSocketAddress);
  if (sockets.length === 0) fail('http', 'no socket to listen on: give --http or --uwsgi');
  const twice = sockets.find((address, i) => sockets.indexOf(address) !== i && !address.endsWith(':0'));
  if (twice !== undefined) {
    const name = config.uwsgiSocket.map(formatSocketAddress).includes(twice) ? 'uwsgi' : 'http';
    fail(name, `${twice} is given twice (each socket serves one protocol)`);
  }
  if (config.cheaper > 0) {
    if (config.cheaper >= config.workers) {
      fail('cheaper', `${config.cheaper} must be below --workers (${config.workers}), the most workers`);
    }
    if (
      config.cheaperInitial !== 0 &&
      (config.cheaperInitial < config.cheaper || config.cheaperInitial > config.workers)
    ) {
      fail('cheaper-initial', `${config.cheaperInitial} must be between --cheaper and --workers`);
    }
    if (config.cheaperBusynessMin >= config.cheaperBusynessMax) {
      fail('cheaper-busyness-min', `must be below cheaper-busyness-max (${config.cheaperBusynessMax})`);
    }
  }
}

function tomlValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null && 'port' in value) {
    return JSON.stringify(formatHostPort(value as { host: string; port: number }));
  }
  if (typeof value === 'object' && value !== null && 'path' in value)
    return JSON.stringify((value as { path: string }).path);
  if (typeof value === 'object' && value !== null && 'dir' in value) {
    const map = value as { prefix: string; dir: string };
    return JSON.stringify(`${map.prefix}=${map.dir}`);
  }
  if (typeof value === 'object' && value !== null && 'prefix' in value) {
    const mount = value as { prefix: string; spec: string };
    return JSON.stringify(`${mount.prefix}=${mount.spec}`);
  }
  return JSON.stringify(value);
}

/**
 * `--print-config`: the merged options as TOML (so the output can become a config file),
 * each with a comment saying where its value came from. Unset options are commented out.
 */
export function formatConfig({ config, sources }: ResolvedConfig): string {
  const lines: string[] = [];
  const width = 44;
  // OPTIONS, not OPTIONS_BY_NAME: an option with aliases is printed once, by its name.
  for (const option of OPTIONS) {
    if (option.notInFile) continue;
    const value = (config as unknown as Record<string, unknown>)[option.key as keyof AppServerConfig];
    const unset = value === undefined || (option.repeatable === true && (value as unknown[]).length === 0);
    const shown = option.format !== undefined && !unset ? option.format(value) : value;
    const assignment = unset ? `# ${option.name} =` : `${option.name} = ${tomlValue(shown)}`;
    lines.push(`${assignment.padEnd(width)} # ${sources[option.name] ?? 'default'}`);
  }
  return `${lines.join('\n')}\n`;
}
