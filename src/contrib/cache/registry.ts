/**
 * The process's caches by alias (Django's `caches` and `cache`): built on first use from the
 * `caches` settings of the application (any application built with `getTsgiApplication`
 * configures them), or from `configureCaches(settings)` in a script.
 *
 * @module
 */
import { ImproperlyConfigured, registerViewWrapper, type ResolvedSettings } from '../../web/index.ts';
import type { BaseCache } from './backends/base.ts';
import { DatabaseCache } from './backends/db.ts';
import { LocMemCache } from './backends/locmem.ts';
import { RedisCache } from './backends/redis.ts';
import { type CacheSettings, type CachesSettings, DEFAULT_CACHES, validateCaches } from './settings.ts';

function build(alias: string, settings: CacheSettings): BaseCache {
  const { backend = 'locmem', location = '', options, ...rest } = settings;
  const cacheOptions = { ...rest, ...(options === undefined ? {} : { options }) };
  if (typeof backend === 'function') return new backend(location, cacheOptions);
  switch (backend) {
    case 'locmem':
      return new LocMemCache(location, cacheOptions);
    case 'database':
      return new DatabaseCache(location, cacheOptions);
    case 'redis':
      return new RedisCache(location, cacheOptions);
    default:
      throw new ImproperlyConfigured(`caches.${alias}.backend: unknown backend ${JSON.stringify(backend)}`);
  }
}

/** The caches of this process, by alias. */
export class CacheHandler {
  #settings: CachesSettings = DEFAULT_CACHES;
  readonly #built = new Map<string, BaseCache>();

  /**
   * Uses these settings from now on. Caches already built for other settings are closed
   * (a Redis connection), unless the settings did not change.
   */
  configure(settings: CachesSettings): void {
    if (settings === this.#settings) return;
    const previous = [...this.#built.values()];
    this.#built.clear();
    this.#settings = settings;
    for (const cache of previous) void cache.close();
  }

  /** The cache named `alias` (built on first use). */
  get(alias = 'default'): BaseCache {
    let cache = this.#built.get(alias);
    if (cache === undefined) {
      const settings = this.#settings[alias];
      if (settings === undefined)
        throw new ImproperlyConfigured(
          `The cache '${alias}' is not in settings.caches (known: ${Object.keys(this.#settings).join(', ')})`,
        );
      cache = build(alias, settings);
      this.#built.set(alias, cache);
    }
    return cache;
  }

  /** The aliases configured. */
  aliases(): string[] {
    return Object.keys(this.#settings);
  }

  /** The settings of `alias`, as configured. */
  settingsOf(alias: string): CacheSettings | undefined {
    return this.#settings[alias];
  }

  /** Closes every cache built so far (Redis connections); the next use builds them again. */
  async closeAll(): Promise<void> {
    const built = [...this.#built.values()];
    this.#built.clear();
    await Promise.all(built.map((cache) => cache.close()));
  }
}

/** This process's caches. */
export const caches = new CacheHandler();

/** Configures this process's caches from (resolved or not) settings' `caches` section. */
export function configureCaches(settings: { readonly caches?: unknown }): void {
  const result = validateCaches(settings.caches);
  if (result.issues !== undefined) {
    const issue = result.issues[0];
    throw new ImproperlyConfigured(`settings.caches.${(issue?.path ?? []).join('.')}: ${issue?.message}`);
  }
  caches.configure(result.value);
}

/**
 * The default cache (Django's `cache`): every call goes to `caches.get('default')` at that
 * moment, so it follows reconfiguration.
 */
export const cache: BaseCache = new Proxy({} as BaseCache, {
  get(_target, property) {
    const target = caches.get('default');
    const value = Reflect.get(target, property, target) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
  },
});

// Any application built with getTsgiApplication configures the caches from its settings
// (the view-wrapper extension point is called once per handler with the resolved settings).
registerViewWrapper((settings: ResolvedSettings) => {
  const section = (settings as { caches?: CachesSettings }).caches;
  if (section !== undefined) caches.configure(section);
  return null;
});
