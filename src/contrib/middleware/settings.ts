/**
 * The `security` settings section: Django's `SECURE_*` settings camelCased
 * (`SECURE_HSTS_SECONDS` is `hstsSeconds`), and `X_FRAME_OPTIONS` as `xFrameOptions`.
 *
 * @module
 */
import { validateSection } from '../../web/conf/sections.ts';
import type { HttpRequest } from '../../web/http/request.ts';
import { defineSettingsSection, settingsSchema } from '../../web/index.ts';
import { withNullable } from '../utils/settings.ts';

/** The `security` section. */
export interface SecuritySettings {
  /** `Strict-Transport-Security` max-age on HTTPS responses; 0 (default) sends none. */
  readonly hstsSeconds: number;
  /** Adds `includeSubDomains` to the HSTS header. Default false. */
  readonly hstsIncludeSubdomains: boolean;
  /** Adds `preload` to the HSTS header. Default false. */
  readonly hstsPreload: boolean;
  /** `X-Content-Type-Options: nosniff`. Default true. */
  readonly contentTypeNosniff: boolean;
  /** `Referrer-Policy` (a policy or a comma-separated list); null sends none. Default `'same-origin'`. */
  readonly referrerPolicy: string | null;
  /** `Cross-Origin-Opener-Policy`; null sends none. Default `'same-origin'`. */
  readonly crossOriginOpenerPolicy: string | null;
  /** Redirect every HTTP request to HTTPS (301). Default false. */
  readonly sslRedirect: boolean;
  /** The host to redirect to; null (default) keeps the request's. */
  readonly sslHost: string | null;
  /** Regexes of paths (without the leading slash) left on HTTP. Default `[]`. */
  readonly redirectExempt: readonly string[];
  /** `X-Frame-Options` sent by `XFrameOptionsMiddleware`: `'DENY'` (default) or `'SAMEORIGIN'`. */
  readonly xFrameOptions: string;
}

/** The values Django accepts for `Referrer-Policy` (security.E023). */
export const REFERRER_POLICY_VALUES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);

/** The values Django accepts for `Cross-Origin-Opener-Policy` (security.E024). */
export const CROSS_ORIGIN_OPENER_POLICY_VALUES = new Set([
  'same-origin',
  'same-origin-allow-popups',
  'unsafe-none',
]);

/** The `security` section, validated at start-up. */
export const securitySettings = defineSettingsSection(
  'security',
  withNullable(
    settingsSchema<SecuritySettings>(
      {
        hstsSeconds: 0,
        hstsIncludeSubdomains: false,
        hstsPreload: false,
        contentTypeNosniff: true,
        referrerPolicy: 'same-origin',
        crossOriginOpenerPolicy: 'same-origin',
        sslRedirect: false,
        sslHost: null,
        redirectExempt: [],
        xFrameOptions: 'DENY',
      },
      {
        check(s) {
          if (!Number.isInteger(s.hstsSeconds) || s.hstsSeconds < 0)
            return ['hstsSeconds', 'must be a whole number of seconds'];
          for (const key of ['referrerPolicy', 'crossOriginOpenerPolicy', 'sslHost'] as const) {
            if (s[key] !== null && typeof s[key] !== 'string') return [key, 'must be a string or null'];
          }
          for (const pattern of s.redirectExempt) {
            try {
              new RegExp(pattern);
            } catch (error) {
              return [
                'redirectExempt',
                `${JSON.stringify(pattern)} is not a regex: ${(error as Error).message}`,
              ];
            }
          }
          if (!['DENY', 'SAMEORIGIN'].includes(s.xFrameOptions.toUpperCase()))
            return ['xFrameOptions', "must be 'DENY' or 'SAMEORIGIN'"];
          return undefined;
        },
      },
    ),
    ['referrerPolicy', 'crossOriginOpenerPolicy'],
  ),
);

declare module '../../web/index.ts' {
  interface SettingsSections {
    security: typeof securitySettings;
  }
}

let defaults: SecuritySettings | undefined;

/** The section of these settings (the defaults when they predate this module). */
export function securitySettingsOf(settings: unknown): SecuritySettings {
  return (
    (settings as { security?: SecuritySettings } | undefined)?.security ??
    (defaults ??= validateSection(securitySettings, undefined))
  );
}

/** The section of the request's settings. */
export function securityOf(request: HttpRequest): SecuritySettings {
  return securitySettingsOf(request.settings);
}
