/**
 * Parsing option values: sizes (`16m`), durations in seconds, counts, addresses.
 * Each parser throws a usage error that names the option.
 */
import { PorticoError } from '../tsgi/errors.ts';

function usage(option: string, message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_CLI_USAGE', `--${option}: ${message}`);
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `1048576`, `512k`, `16m`, `1g` → bytes. */
export function parseSize(option: string, text: string): number {
  const match = /^(\d+)([kmg]?)b?$/i.exec(text.trim());
  if (match === null) throw usage(option, `'${text}' is not a size (bytes, or with k/m/g)`);
  return Number(match[1]) * (SIZE_UNITS[(match[2] as string).toLowerCase()] as number);
}

/** A non-negative number of seconds (fractions allowed). */
export function parseSeconds(option: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim())) throw usage(option, `'${text}' is not a number of seconds`);
  return Number(text);
}

/** A positive integer. */
export function parseCount(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw usage(option, `'${text}' is not a positive integer`);
  return Number(text);
}

/** `HOST:PORT`, `:PORT` or `PORT`; IPv6 in brackets (`[::1]:8000`). */
export function parseHostPort(option: string, text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw usage(option, `'${text}' is not HOST:PORT`);
  return { host: match[1] || match[2] || '0.0.0.0', port };
}

/** A comma-separated list. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
