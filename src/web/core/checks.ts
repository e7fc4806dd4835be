/**
 * The system checks (Django's `django.core.checks`): configuration mistakes found before
 * the first request, each reported with a stable code. `portico check` runs them; so can a
 * test: `assert.deepEqual(runChecks(settings), [])`.
 *
 * @module
 */
import type { ErrorCode } from '../../tsgi/errors.ts';
import { resolveSettings, type ResolvedSettings, type Settings } from '../conf/settings.ts';
import type { MiddlewareFactory } from '../middleware/types.ts';
import { URLPattern, URLResolver, type URLEntry, urlpatternsOf } from '../urls/conf.ts';
import { RootResolver } from '../urls/resolver.ts';

/** One problem found. Every check message is an error: `portico check` fails on any. */
export interface CheckMessage {
  readonly code: ErrorCode;
  /** What is wrong and, where useful, how to fix it: one line. */
  readonly message: string;
}

/**
 * What a middleware factory may declare about its place in `settings.middleware`: the
 * factories that must come before it (be outer to it) because it relies on what they set
 * up, as an authentication middleware relies on the session middleware.
 *
 * @example
 * ```ts
 * class AuthenticationMiddleware extends MiddlewareMixin {
 *   static readonly requires = [SessionMiddleware];
 * }
 * ```
 */
export interface MiddlewareRequirements {
  readonly requires?: readonly MiddlewareFactory[];
}

function nameOf(factory: unknown): string {
  return (typeof factory === 'function' && factory.name) || 'an anonymous middleware';
}

/** Each middleware's `requires` must be in the list, before it. */
export function checkMiddleware(middleware: readonly MiddlewareFactory[]): CheckMessage[] {
  const out: CheckMessage[] = [];
  middleware.forEach((factory, index) => {
    const requires = (factory as MiddlewareRequirements).requires ?? [];
    for (const required of requires) {
      const at = middleware.indexOf(required);
      if (at === -1) {
        out.push({
          code: 'PORTICO_ERR_MIDDLEWARE_DEPENDENCY',
          message: `${nameOf(factory)} requires ${nameOf(required)}, which is not in settings.middleware: add it before ${nameOf(factory)}.`,
        });
      } else if (at > index) {
        out.push({
          code: 'PORTICO_ERR_MIDDLEWARE_DEPENDENCY',
          message: `${nameOf(factory)} requires ${nameOf(required)}, which is listed after it in settings.middleware: move ${nameOf(required)} before ${nameOf(factory)}.`,
        });
      }
    }
  });
  return out;
}

/**
 * No two patterns in one namespace share a name: `reverse()` would pick one by its
 * arguments, and the other is usually a copy-paste slip. Names are per namespace path
 * (`blog`, `blog:comments`); an include without a namespace shares its parent's. Also
 * catches views that are not functions in hand-built patterns.
 */
export function checkUrlNames(urlpatterns: readonly URLEntry[]): CheckMessage[] {
  const out: CheckMessage[] = [];
  const scopes = new Map<string, Map<string, string>>();
  const walk = (patterns: readonly URLEntry[], namespace: string, prefix: string): void => {
    for (const entry of patterns) {
      const route = prefix + String(entry.pattern);
      if (entry instanceof URLResolver) {
        const ns = entry.namespace;
        walk(
          entry.urlPatterns,
          ns === null ? namespace : namespace === '' ? ns : `${namespace}:${ns}`,
          route,
        );
        continue;
      }
      if (!(entry instanceof URLPattern)) continue;
      if (typeof entry.callback !== 'function') {
        out.push({
          code: 'PORTICO_ERR_VIEW_NOT_CALLABLE',
          message: `URL '${route}': the view is a ${typeof entry.callback}, not a function.`,
        });
      }
      if (entry.name === null) continue;
      let seen = scopes.get(namespace);
      if (seen === undefined) scopes.set(namespace, (seen = new Map()));
      const first = seen.get(entry.name);
      if (first === undefined) {
        seen.set(entry.name, route);
        continue;
      }
      const where = namespace === '' ? 'the root namespace' : `namespace '${namespace}'`;
      out.push({
        code: 'PORTICO_ERR_DUPLICATE_URL_NAME',
        message: `URL name '${entry.name}' is used twice in ${where}: by '${first || '/'}' and by '${route || '/'}'. Rename one.`,
      });
    }
  };
  walk(urlpatterns, '', '');
  return out;
}

/** `allowedHosts` and `secretKey`. */
export function checkSecurity(settings: ResolvedSettings): CheckMessage[] {
  const out: CheckMessage[] = [];
  if (settings.allowedHosts.length === 0) {
    out.push({
      code: 'PORTICO_ERR_ALLOWED_HOSTS_EMPTY',
      message: settings.debug
        ? "settings.allowedHosts is empty: with debug on only localhost names are served. List the hosts, e.g. ['localhost', '127.0.0.1']."
        : "settings.allowedHosts is empty: with debug off every request is refused (400). List the site's host names.",
    });
  }
  if (settings.secretKey === '') {
    out.push({
      code: 'PORTICO_ERR_SECRET_KEY_MISSING',
      message:
        'settings.secretKey is not set: signed cookies (and later sessions) need it. Read a long random value from the environment.',
    });
  }
  return out;
}

/**
 * Runs every check on `settings`. Settings that cannot even be resolved, or a URLconf that
 * cannot be compiled, give one message with the error's code (nothing past it can be
 * checked).
 */
export function runChecks(settings: Settings): CheckMessage[] {
  let resolved: ResolvedSettings;
  let urlpatterns: readonly URLEntry[];
  try {
    resolved = resolveSettings(settings);
    urlpatterns = urlpatternsOf(resolved.rootUrlconf);
    new RootResolver(resolved.rootUrlconf);
  } catch (error) {
    return [messageFromError(error)];
  }
  return [...checkMiddleware(resolved.middleware), ...checkUrlNames(urlpatterns), ...checkSecurity(resolved)];
}

/** A configuration error (an ImproperlyConfigured, say) as a check message. */
export function messageFromError(error: unknown): CheckMessage {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code:
      typeof code === 'string' && code.startsWith('PORTICO_ERR_')
        ? (code as ErrorCode)
        : 'PORTICO_ERR_IMPROPERLY_CONFIGURED',
    message: error instanceof Error ? error.message : String(error),
  };
}
