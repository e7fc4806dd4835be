/**
 * Where options come from, and how they merge: command line > environment
 * (`PORTICO_<OPTION>`) > config file (`--config portico.toml` or `.json`) > the app
 * module's `serverOptions` > defaults. Every value remembers its source, for
 * `--print-config` and for error messages.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { type ErrorCode, PorticoError } from '../../tsgi/errors.ts';
import { closest, didYouMean } from '../../tsgi/suggest.ts';
import {
  type AppServerConfig,
  defaultConfig,
  envName,
  normalizeOptionName,
  OPTIONS,
  OPTIONS_BY_NAME,
  type OptionSpec,
} from './schema.ts';

/** One raw value from one source, not yet parsed. */
export interface RawOption {
  option: OptionSpec;
  raw: unknown;
  /** Where it came from, for messages: `command line --workers`, `environment PORTICO_WORKERS`. */
  source: string;
}

/** A layer of raw values from one source. */
export interface ConfigLayer {
  /** `command line`, `environment`, `config file portico.toml`, `app module app.ts (serverOptions)`. */
  name: string;
  code: ErrorCode;
  values: RawOption[];
}

/** The merged configuration and, for each option, where its value came from. */
export interface ResolvedConfig {
  config: AppServerConfig;
  sources: Record<string, string>;
}

/** What the command line says, besides option values. */
export interface ParsedArgv {
  layer: ConfigLayer;
  help: boolean;
}

function usage(message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_CLI_USAGE', message);
}

/**
 * Parses `portico serve`'s arguments against the schema: `--name VALUE`, `--name=VALUE`,
 * `--flag`, `--no-flag`, `-w 4`, and one positional (the app). Unknown options and missing
 * values are usage errors naming the option.
 */
export function parseArgv(args: readonly string[]): ParsedArgv {
  const values: RawOption[] = [];
  let help = false;
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      const short = OPTIONS.find((o) => o.short === arg[1]);
      if (short === undefined) throw usage(`unknown option '${arg}' (try portico serve --help)`);
      name = short.name;
      inline = arg.length > 2 ? arg.slice(2) : undefined;
    }
    let option = OPTIONS_BY_NAME.get(name);
    let raw: unknown = inline;
    if (option === undefined && name.startsWith('no-')) {
      const negated = OPTIONS_BY_NAME.get(name.slice(3));
      if (negated?.arg === undefined && inline === undefined) {
        option = negated;
        raw = false;
      }
    }
    if (option === undefined) {
      const guess = didYouMean(name, OPTIONS_BY_NAME.keys(), '--');
      throw usage(`unknown option '--${name}'${guess} (try portico serve --help)`);
    }
    if (raw === undefined) {
      if (option.arg === undefined) raw = true;
      else if (i + 1 < args.length) raw = args[++i];
      else throw usage(`--${option.name}: missing value (${option.arg})`);
    }
    values.push({ option, raw, source: `command line --${option.name}` });
  }
  if (positionals.length > 1) {
    throw usage(`one application at the root, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  if (positionals.length === 1) {
    if (values.some((v) => v.option.name === 'app')) {
      throw usage(`the application is given twice: '${positionals[0]}' and --app`);
    }
    values.unshift({
      option: OPTIONS_BY_NAME.get('app') as OptionSpec,
      raw: positionals[0],
      source: 'command line',
    });
  }
  return { layer: { name: 'command line', code: 'PORTICO_ERR_CLI_USAGE', values }, help };
}

/**
 * Reads `PORTICO_<OPTION>` variables. Names with a double underscore (`PORTICO__...`) are
 * the app server's own, passed from master to workers, and are skipped.
 */
export function readEnv(env: NodeJS.ProcessEnv): ConfigLayer {
  const values: RawOption[] = [];
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith('PORTICO_') || key.startsWith('PORTICO__') || raw === undefined) continue;
    const name = normalizeOptionName(key.slice('PORTICO_'.length));
    const option = OPTIONS_BY_NAME.get(name);
    if (option === undefined || envName(name) !== key) {
      const match = closest(name, OPTIONS_BY_NAME.keys());
      const guess = match === undefined ? '' : `; did you mean ${envName(match)}?`;
      throw new PorticoError('PORTICO_ERR_CONFIG', `unknown option ${key} (from the environment)${guess}`);
    }
    values.push({ option, raw, source: `environment ${key}` });
  }
  return { name: 'environment', code: 'PORTICO_ERR_CONFIG', values };
}

/** Turns an object of options (a config file's, or `serverOptions`) into a layer. */
export function objectLayer(object: unknown, name: string): ConfigLayer {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw new PorticoError('PORTICO_ERR_CONFIG', `${name}: expected a table of options`);
  }
  const values: RawOption[] = [];
  for (const [key, raw] of Object.entries(object)) {
    const option = OPTIONS_BY_NAME.get(normalizeOptionName(key));
    if (option === undefined)
      throw new PorticoError(
        'PORTICO_ERR_CONFIG',
        `unknown option '${key}' (from ${name})${didYouMean(key, OPTIONS_BY_NAME.keys())}`,
      );
    if (option.notInFile) {
      throw new PorticoError(
        'PORTICO_ERR_CONFIG',
        `'${key}' can only be given on the command line or in the environment (from ${name})`,
      );
    }
    values.push({ option, raw, source: name });
  }
  return { name, code: 'PORTICO_ERR_CONFIG', values };
}

/** Reads a `.toml` or `.json` config file into a layer. */
export function readConfigFile(path: string): ConfigLayer {
  const name = `config file ${path}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PorticoError(
      'PORTICO_ERR_CONFIG',
      `cannot read config file ${path}: ${(error as Error).message}`,
    );
  }
  const kind = extname(path).toLowerCase();
  let object: unknown;
  try {
    if (kind === '.toml') object = parseToml(text);
    else if (kind === '.json') object = JSON.parse(text);
    else throw new Error('the name must end in .toml or .json');
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new PorticoError('PORTICO_ERR_CONFIG', `config file ${path}: ${reason}`);
  }
  return objectLayer(object, name);
}

/** Parses one raw value; a bad value is one line naming the option and its source. */
function parseValue(value: RawOption, code: ErrorCode): unknown {
  try {
    return value.option.parse(value.raw);
  } catch (error) {
    const where = code === 'PORTICO_ERR_CLI_USAGE' ? '--' : '';
    const from = code === 'PORTICO_ERR_CLI_USAGE' ? '' : ` (from ${value.source})`;
    throw new PorticoError(code, `${where}${value.option.name}: ${(error as Error).message}${from}`);
  }
}

/**
 * Merges layers given lowest precedence first. A later layer replaces an earlier one's
 * value; within one layer a repeatable option (`mount`) accumulates.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): ResolvedConfig {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  const sources: Record<string, string> = {};
  for (const option of OPTIONS) sources[option.name] = 'default';
  for (const layer of layers) {
    const seen = new Set<string>();
    for (const value of layer.values) {
      const parsed = parseValue(value, layer.code);
      const { key, name, repeatable } = value.option;
      if (repeatable && seen.has(name)) (config[key] as unknown[]).push(...(parsed as unknown[]));
      else config[key] = parsed;
      seen.add(name);
      sources[name] = value.source;
    }
  }
  return { config: config as unknown as AppServerConfig, sources };
}

/** Where to find a config file and the app, looking at the layers that can name them. */
export function findRaw(layers: readonly ConfigLayer[], name: string): unknown {
  let found: unknown;
  for (const layer of layers)
    for (const value of layer.values) if (value.option.name === name) found = value.raw;
  return found;
}
