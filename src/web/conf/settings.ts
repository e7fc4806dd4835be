/**
 * A project's settings: a typed object given to `getTsgiApplication()`, checked and
 * completed with defaults once, at start-up.
 *
 * This module sits at the bottom of `src/web/`: it imports the types of what the settings
 * hold from the modules that define them (none of which imports it back), and the request
 * and body layers read the settings through narrow interfaces of their own
 * (`RequestSettings`, `BodySettings`). The one key whose type refers back to the settings,
 * `middleware` (a factory receives the resolved settings), is declared beside the
 * middleware types by declaration merging — the same way a layer adds its section (see
 * `sections.ts`).
 *
 * @module
 */
import { tmpdir } from 'node:os';
import { environKey } from '../../tsgi/headers.ts';
import { ImproperlyConfigured } from '../exceptions.ts';
import { defaultLogger, type WebLogger } from '../logging/logger.ts';
import type { TemplateSettings } from '../template/settings.ts';
import type { URLconf } from '../urls/conf.ts';
import type { ErrorHandlerView, ServerErrorHandlerView } from '../views/types.ts';
import {
  inSource,
  type SectionInputs,
  type SectionOutputs,
  settingsSections,
  validateSection,
} from './sections.ts';

/**
 * The settings of a Portico web project. Only `rootUrlconf` is required. Besides the keys
 * below it holds every declared section (`SettingsSections`), and it keeps any other key
 * it is given (`portico check` warns about keys nobody declared, which are usually typos).
 */
export interface Settings extends SectionInputs {
  /** The root URLconf: a pattern list, or a module object (which may declare error views). */
  rootUrlconf: URLconf;
  /** Debug mode: technical 404/500 pages and stricter checks. Never in production. Default false. */
  debug?: boolean;
  /**
   * Host names this site serves (checked by `request.getHost()`, which CommonMiddleware
   * calls): `'example.com'`, `'.example.com'` (and subdomains) or `'*'`. With debug on
   * and an empty list, localhost names are allowed. Default `[]`.
   */
  allowedHosts?: readonly string[];
  /** Secret for signing (signed cookies; sessions later). Keep it out of version control. */
  secretKey?: string;
  /** Former secrets still accepted when verifying signatures, so a key can be rotated. Default `[]`. */
  secretKeyFallbacks?: readonly string[];
  /**
   * A header set by a trusted proxy that says the client used HTTPS, and its value:
   * `['X-Forwarded-Proto', 'https']` (a header name or its META key). Only set this when
   * the proxy always sets or strips the header. Default null (the scheme of the connection).
   */
  secureProxySslHeader?: readonly [header: string, value: string] | null;
  /** Take the host from X-Forwarded-Host (only behind a proxy that sets it). Default false. */
  useXForwardedHost?: boolean;
  /** Take the port from X-Forwarded-Port (only behind a proxy that sets it). Default false. */
  useXForwardedPort?: boolean;
  /** Redirect to the slashed URL when only it matches (CommonMiddleware). Default true. */
  appendSlash?: boolean;
  /** Redirect `example.com` to `www.example.com` (CommonMiddleware). Default false. */
  prependWww?: boolean;
  /** User agents refused with a 403 by CommonMiddleware (each regex is searched in the header). Default `[]`. */
  disallowedUserAgents?: readonly RegExp[];
  /** Use this script prefix instead of the request's SCRIPT_NAME. Default null. */
  forceScriptName?: string | null;
  /** 400 view, when the root URLconf does not declare one. */
  handler400?: ErrorHandlerView;
  /** 403 view, when the root URLconf does not declare one. */
  handler403?: ErrorHandlerView;
  /** 404 view, when the root URLconf does not declare one. */
  handler404?: ErrorHandlerView;
  /** 500 view, when the root URLconf does not declare one. */
  handler500?: ServerErrorHandlerView;
  /** Largest request body `request.body()` reads, in bytes; null for no limit. Default 2.5 MiB. */
  dataUploadMaxMemorySize?: number | null;
  /** Most query-string or form fields accepted; null for no limit. Default 1000. */
  dataUploadMaxNumberFields?: number | null;
  /** Most files in one multipart body; null for no limit. Default 100. */
  dataUploadMaxNumberFiles?: number | null;
  /** Uploaded files larger than this go to a temporary file instead of memory. Default 2.5 MiB. */
  fileUploadMaxMemorySize?: number;
  /** Largest uploaded file accepted (a larger one is a 413); null for no limit. Default null. */
  fileUploadMaxSize?: number | null;
  /** Directory for temporary upload files. Default: the system's temporary directory. */
  fileUploadTempDir?: string | null;
  /** Template engine options (directories, autoescaping, context processors). */
  templates?: TemplateSettings;
  /** Where error responses are logged. Default: the request's `tsgi.errors`. */
  logger?: WebLogger;
  /** Check ids `portico check` should not report (Django's `SILENCED_SYSTEM_CHECKS`). Default `[]`. */
  silencedSystemChecks?: readonly string[];
}

