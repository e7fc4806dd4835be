/**
 * `X-Forwarded-For` / `-Proto` / `-Host`, honoured only from trusted peers
 * (`--forwarded-allow-ips`): anyone else could claim any address or scheme.
 */
import { BlockList, isIP } from 'node:net';
import { PorticoError } from '../tsgi/errors.ts';
import type { Environ } from '../tsgi/types.ts';
import { trimOws } from './http1/head.ts';

/** A compiled `forwarded-allow-ips` list. */
export class ProxyTrust {
  readonly #all: boolean;
  readonly #list = new BlockList();
  // BlockList.check parses the address on every call (a measurable share of a hello-world
  // request from a loopback proxy); the list never changes, so each answer can be kept.
  readonly #known = new Map<string, boolean>();

  /** @param entries - IP addresses, CIDR networks (`10.0.0.0/8`), or `*` for every peer. */
  constructor(entries: readonly string[]) {
    this.#all = entries.includes('*');
    for (const entry of entries) {
      if (entry === '*') continue;
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address);
      if (family === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
        throw new PorticoError(
          'PORTICO_ERR_CLI_USAGE',
          `forwarded-allow-ips: '${entry}' is not an IP or CIDR`,
        );
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(bits), type);
    }
  }

  // The last answer: a server mostly sees the same few peers (one front server), and
  // comparing a short string costs less than hashing it for the Map (a new string each request).
  #lastAddress = '';
  #lastTrusted = false;

  /** True when `address` may set forwarded headers. */
  trusts(address: string | undefined): boolean {
    if (this.#all) return true;
    if (!address) return false;
    if (address === this.#lastAddress) return this.#lastTrusted;
    let trusted = this.#known.get(address);
    if (trusted === undefined) trusted = this.#learn(address);
    this.#lastAddress = address;
    this.#lastTrusted = trusted;
    return trusted;
  }

  #learn(address: string): boolean {
    const trusted = this.#check(address);
    // Bounded in count and size: X-Forwarded-For hops are client-chosen strings.
    if (address.length <= 64) {
      if (this.#known.size >= 1024) this.#known.clear();
      this.#known.set(address, trusted);
    }
    return trusted;
  }

  #check(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    if (this.#list.check(address, family === 6 ? 'ipv6' : 'ipv4')) return true;
    // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d.
    return address.startsWith('::ffff:') && this.#list.check(address.slice(7), 'ipv4');
  }
}

/**
 * Applies the forwarded headers of a trusted peer to the environ: the client address
 * (the rightmost address in X-Forwarded-For that is not itself a trusted proxy), the
 * scheme and the host. Throws a `PORTICO_ERR_BAD_REQUEST` when the scheme headers
 * contradict each other.
 */
export function applyForwarded(environ: Environ, trust: ProxyTrust): void {
  const forwardedFor = environ.HTTP_X_FORWARDED_FOR as string | undefined;
  if (forwardedFor !== undefined) {
    const hops = forwardedFor.split(',').map(trimOws).filter(Boolean);
    let client = hops[0];
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!trust.trusts(hops[i])) {
        client = hops[i];
        break;
      }
    }
    if (client !== undefined) environ.REMOTE_ADDR = client;
  }
  const scheme = forwardedScheme(environ);
  if (scheme !== undefined) environ['tsgi.url_scheme'] = scheme;
  const host = environ.HTTP_X_FORWARDED_HOST as string | undefined;
  if (host !== undefined) {
    const first = trimOws(host.split(',')[0] ?? '');
    if (first) environ.HTTP_HOST = first;
  }
}

function forwardedScheme(environ: Environ): 'http' | 'https' | undefined {
  const rawProto = (environ.HTTP_X_FORWARDED_PROTO as string | undefined)?.split(',')[0];
  const rawSsl = environ.HTTP_X_FORWARDED_SSL as string | undefined;
  const proto = rawProto === undefined ? undefined : trimOws(rawProto).toLowerCase();
  const ssl = rawSsl === undefined ? undefined : trimOws(rawSsl).toLowerCase();
  const fromProto = proto === 'https' || proto === 'http' ? proto : undefined;
  const fromSsl = ssl === 'on' ? 'https' : ssl === 'off' ? 'http' : undefined;
  if (fromProto !== undefined && fromSsl !== undefined && fromProto !== fromSsl) {
    throw new PorticoError('PORTICO_ERR_BAD_REQUEST', 'contradictory X-Forwarded-Proto and X-Forwarded-Ssl');
  }
  return fromProto ?? fromSsl;
}
