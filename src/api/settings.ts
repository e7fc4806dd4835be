/**
 * The `api` settings section (DRF's `REST_FRAMEWORK` setting), with DRF's defaults:
 *
 * ```ts
 * export default {
 *   api: {
 *     defaultPermissionClasses: [IsAuthenticated],
 *     defaultThrottleClasses: [AnonRateThrottle],
 *     defaultThrottleRates: { anon: '100/day' },
 *   },
 * } satisfies Settings;
 * ```
 *
 * @module
 */
import {
  defineSettingsSection,
  ImproperlyConfigured,
  type SectionOutput,
  settingsSchema,
} from '../web/index.ts';
import {
  type AuthenticationClass,
  BasicAuthentication,
  type CredentialsChecker,
  SessionAuthentication,
  type TokenStore,
} from './authentication.ts';
import type { ExceptionHandler } from './exception-handler.ts';
import type { FilterBackend } from './filters/base.ts';
import type { Paginator } from './pagination/base.ts';
import { exceptionHandler } from './exception-handler.ts';
import type { MetadataClass } from './metadata.ts';
import { DefaultContentNegotiation, type ContentNegotiation } from './negotiation.ts';
import { FormParser, JSONParser, MultiPartParser, type ParserClass } from './parsers.ts';
import { AllowAny, type PermissionClass } from './permissions.ts';
import { BrowsableAPIRenderer } from './browsable.ts';
import { JSONRenderer, type RendererClass } from './renderers.ts';
import type { ThrottleClass, ThrottleStore } from './throttling.ts';
import { AnonymousUser, type ApiUser } from './user.ts';

/** The `api` section's keys and defaults. */
export interface ApiSettings {
  /** Renderers, in order of preference (the first answers `Accept: *\/*`). */
  defaultRendererClasses: readonly RendererClass[];
  /** Parsers for `request.data`. */
  defaultParserClasses: readonly ParserClass[];
  /**
   * Authenticators, tried in order; the first one's header decides 401 vs 403. DRF's
   * default, `[SessionAuthentication, BasicAuthentication]`: refusals of anonymous
   * requests are 403s (the session offers no challenge).
   */
  defaultAuthenticationClasses: readonly AuthenticationClass[];
  /** Permissions every request must pass. */
  defaultPermissionClasses: readonly PermissionClass[];
  /** Throttles every request is counted by. */
  defaultThrottleClasses: readonly ThrottleClass[];
  /** Rates by scope: `{ anon: '100/day', user: '1000/day' }`. */
  defaultThrottleRates: Readonly<Record<string, string | null>>;
  /** The negotiator class. */
  defaultContentNegotiationClass: new () => ContentNegotiation;
  /** Turns an exception into a response; returns null to let it through (a 500). */
  exceptionHandler: ExceptionHandler;
  /** The key of object-level validation errors. */
  nonFieldErrorsKey: string;
  /** 400 (DRF) or 422, which also answers as RFC 9457 `application/problem+json`. */
  validationErrorStatus: 400 | 422;
  /** The user of an unauthenticated request. */
  unauthenticatedUser: () => ApiUser;
  /** The auth of an unauthenticated request. */
  unauthenticatedToken: () => unknown;
  /** The query parameter that picks a renderer by format (`?format=json`); null to ignore it. */
  urlFormatOverride: string | null;
  /** Checks Basic credentials (the project's user model); null refuses all. */
  authenticateCredentials: CredentialsChecker | null;
  /** Where `TokenAuthentication` looks keys up (e.g. `databaseTokenStore(...)` of authtoken). */
  tokenStore: TokenStore | null;
  /** Where throttles count; null for `throttleCache`, else this process's memory. */
  throttleStore: ThrottleStore | null;
  /**
   * The alias of a cache in the `caches` settings to count throttles in (shared by every
   * worker: Redis, the database), when `throttleStore` is not set; null for none.
   */
  throttleCache: string | null;
  /** Proxies in front that append to X-Forwarded-For; null to trust REMOTE_ADDR as the server set it. */
  numProxies: number | null;
  /** The paginator of generic list views that name none; null: lists are not paginated (DRF's default). */
  defaultPaginationClass: (new () => Paginator) | null;
  /** Rows per page for paginators without their own `pageSize`; null: no page size. */
  pageSize: number | null;
  /** The filter backends of generic views that name none. */
  defaultFilterBackends: ReadonlyArray<new () => FilterBackend>;
  /**
   * What OPTIONS answers for views that name none; left unset, `SimpleMetadata`. Null: no
   * metadata, OPTIONS is a 405 (DRF's `DEFAULT_METADATA_CLASS = None`).
   */
  defaultMetadataClass: MetadataClass | null | undefined;
}

