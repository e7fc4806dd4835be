/**
 * Parsing option values: sizes (`16m`), durations in seconds, counts, addresses, lists.
 *
 * A value arrives as text from the command line or the environment, and as text or an
 * already-typed value (a TOML integer, a JSON array) from a config file or the app
 * module's `serverOptions`. Each parser accepts both and throws a plain `Error` whose
 * message says what is wrong with the value; the config layer adds the option name and
 * where the value came from.
 *
 * @module
 */
import { isIP } from 'node:net';

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function text(raw: unknown): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new Error(`${JSON.stringify(raw)} is not a single value`);
}

/** `1048576`, `512k`, `16m`, `1g` → bytes. */
export function parseSize(raw: unknown): number {
  const match = /^(\d+)([kmg]?)b?$/i.exec(text(raw));
  if (match === null) throw new Error(`'${text(raw)}' is not a size (bytes, or with k/m/g)`);
  return Number(match[1]) * (SIZE_UNITS[(match[2] as string).toLowerCase()] as number);
}

/** A non-negative number of seconds (fractions allowed). */
export function parseSeconds(raw: unknown): number {
  const value = text(raw);
  if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`'${value}' is not a number of seconds`);
  return Number(value);
}

/** An integer ≥ `min` (1 unless said otherwise). */
export function parseInteger(raw: unknown, min = 1): number {
  const value = text(raw);
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new Error(`'${value}' is not ${min === 0 ? 'a non-negative' : 'a positive'} integer`);
  }
  return Number(value);
}

/** A percentage, 0 to 100. */
export function parsePercent(raw: unknown): number {
  const value = parseInteger(raw, 0);
  if (value > 100) throw new Error(`'${value}' is not a percentage (0..100)`);
  return value;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`. */
export function parseBool(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const value = text(raw).toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new Error(`'${value}' is not a boolean (true/false)`);
}

/** An address: `HOST:PORT`, `:PORT` or `PORT`; IPv6 in brackets (`[::1]:8000`). */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses `HOST:PORT` (see {@link HostPort}); a missing host means all interfaces. */
export function parseHostPort(raw: unknown): HostPort {
  const value = text(raw);
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new Error(`'${value}' is not HOST:PORT`);
  return { host: match[1] || match[2] || '0.0.0.0', port };
}

/** Formats a {@link HostPort} back to text (`[::1]:8000` for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A comma-separated list, or an array of strings. */
export function parseList(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw.map((item) => text(item)) : text(raw).split(',');
  return items.map((item) => item.trim()).filter(Boolean);
}

/**
 * A list of peers: IPs, CIDR networks (`10.0.0.0/8`) or `*`, checked now so that a typo is
 * a configuration error naming its option, not a worker that fails to start.
 */
export function parseAddressList(raw: unknown): string[] {
  const list = parseList(raw);
  for (const entry of list) {
    if (entry === '*') continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const badBits = bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > maxBits);
    if (family === 0 || badBits || extra !== undefined)
      throw new Error(`'${entry}' is not an IP, a CIDR or *`);
  }
  return list;
}

/** One of `choices`. */
export function parseChoice(raw: unknown, choices: readonly string[]): string {
  const value = text(raw);
  if (!choices.includes(value)) throw new Error(`'${value}' is not one of ${choices.join(', ')}`);
  return value;
}

/** `MODULE:FUNCTION`, the form hooks are named in (the module relative to the working directory). */
export function parseExportSpec(raw: unknown): string {
  const value = text(raw);
  if (!/^.+:[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(value)) {
    throw new Error(`'${value}' is not MODULE:FUNCTION`);
  }
  return value;
}

/** A mount: `/PREFIX=MODULE:ATTR`. */
export interface MountSpec {
  prefix: string;
  spec: string;
}

/**
 * Mounts: `/PREFIX=MODULE:ATTR` strings (one, or an array), or, from a file, a table
 * `{ "/api" = "api.ts:application" }`.
 */
export function parseMounts(raw: unknown): MountSpec[] {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    return Object.entries(raw).map(([prefix, spec]) => parseMount(`${prefix}=${text(spec)}`));
  }
  return (Array.isArray(raw) ? raw : [raw]).map((entry) => parseMount(text(entry)));
}

function parseMount(entry: string): MountSpec {
  const eq = entry.indexOf('=');
  if (eq <= 0 || !entry.startsWith('/')) throw new Error(`'${entry}' is not /PREFIX=MODULE:ATTR`);
  return { prefix: entry.slice(0, eq), spec: entry.slice(eq + 1) };
}

/** A listening socket: `HOST:PORT`, or a unix socket path. */
export type SocketAddress = HostPort | { path: string };

/**
 * Parses a socket address: a unix socket path when it contains `/` (or is written
 * `unix:PATH`, gunicorn's spelling), else `HOST:PORT`.
 */
export function parseSocketAddress(raw: unknown): SocketAddress {
  const value = text(raw);
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length);
    if (path === '') throw new Error(`'${value}' has no socket path`);
    return { path };
  }
  return value.includes('/') ? { path: value } : parseHostPort(value);
}

/**
 * Socket addresses: one, a comma-separated list (handy in an environment variable), or an
 * array (from a file). Repeated on the command line, the values accumulate.
 */
export function parseSocketList(raw: unknown): SocketAddress[] {
  const items = Array.isArray(raw) ? raw.map((item) => text(item)) : text(raw).split(',');
  return items
    .map((item) => item.trim())
    .filter(Boolean)
    .map(parseSocketAddress);
}

/** Formats a {@link SocketAddress} back to text: `HOST:PORT` or the path. */
export function formatSocketAddress(address: SocketAddress): string {
  return 'path' in address ? address.path : formatHostPort(address);
}

/** A static mapping: `/PREFIX=DIR`. */
export interface StaticMapSpec {
  prefix: string;
  dir: string;
}

/** Static mappings: `/PREFIX=DIR` strings (one, or an array), or a table `{ "/static" = "public" }`. */
export function parseStaticMaps(raw: unknown): StaticMapSpec[] {
  return parseMounts(raw).map(({ prefix, spec }) => ({ prefix, dir: spec }));
}

/** A file mode in octal (`660`, `0o660`). */
export function parseMode(raw: unknown): number {
  const value = text(raw).replace(/^0o/, '');
  if (!/^[0-7]{3,4}$/.test(value)) throw new Error(`'${text(raw)}' is not an octal file mode`);
  return parseInt(value, 8);
}
