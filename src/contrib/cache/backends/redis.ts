/**
 * The Redis cache (Django's `RedisCache`), on node-redis (`@redis/client`). Values are
 * JSON, so integers are stored as Redis integers and `incr` is Redis's own `INCRBY`,
 * atomic across processes (behind a small Lua script that refuses a missing key, as
 * Django's `incr` does).
 *
 * Failure behaviour: the client never queues commands while disconnected
 * (`disableOfflineQueue`), and every command has a deadline (`commandTimeout`), so with
 * Redis down each operation fails at once with `CacheUnavailable`
 * (`PORTICO_ERR_CACHE_UNAVAILABLE`) instead of piling up in memory; the client reconnects
 * in the background (backing off to `maxReconnectDelay`) and the cache works again as soon
 * as Redis answers. The process never dies of it: connection errors are handled here.
 *
 * @module
 */
import { createClient } from '@redis/client';
import { emitWarning } from 'node:process';
import { CacheUnavailable } from '../../unavailable.ts';
import { BaseCache, type CacheOptions, type CacheValue } from './base.ts';

/** INCRBY on an existing key only (Django's `incr` refuses a missing one). */
const INCR_EXISTING = `if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('INCRBY', KEYS[1], ARGV[1])`;

/** The throttle counter: creates at delta with an expiry, else INCRBY (keeping the TTL). */
const INCR_WITH_EXPIRY = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return tonumber(ARGV[1]) end
return redis.call('INCRBY', KEYS[1], ARGV[1])`;

/**
 * The part of node-redis's client this cache uses. Named here rather than taken as
 * `ReturnType<typeof createClient>`: relating node-redis's generic client type to
 * `ReturnType`'s constraint costs the type checker about 2 s, paid by every project that
 * type-checks `portico/api` (its cache throttles reach this file) from the sources.
 */
interface Client {
  readonly isReady: boolean;
  on(event: 'error' | 'ready', listener: (error?: unknown) => void): unknown;
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  destroy(): void;
}

function option(options: CacheOptions, name: string, fallback: number): number {
  const value = options.options?.[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0))
    throw new TypeError(`caches: options.${name} must be a positive number`);
  return value;
}

/** Glob-escapes a key prefix for SCAN MATCH. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A cache on a Redis server (`location`: a `redis://` or `rediss://` URL). */
export class RedisCache extends BaseCache {
  readonly location: string;
  readonly #client: Client;
  readonly #connectTimeout: number;
  #connecting: Promise<unknown> | null = null;
  #warned = false;
  #closed = false;