const defaults: ApiSettings = {
  defaultRendererClasses: [JSONRenderer, BrowsableAPIRenderer],
  defaultParserClasses: [JSONParser, FormParser, MultiPartParser],
  defaultAuthenticationClasses: [SessionAuthentication, BasicAuthentication],
  defaultPermissionClasses: [AllowAny],
  defaultThrottleClasses: [],
  defaultThrottleRates: {},
  defaultContentNegotiationClass: DefaultContentNegotiation,
  exceptionHandler,
  nonFieldErrorsKey: 'non_field_errors',
  validationErrorStatus: 400,
  unauthenticatedUser: () => new AnonymousUser(),
  unauthenticatedToken: () => null,
  urlFormatOverride: 'format',
  authenticateCredentials: null,
  tokenStore: null,
  throttleStore: null,
  throttleCache: null,
  numProxies: null,
  defaultPaginationClass: null,
  pageSize: null,
  defaultFilterBackends: [],
  // Unset (not null, which switches metadata off) so that the section accepts null here.
  defaultMetadataClass: undefined,
};

/** The `api` settings section. */
export const apiSettings = defineSettingsSection(
  'api',
  settingsSchema<ApiSettings>(defaults, {
    check: (s) => {
      if (s.validationErrorStatus !== 400 && s.validationErrorStatus !== 422)
        return ['validationErrorStatus', 'must be 400 or 422'];
      if (s.throttleCache !== null && (typeof s.throttleCache !== 'string' || s.throttleCache === ''))
        return ['throttleCache', "must be the alias of a cache (e.g. 'default') or null"];
      if (s.numProxies !== null && (!Number.isInteger(s.numProxies) || s.numProxies < 0))
        return ['numProxies', 'must be a non-negative integer or null'];
      if (s.pageSize !== null && (!Number.isSafeInteger(s.pageSize) || s.pageSize < 1))
        return ['pageSize', 'must be a positive integer or null'];
      if (s.defaultPaginationClass !== null && typeof s.defaultPaginationClass !== 'function')
        return ['defaultPaginationClass', 'must be a paginator class or null'];
      if (s.defaultMetadataClass != null && typeof s.defaultMetadataClass !== 'function')
        return ['defaultMetadataClass', 'must be a metadata class (e.g. SimpleMetadata) or null'];
      if (s.defaultFilterBackends.some((b) => typeof b !== 'function'))
        return ['defaultFilterBackends', 'must list filter backend classes'];
      for (const [scope, rate] of Object.entries(s.defaultThrottleRates)) {
        if (rate !== null && !/^\s*\d+\s*\/\s*\d*\s*[smhd][a-z]*\s*$/i.test(rate))
          return ['defaultThrottleRates', `'${scope}': '${rate}' is not a rate such as '100/day'`];
      }
      return undefined;
    },
  }),
);

/** The resolved `api` section. */
export type ResolvedApiSettings = SectionOutput<typeof apiSettings>;

declare module '../web/index.ts' {
  interface SettingsSections {
    api: typeof apiSettings;
  }
}

const resolvedDefaults = new WeakMap<object, ResolvedApiSettings>();
let fallback: ResolvedApiSettings | undefined;

/** The `api` section of a request's settings (the defaults when the settings have none). */
export function apiSettingsOf(settings: object): ResolvedApiSettings {
  const section = (settings as { api?: ResolvedApiSettings }).api;
  if (section !== undefined && section !== null && 'defaultRendererClasses' in section) return section;
  let resolved = resolvedDefaults.get(settings);
  if (resolved === undefined) {
    fallback ??= validate(undefined);
    resolved = section === undefined ? fallback : validate(section);
    resolvedDefaults.set(settings, resolved);
  }
  return resolved;
}

function validate(value: unknown): ResolvedApiSettings {
  const result = apiSettings.schema['~standard'].validate(value);
  if (result instanceof Promise || result.issues !== undefined)
    throw new ImproperlyConfigured(
      `settings.api: ${result instanceof Promise ? 'async' : result.issues[0]?.message}`,
    );
  return result.value;
}
