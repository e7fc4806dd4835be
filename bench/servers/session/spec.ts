/**
 * What the `session` workloads' servers share: the engines, the bench user, and the page's
 * expected answer (the same from Portico and from Django).
 */

/** Portico's engine names (Django's: `signed_cookies`, `db`, `cache`). */
export const SESSION_ENGINES = ['signedCookies', 'db', 'cache'] as const;
export type SessionEngine = (typeof SESSION_ENGINES)[number];

export function isSessionEngine(value: unknown): value is SessionEngine {
  return SESSION_ENGINES.includes(value as SessionEngine);
}

/** The user the harness logs in as, created by each server when it starts. */
export const BENCH_USERNAME = 'bench';
export const BENCH_PASSWORD = 'bench-password-5d1f';

/** The page: the session's `theme` and the user's name. */
export const PAGE_BODY = '{"user":"bench","theme":"dark"}';
