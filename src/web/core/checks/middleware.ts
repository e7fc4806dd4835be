/**
 * `middleware.E001`: a middleware that relies on another (authentication on sessions) must
 * come after it in `settings.middleware`.
 *
 * @module
 */
import type { MiddlewareFactory } from '../../middleware/types.ts';
import type { CheckMessage } from './registry.ts';

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
      if (at !== -1 && at < index) continue;
      const [name, needed] = [nameOf(factory), nameOf(required)];
      out.push({
        level: 'error',
        id: 'middleware.E001',
        message:
          at === -1
            ? `${name} requires ${needed}, which is not in settings.middleware: add it before ${name}.`
            : `${name} requires ${needed}, which is listed after it in settings.middleware: move ${needed} before ${name}.`,
      });
    }
  });
  return out;
}