/** Keys that stay optional once resolved (a missing error view means "the default one"). */
type StillOptional = 'handler400' | 'handler403' | 'handler404' | 'handler500';

/**
 * Settings with every default filled in, frozen: derived from {@link Settings}, so a key is
 * declared once. `fileUploadTempDir` always names a directory once resolved; declared
 * sections hold their schemas' output.
 */
export type ResolvedSettings = Readonly<Required<Omit<Settings, StillOptional | keyof SectionInputs>>> &
  Readonly<Pick<Settings, StillOptional>> & { readonly fileUploadTempDir: string } & SectionOutputs;

/** Options of {@link resolveSettings}. */
export interface ResolveOptions {
  /** Where the settings came from (a file name), for error messages. */
  readonly source?: string;
}

/** The keys the framework itself reads; anything else must be a declared section. */
export const CORE_SETTINGS_KEYS: ReadonlySet<string> = new Set([
  'rootUrlconf',
  'debug',
  'allowedHosts',
  'middleware',
  'secretKey',
  'secretKeyFallbacks',
  'secureProxySslHeader',
  'useXForwardedHost',
  'useXForwardedPort',
  'appendSlash',
  'prependWww',
  'disallowedUserAgents',
  'forceScriptName',
  'handler400',
  'handler403',
  'handler404',
  'handler500',
  'dataUploadMaxMemorySize',
  'dataUploadMaxNumberFields',
  'dataUploadMaxNumberFiles',
  'fileUploadMaxMemorySize',
  'fileUploadMaxSize',
  'fileUploadTempDir',
  'templates',
  'logger',
  'silencedSystemChecks',
] satisfies (keyof Settings)[]);

/** Top-level keys of `settings` that neither the framework nor a declared section reads. */
export function unknownSettingsKeys(settings: object): string[] {
  const declared = new Set(settingsSections().map((section) => section.key));
  return Object.keys(settings).filter((key) => !CORE_SETTINGS_KEYS.has(key) && !declared.has(key));
}

/** A header name (`X-Forwarded-Proto`) as its META key (`HTTP_X_FORWARDED_PROTO`); META keys unchanged. */
function metaKey(header: string): string {
  return header.toUpperCase().startsWith('HTTP_') ? header.toUpperCase() : environKey(header);
}

function limit(value: number | null | undefined, fallback: number | null, name: string, source?: string) {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 0)
    throw new ImproperlyConfigured(
      `settings.${name} must be a non-negative integer or null${inSource(source)}`,
    );
  return value;
}

function strings(value: unknown, name: string, source?: string): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new ImproperlyConfigured(`settings.${name} must be an array of strings${inSource(source)}`);
  return Object.freeze([...value]);
}

function regexes(value: unknown, name: string, source?: string): readonly RegExp[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || value.some((item) => !(item instanceof RegExp)))
    throw new ImproperlyConfigured(`settings.${name} must be an array of regexes${inSource(source)}`);
  return Object.freeze([...value]);
}

/**
 * Checks `settings`, fills in defaults and validates every declared section. Keys nobody
 * declared are kept as given.
 *
 * @throws ImproperlyConfigured naming the offending key (and `options.source`).
 */
