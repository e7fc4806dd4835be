/**
 * A project's settings: a typed object given to `getTsgiApplication()`, checked and
 * completed with defaults once, at startup.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import { defaultLogger, type WebLogger } from '../log.ts';
import type { MiddlewareFactory } from '../middleware/types.ts';
import type { URLconf } from '../urls/conf.ts';
import type { ErrorHandlerView, ServerErrorHandlerView } from '../urls/types.ts';

/** The settings of a Portico web project. Only `rootUrlconf` is required. */
export interface Settings {
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
  /** Middleware factories, outermost first. Default `[]`. */
  middleware?: readonly MiddlewareFactory[];
  /** Secret for signing (sessions, signed cookies: later issues). */
  secretKey?: string;
  /** Redirect to the slashed URL when only it matches (CommonMiddleware). Default true. */
  appendSlash?: boolean;
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
  /** Most query-string fields accepted; null for no limit. Default 1000. */
  dataUploadMaxNumberFields?: number | null;
  /** Where error responses are logged. Default: the request's `tsgi.errors`. */
  logger?: WebLogger;
}

/** Settings with every default filled in, frozen. */
export interface ResolvedSettings {
  readonly rootUrlconf: URLconf;
  readonly debug: boolean;
  readonly allowedHosts: readonly string[];
  readonly middleware: readonly MiddlewareFactory[];
  readonly secretKey: string;
  readonly appendSlash: boolean;
  readonly forceScriptName: string | null;
  readonly handler400: ErrorHandlerView | undefined;
  readonly handler403: ErrorHandlerView | undefined;
  readonly handler404: ErrorHandlerView | undefined;
  readonly handler500: ServerErrorHandlerView | undefined;
  readonly dataUploadMaxMemorySize: number | null;
  readonly dataUploadMaxNumberFields: number | null;
  readonly logger: WebLogger;
}

function limit(value: number | null | undefined, fallback: number, name: string): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 0)
    throw new ImproperlyConfigured(`${name} must be a non-negative integer or null`);
  return value;
}

/**
 * Checks `settings` and fills in defaults.
 *
 * @throws ImproperlyConfigured naming the offending setting.
 */
export function resolveSettings(settings: Settings): ResolvedSettings {
  if (settings === null || typeof settings !== 'object')
    throw new ImproperlyConfigured('settings must be an object');
  const { rootUrlconf, allowedHosts = [], middleware = [] } = settings;
  if (rootUrlconf === undefined || rootUrlconf === null || typeof rootUrlconf !== 'object') {
    throw new ImproperlyConfigured(
      'settings.rootUrlconf is required: a list of path() patterns or a module object',
    );
  }
  if (!Array.isArray(allowedHosts) || allowedHosts.some((h) => typeof h !== 'string')) {
    throw new ImproperlyConfigured('settings.allowedHosts must be an array of host names');
  }
  if (!Array.isArray(middleware))
    throw new ImproperlyConfigured('settings.middleware must be an array of factories');
  middleware.forEach((factory, i) => {
    if (typeof factory !== 'function') {
      throw new ImproperlyConfigured(
        `settings.middleware[${i}] is not a middleware factory (a function or class)`,
      );
    }
  });
  for (const key of ['handler400', 'handler403', 'handler404', 'handler500'] as const) {
    if (settings[key] !== undefined && typeof settings[key] !== 'function') {
      throw new ImproperlyConfigured(`settings.${key} must be a view function`);
    }
  }
  const forceScriptName = settings.forceScriptName ?? null;
  if (forceScriptName !== null && typeof forceScriptName !== 'string') {
    throw new ImproperlyConfigured('settings.forceScriptName must be a string or null');
  }
  return Object.freeze({
    rootUrlconf,
    debug: settings.debug === true,
    allowedHosts: Object.freeze([...allowedHosts]),
    middleware: Object.freeze([...middleware]),
    secretKey: settings.secretKey ?? '',
    appendSlash: settings.appendSlash !== false,
    forceScriptName,
    handler400: settings.handler400,
    handler403: settings.handler403,
    handler404: settings.handler404,
    handler500: settings.handler500,
    dataUploadMaxMemorySize: limit(
      settings.dataUploadMaxMemorySize,
      2.5 * 1024 * 1024,
      'dataUploadMaxMemorySize',
    ),
    dataUploadMaxNumberFields: limit(settings.dataUploadMaxNumberFields, 1000, 'dataUploadMaxNumberFields'),
    logger: settings.logger ?? defaultLogger,
  });
}
