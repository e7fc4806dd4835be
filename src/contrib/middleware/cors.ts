/**
 * `CorsMiddleware`: Cross-Origin Resource Sharing, with django-cors-headers' options and
 * behaviour, in a `cors` settings section (`CORS_ALLOWED_ORIGINS` is `allowedOrigins`).
 *
 * @module
 */
import { validateSection } from '../../web/conf/sections.ts';
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { HttpResponse } from '../../web/http/response.ts';
import { defineSettingsSection, settingsSchema } from '../../web/index.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import type { GetResponse, MiddlewareContext } from '../../web/middleware/types.ts';
import { andThen, type MaybePromise } from '../../web/utils/promise.ts';
import { patchVaryHeaders } from '../utils/cache.ts';

/** The `cors` section. */
export interface CorsSettings {
  /** Origins allowed to read responses: `'https://app.example.com'` (scheme and host, port if any). */
  readonly allowedOrigins: readonly string[];
  /** Regexes an origin may match instead (anchored at the start, as Python's `re.match`). */
  readonly allowedOriginRegexes: readonly string[];
  /** Allow every origin (`*`, or the origin itself with credentials). Default false. */
  readonly allowAllOrigins: boolean;
  /** Let browsers send cookies and read the response (`Access-Control-Allow-Credentials`). Default false. */
  readonly allowCredentials: boolean;
  /** Methods a preflight allows. */
  readonly allowMethods: readonly string[];
  /** Request headers a preflight allows. */
  readonly allowHeaders: readonly string[];
  /** Response headers scripts may read besides the safelisted ones. Default `[]`. */
  readonly exposeHeaders: readonly string[];
  /** Seconds a browser may cache a preflight (`Access-Control-Max-Age`); 0 sends none. Default 86400. */
  readonly preflightMaxAge: number;
  /** Only paths (`request.pathInfo`) matching this regex get CORS headers. Default `'^.*$'`. */
  readonly urlsRegex: string;
  /** Answer Private Network Access preflights (`Access-Control-Allow-Private-Network`). Default false. */
  readonly allowPrivateNetwork: boolean;
}

/** django-cors-headers' defaults. */
export const DEFAULT_CORS_METHODS = ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;
export const DEFAULT_CORS_HEADERS = [
  'accept',
  'authorization',
  'content-type',
  'user-agent',
  'x-csrftoken',
  'x-requested-with',
] as const;

function splitOrigin(origin: string): { scheme: string; netloc: string } | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(origin);
  return m === null ? null : { scheme: (m[1] as string).toLowerCase(), netloc: m[2] as string };
}

/** The `cors` section, validated at start-up. */
export const corsSettings = defineSettingsSection(
  'cors',
  settingsSchema<CorsSettings>(
    {
      allowedOrigins: [],
      allowedOriginRegexes: [],
      allowAllOrigins: false,
      allowCredentials: false,
      allowMethods: DEFAULT_CORS_METHODS,
      allowHeaders: DEFAULT_CORS_HEADERS,
      exposeHeaders: [],
      preflightMaxAge: 86400,
      urlsRegex: '^.*$',
      allowPrivateNetwork: false,
    },
    {
      check(s) {
        // django-cors-headers' checks (corsheaders.E013/E014): a scheme and host, nothing more.
        for (const origin of s.allowedOrigins) {
          if (origin === 'null') continue;
          const parts = splitOrigin(origin);
          if (parts === null || parts.netloc === '' || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+$/i.test(origin))
            return [
              'allowedOrigins',
              `${JSON.stringify(origin)} must be an origin: a scheme and a host, with no path`,
            ];
        }
        for (const pattern of [...s.allowedOriginRegexes, s.urlsRegex]) {
          try {
            new RegExp(pattern);
          } catch (error) {
            return [
              'allowedOriginRegexes',
              `${JSON.stringify(pattern)} is not a regex: ${(error as Error).message}`,
            ];
          }
        }
        if (!Number.isInteger(s.preflightMaxAge) || s.preflightMaxAge < 0)
          return ['preflightMaxAge', 'must be a whole number of seconds'];
        return undefined;
      },
    },
  ),
);

