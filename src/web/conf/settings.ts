/**
 * A project's settings: a typed object given to `getTsgiApplication()`, checked and
 * completed with defaults once, at startup.
 *
 * @module
 */
import { tmpdir } from 'node:os';
import { ImproperlyConfigured } from '../exceptions.ts';
import type { HttpRequest } from '../http/request.ts';
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
  readonly secretKeyFallbacks: readonly string[];
  readonly secureProxySslHeader: readonly [metaKey: string, value: string] | null;
  readonly useXForwardedHost: boolean;
  readonly useXForwardedPort: boolean;
  readonly dataUploadMaxNumberFiles: number | null;
  readonly fileUploadMaxMemorySize: number;
  readonly fileUploadMaxSize: number | null;
  readonly fileUploadTempDir: string;
  readonly templates: TemplateSettings;
  readonly logger: WebLogger;
}

/** A function adding variables to every template's context (Django's context processors). */
export type ContextProcessor = (request: HttpRequest) => Record<string, unknown>;

/** Template settings. */
export interface TemplateSettings {
  /** Directories searched for templates, in order. Default `[]`. */
  readonly dirs?: readonly string[];
  /** Escape variables for HTML unless marked safe. Default true. */
  readonly autoescape?: boolean;
  /** Run for every template rendered with a request; their results join the context. */
  readonly contextProcessors?: readonly ContextProcessor[];
  /** Throw when a template reads an undefined variable (useful in tests). Default false. */
  readonly throwOnUndefined?: boolean;
  /** Re-read templates when they change (development). Default: the `debug` setting. */
  readonly watch?: boolean;
  /** Extra filters, by name. */
  readonly filters?: Readonly<Record<string, (...args: never[]) => unknown>>;
  /** Extra globals, by name. */
  readonly globals?: Readonly<Record<string, unknown>>;
}

/** A header name (`X-Forwarded-Proto`) as its META key (`HTTP_X_FORWARDED_PROTO`); META keys unchanged. */
function metaKey(header: string): string {
  const key = header.toUpperCase().replaceAll('-', '_');
  return key.startsWith('HTTP_') || key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' ? key : `HTTP_${key}`;
}

function limit(value: number | null | undefined, fallback: number | null, name: string): number | null {
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
  const proxy = settings.secureProxySslHeader ?? null;
  if (
    proxy !== null &&
    (!Array.isArray(proxy) || proxy.length !== 2 || !proxy.every((part) => typeof part === 'string'))
  ) {
    throw new ImproperlyConfigured(
      "settings.secureProxySslHeader must be a pair [header, value], e.g. ['X-Forwarded-Proto', 'https']",
    );
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
    secretKeyFallbacks: Object.freeze([...(settings.secretKeyFallbacks ?? [])]),
    secureProxySslHeader: proxy === null ? null : Object.freeze([metaKey(proxy[0]), proxy[1]] as const),
    useXForwardedHost: settings.useXForwardedHost === true,
    useXForwardedPort: settings.useXForwardedPort === true,
    dataUploadMaxNumberFiles: limit(settings.dataUploadMaxNumberFiles, 100, 'dataUploadMaxNumberFiles'),
    fileUploadMaxMemorySize:
      limit(settings.fileUploadMaxMemorySize, 2.5 * 1024 * 1024, 'fileUploadMaxMemorySize') ?? 0,
    fileUploadMaxSize: limit(settings.fileUploadMaxSize, null, 'fileUploadMaxSize'),
    fileUploadTempDir: settings.fileUploadTempDir ?? tmpdir(),
    templates: Object.freeze({ ...settings.templates }),
    logger: settings.logger ?? defaultLogger,
  });
}