export function resolveSettings(settings: Settings, options: ResolveOptions = {}): ResolvedSettings {
  const { source } = options;
  const fail = (message: string): never => {
    throw new ImproperlyConfigured(`${message}${inSource(source)}`);
  };
  if (settings === null || typeof settings !== 'object') fail('settings must be an object');
  const { rootUrlconf, middleware = [] } = settings;
  if (rootUrlconf === undefined || rootUrlconf === null || typeof rootUrlconf !== 'object') {
    fail('settings.rootUrlconf is required: a list of path() patterns or a module object');
  }
  if (!Array.isArray(middleware)) fail('settings.middleware must be an array of factories');
  middleware.forEach((factory: unknown, i: number) => {
    if (typeof factory !== 'function')
      fail(`settings.middleware[${i}] is not a middleware factory (a function or class)`);
  });
  for (const key of ['handler400', 'handler403', 'handler404', 'handler500'] as const) {
    if (settings[key] !== undefined && typeof settings[key] !== 'function')
      fail(`settings.${key} must be a view function`);
  }
  const proxy = settings.secureProxySslHeader ?? null;
  if (
    proxy !== null &&
    (!Array.isArray(proxy) || proxy.length !== 2 || !proxy.every((part) => typeof part === 'string'))
  ) {
    fail("settings.secureProxySslHeader must be a pair [header, value], e.g. ['X-Forwarded-Proto', 'https']");
  }
  const forceScriptName = settings.forceScriptName ?? null;
  if (forceScriptName !== null && typeof forceScriptName !== 'string')
    fail('settings.forceScriptName must be a string or null');
  if (settings.secretKey !== undefined && typeof settings.secretKey !== 'string')
    fail('settings.secretKey must be a string');
  const sections: Record<string, unknown> = {};
  for (const section of settingsSections()) {
    sections[section.key] = validateSection(
      section,
      (settings as unknown as Record<string, unknown>)[section.key],
      source,
    );
  }
  const resolved = {
    ...settings,
    rootUrlconf,
    debug: settings.debug === true,
    allowedHosts: strings(settings.allowedHosts, 'allowedHosts', source),
    middleware: Object.freeze([...middleware]),
    secretKey: settings.secretKey ?? '',
    secretKeyFallbacks: strings(settings.secretKeyFallbacks, 'secretKeyFallbacks', source),
    secureProxySslHeader: proxy === null ? null : Object.freeze([metaKey(proxy[0]), proxy[1]] as const),
    useXForwardedHost: settings.useXForwardedHost === true,
    useXForwardedPort: settings.useXForwardedPort === true,
    appendSlash: settings.appendSlash !== false,
    prependWww: settings.prependWww === true,
    disallowedUserAgents: regexes(settings.disallowedUserAgents, 'disallowedUserAgents', source),
    forceScriptName,
    dataUploadMaxMemorySize: limit(
      settings.dataUploadMaxMemorySize,
      2.5 * 1024 * 1024,
      'dataUploadMaxMemorySize',
      source,
    ),
    dataUploadMaxNumberFields: limit(
      settings.dataUploadMaxNumberFields,
      1000,
      'dataUploadMaxNumberFields',
      source,
    ),
    dataUploadMaxNumberFiles: limit(
      settings.dataUploadMaxNumberFiles,
      100,
      'dataUploadMaxNumberFiles',
      source,
    ),
    fileUploadMaxMemorySize:
      limit(settings.fileUploadMaxMemorySize, 2.5 * 1024 * 1024, 'fileUploadMaxMemorySize', source) ?? 0,
    fileUploadMaxSize: limit(settings.fileUploadMaxSize, null, 'fileUploadMaxSize', source),
    fileUploadTempDir: settings.fileUploadTempDir ?? tmpdir(),
    templates: Object.freeze({ ...settings.templates }),
    logger: settings.logger ?? defaultLogger,
    silencedSystemChecks: strings(settings.silencedSystemChecks, 'silencedSystemChecks', source),
    ...sections,
  };
  return Object.freeze(resolved) as ResolvedSettings;
}
