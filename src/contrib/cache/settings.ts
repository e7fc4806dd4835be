/**
 * The `caches` settings section (Django's `CACHES`): named caches, `default` among them.
 *
 * ```ts
 * caches: {
 *   default: { backend: 'redis', location: 'redis://127.0.0.1:6379/0', keyPrefix: 'shop' },
 *   local: { backend: 'locmem', timeout: 60, options: { maxEntries: 1000 } },
 * }
 * ```
 *
 * @module
 */
import { defineSettingsSection, type StandardSchemaV1 } from '../../web/index.ts';
import type { BaseCache, CacheOptions, KeyFunction } from './backends/base.ts';

/** A backend class of a project's own: constructed with the location and the options. */
export type CacheBackendClass = new (location: string, options: CacheOptions) => BaseCache;

/** The built-in backends by name, or a class of the project's own. */
export type CacheBackend = 'locmem' | 'database' | 'redis' | CacheBackendClass;

/** One cache, as the settings give it. */
export interface CacheSettings {
  /** Default `'locmem'`. */
  readonly backend?: CacheBackend;
  /** locmem: a name (caches naming the same share entries); database: the table; redis: the URL. */
  readonly location?: string;
  /** Seconds; `null` = forever, `0` = do not cache. Default 300. */
  readonly timeout?: number | null;
  readonly keyPrefix?: string;
  readonly version?: number;
  readonly keyFunction?: KeyFunction;
  /** Backend options: `maxEntries`, `cullFrequency`, `database`, `commandTimeout`, `connectTimeout`, … */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The resolved section: every alias with its settings. */
export type CachesSettings = Readonly<Record<string, CacheSettings>>;

const KEYS = new Set(['backend', 'location', 'timeout', 'keyPrefix', 'version', 'keyFunction', 'options']);
const BACKENDS = new Set(['locmem', 'database', 'redis']);

/** The default when the project sets no `caches`: one local-memory cache. */
export const DEFAULT_CACHES: CachesSettings = Object.freeze({
  default: Object.freeze({ backend: 'locmem' as const }),
});

/** Validates a `caches` value (also used by `configureCaches`). */
export function validateCaches(value: unknown): StandardSchemaV1.Result<CachesSettings> {
  if (value === undefined) return { value: DEFAULT_CACHES };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { issues: [{ message: "must be an object of aliases, e.g. { default: { backend: 'locmem' } }" }] };
  const out: Record<string, CacheSettings> = {};
  for (const [alias, given] of Object.entries(value)) {
    const issue = (message: string, key?: string) => ({
      issues: [{ message, path: key === undefined ? [alias] : [alias, key] }],
    });
    if (given === null || typeof given !== 'object') return issue('must be an object');
    const c = given as Record<string, unknown>;
    for (const key of Object.keys(c))
      if (!KEYS.has(key)) return issue(`unknown key (known: ${[...KEYS].join(', ')})`, key);
    const backend = c.backend ?? 'locmem';
    if (typeof backend !== 'function' && !BACKENDS.has(backend as string))
      return issue("must be 'locmem', 'database', 'redis' or a class of your own", 'backend');
    if (c.location !== undefined && typeof c.location !== 'string')
      return issue('must be a string', 'location');
    if ((backend === 'database' || backend === 'redis') && !c.location)
      return issue(backend === 'redis' ? 'must be a redis:// URL' : 'must name the table', 'location');
    if (c.timeout !== undefined && c.timeout !== null && !(typeof c.timeout === 'number' && c.timeout >= 0))
      return issue('must be a number of seconds, or null for forever', 'timeout');
    if (c.keyPrefix !== undefined && typeof c.keyPrefix !== 'string')
      return issue('must be a string', 'keyPrefix');
    if (c.version !== undefined && !Number.isInteger(c.version))
      return issue('must be an integer', 'version');
    if (c.keyFunction !== undefined && typeof c.keyFunction !== 'function')
      return issue('must be a function (key, keyPrefix, version) => string', 'keyFunction');
    if (c.options !== undefined && (c.options === null || typeof c.options !== 'object'))
      return issue('must be an object', 'options');
    out[alias] = Object.freeze({ ...c, backend }) as CacheSettings;
  }
  if (out.default === undefined)
    return { issues: [{ message: "needs a 'default' cache", path: ['default'] }] };
  return { value: Object.freeze(out) };
}

const cachesSchema: StandardSchemaV1<Readonly<Record<string, CacheSettings>> | undefined, CachesSettings> = {
  '~standard': { version: 1, vendor: 'portico', validate: validateCaches },
};

/** The `caches` settings section. */
export const cachesSettings = defineSettingsSection('caches', cachesSchema);

declare module '../../web/index.ts' {
  interface SettingsSections {
    caches: typeof cachesSettings;
  }
}