  /**
   * Options (in `options`): `commandTimeout` ms (default 1000), `connectTimeout` ms
   * (default 1000), `maxReconnectDelay` ms (default 2000).
   */
  constructor(location: string, options: CacheOptions = {}) {
    super(options);
    this.location = location;
    this.#connectTimeout = option(options, 'connectTimeout', 1000);
    const commandTimeout = option(options, 'commandTimeout', 1000);
    const maxDelay = option(options, 'maxReconnectDelay', 2000);
    this.#client = createClient({
      url: location,
      disableOfflineQueue: true,
      // rejectInFlight: a command already sent to a server that hangs fails too, after the timeout.
      commandOptions: { timeout: commandTimeout, rejectInFlight: true },
      socket: {
        connectTimeout: this.#connectTimeout,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay),
      },
    });
    // An unhandled 'error' event would end the process: report the outage once instead.
    this.#client.on('error', (error: unknown) => {
      if (this.#warned || this.#closed) return;
      this.#warned = true;
      emitWarning(`Redis cache at ${this.location} unreachable: ${(error as Error)?.message ?? error}`, {
        code: 'PORTICO_ERR_CACHE_UNAVAILABLE',
      });
    });
    this.#client.on('ready', () => {
      this.#warned = false;
    });
  }

  /** The connected client; starts connecting on first use, waiting at most `connectTimeout`. */
  async #ready(): Promise<Client> {
    if (this.#closed) throw new CacheUnavailable(`The Redis cache at ${this.location} is closed.`);
    if (this.#client.isReady) return this.#client;
    // Every caller of the first moments waits for the first connection (bounded by
    // connectTimeout); once that settled, calls fail at once while the client reconnects.
    this.#connecting ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#client.connect().catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, this.#connectTimeout))),
      ]);
      clearTimeout(timer);
    })();
    await this.#connecting;
    if (this.#client.isReady) return this.#client;
    throw new CacheUnavailable(`The Redis cache at ${this.location} is unreachable (reconnecting).`);
  }

  /** Runs one command; connection problems become CacheUnavailable, Redis's refusals stay errors. */
  async #run<T>(args: readonly string[]): Promise<T> {
    const client = await this.#ready();
    try {
      return (await client.sendCommand(args)) as T;
    } catch (error) {
      const name = (error as Error)?.name ?? '';
      const message = (error as Error)?.message ?? String(error);
      if (name.includes('ErrorReply') || name === 'SimpleError' || /^(ERR|WRONGTYPE)/.test(message)) {
        if (/not an integer|out of range/.test(message)) throw new TypeError(`Redis: ${message}`);
        throw error;
      }
      throw new CacheUnavailable(`The Redis cache at ${this.location} failed: ${message}`, { cause: error });
    }
  }

  #encode(value: CacheValue): string {
    return JSON.stringify(value);
  }

  #decode<T>(raw: string | null): T | undefined {
    return raw === null || raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  /** `['PX', ms]` for a timeout, `[]` for forever, or null for "do not store". */
  #expiryArgs(timeout: number | null | undefined): string[] | null {
    const t = timeout === undefined ? this.defaultTimeout : timeout;
    if (t === null) return [];
    if (t <= 0) return null;
    return ['PX', String(Math.max(1, Math.round(t * 1000)))];
  }

  override async get<T extends CacheValue = CacheValue>(
    key: string,
    defaultValue?: T,
    version?: number,
  ): Promise<T | undefined> {
    const raw = await this.#run<string | null>(['GET', this.makeAndValidateKey(key, version)]);
    return this.#decode<T>(raw) ?? defaultValue;
  }

  override async set(
    key: string,
    value: CacheValue,
    timeout?: number | null,
    version?: number,
  ): Promise<void> {
    const made = this.makeAndValidateKey(key, version);
    const expiry = this.#expiryArgs(timeout);
    if (expiry === null) await this.#run(['DEL', made]);
    else await this.#run(['SET', made, this.#encode(value), ...expiry]);
  }

  override async add(
    key: string,
    value: CacheValue,
    timeout?: number | null,
    version?: number,
  ): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const expiry = this.#expiryArgs(timeout);
    const stored =
      (await this.#run<string | null>(['SET', made, this.#encode(value), 'NX', ...(expiry ?? [])])) !== null;
    // Django: an add with timeout 0 says whether it would have stored, and stores nothing.
    if (stored && expiry === null) await this.#run(['DEL', made]);
    return stored;
  }

  override async touch(key: string, timeout?: number | null, version?: number): Promise<boolean> {
    const made = this.makeAndValidateKey(key, version);
    const expiry = this.#expiryArgs(timeout);
    if (expiry === null) return (await this.#run<number>(['DEL', made])) === 1;
    if (expiry.length === 0)
      return (await this.#run<number>(['EXISTS', made])) === 1 && (await this.#run(['PERSIST', made]), true);
    return (await this.#run<number>(['PEXPIRE', made, expiry[1] as string])) === 1;
  }

  override async delete(key: string, version?: number): Promise<boolean> {
    return (await this.#run<number>(['DEL', this.makeAndValidateKey(key, version)])) === 1;
  }

  override async has(key: string, version?: number): Promise<boolean> {
    return (await this.#run<number>(['EXISTS', this.makeAndValidateKey(key, version)])) === 1;
  }

  override async incr(key: string, delta = 1, version?: number): Promise<number> {
    const reply = await this.#run<number | null>([
      'EVAL',
      INCR_EXISTING,
      '1',
      this.makeAndValidateKey(key, version),
      String(Math.trunc(delta)),
    ]);
    if (reply === null) throw new RangeError(`Key '${key}' not found`);
    return Number(reply);
  }

  override async incrWithExpiry(key: string, timeout: number, delta = 1, version?: number): Promise<number> {
    const ms = Math.max(1, Math.round(timeout * 1000));
    const reply = await this.#run<number>([
      'EVAL',
      INCR_WITH_EXPIRY,
      '1',
      this.makeAndValidateKey(key, version),
      String(Math.trunc(delta)),
      String(ms),
    ]);
    return Number(reply);
  }

  override async getMany(keys: readonly string[], version?: number): Promise<Map<string, CacheValue>> {
    const out = new Map<string, CacheValue>();
    if (keys.length === 0) return out;
    const raws = await this.#run<Array<string | null>>([
      'MGET',
      ...keys.map((k) => this.makeAndValidateKey(k, version)),
    ]);
    keys.forEach((key, i) => {
      const value = this.#decode<CacheValue>(raws[i] ?? null);
      if (value !== undefined) out.set(key, value);
    });
    return out;
  }

  override async setMany(
    entries: Readonly<Record<string, CacheValue>> | ReadonlyMap<string, CacheValue>,
    timeout?: number | null,
    version?: number,
  ): Promise<string[]> {
    const pairs = entries instanceof Map ? [...entries] : Object.entries(entries);
    // Sent together on the one connection (node-redis pipelines concurrent commands).
    await Promise.all(pairs.map(([key, value]) => this.set(key, value as CacheValue, timeout, version)));
    return [];
  }

  override async deleteMany(keys: readonly string[], version?: number): Promise<void> {
    if (keys.length > 0) await this.#run(['DEL', ...keys.map((k) => this.makeAndValidateKey(k, version))]);
  }

  /**
   * With a `keyPrefix`, deletes this cache's keys only (SCAN, then DEL), so caches sharing
   * a Redis database do not wipe each other; without one, empties the database (FLUSHDB),
   * as Django does.
   */
  override async clear(): Promise<void> {
    if (this.keyPrefix === '') {
      await this.#run(['FLUSHDB']);
      return;
    }
    const pattern = `${globEscape(this.keyPrefix)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.#run<[string, string[]]>([
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        '500',
      ]);
      if (keys.length > 0) await this.#run(['UNLINK', ...keys]);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Closes the connection (and stops reconnecting). */
  override async close(): Promise<void> {
    this.#closed = true;
    // destroy() also stops a reconnection in progress; it throws only when never opened.
    try {
      this.#client.destroy();
    } catch {
      // never connected: nothing to stop
    }
  }
}