declare module '../../web/index.ts' {
  interface SettingsSections {
    cors: typeof corsSettings;
  }
}

/**
 * Adds CORS headers to responses for allowed origins and answers preflight requests
 * (`OPTIONS` with `Access-Control-Request-Method`) with an empty 200 itself, without
 * reaching the view. Put it as high as possible in `settings.middleware`, before any
 * middleware that can answer (CommonMiddleware's redirects, for one).
 */
export class CorsMiddleware extends MiddlewareMixin {
  readonly #settings: CorsSettings;
  readonly #urls: RegExp;
  readonly #regexes: RegExp[];
  readonly #allowed: { scheme: string; netloc: string }[];

  constructor(getResponse: GetResponse, context?: MiddlewareContext) {
    super(getResponse, context);
    const s =
      (context?.settings as { cors?: CorsSettings } | undefined)?.cors ??
      validateSection(corsSettings, undefined);
    this.#settings = s;
    // Python's re.match anchors at the start only.
    this.#urls = new RegExp(`^(?:${s.urlsRegex})`);
    this.#regexes = s.allowedOriginRegexes.map((p) => new RegExp(`^(?:${p})`));
    this.#allowed = s.allowedOrigins.map(splitOrigin).filter((o) => o !== null);
  }

  override handle(request: HttpRequest): MaybePromise<HttpResponseBase> {
    const enabled = this.#urls.test(request.pathInfo);
    if (
      enabled &&
      request.method === 'OPTIONS' &&
      request.META.HTTP_ACCESS_CONTROL_REQUEST_METHOD !== undefined
    ) {
      return this.addResponseHeaders(
        request,
        new HttpResponse('', { headers: { 'Content-Length': '0' } }),
        enabled,
      );
    }
    return andThen(this.getResponse(request), (response: HttpResponseBase) =>
      this.addResponseHeaders(request, response, enabled),
    );
  }

  /** True when `origin` is listed, or matches one of the regexes. */
  originAllowed(origin: string): boolean {
    if (origin === 'null') return this.#settings.allowedOrigins.includes('null');
    const parts = splitOrigin(origin);
    if (parts !== null && this.#allowed.some((o) => o.scheme === parts.scheme && o.netloc === parts.netloc))
      return true;
    return this.#regexes.some((pattern) => pattern.test(origin));
  }

  /** The CORS headers for an allowed origin; `Vary: Origin` on every response of an enabled path. */
  addResponseHeaders(request: HttpRequest, response: HttpResponseBase, enabled: boolean): HttpResponseBase {
    if (!enabled) return response;
    const s = this.#settings;
    patchVaryHeaders(response, ['origin']);
    const origin = request.META.HTTP_ORIGIN;
    if (typeof origin !== 'string' || origin === '') return response;
    if (!s.allowAllOrigins && !this.originAllowed(origin)) return response;
    const headers = response.headers;
    headers.set('Access-Control-Allow-Origin', s.allowAllOrigins && !s.allowCredentials ? '*' : origin);
    if (s.allowCredentials) headers.set('Access-Control-Allow-Credentials', 'true');
    if (s.exposeHeaders.length > 0) headers.set('Access-Control-Expose-Headers', s.exposeHeaders.join(', '));
    if (request.method === 'OPTIONS') {
      headers.set('Access-Control-Allow-Headers', s.allowHeaders.join(', '));
      headers.set('Access-Control-Allow-Methods', s.allowMethods.join(', '));
      if (s.preflightMaxAge > 0) headers.set('Access-Control-Max-Age', String(s.preflightMaxAge));
    }
    if (s.allowPrivateNetwork && request.META.HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK === 'true')
      headers.set('Access-Control-Allow-Private-Network', 'true');
    return response;
  }
}
