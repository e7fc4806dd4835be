/**
 * URL checks: `urls.E002`, a view that is not a function; `urls.E003`, two patterns with
 * one name in one namespace.
 *
 * @module
 */
import { URLPattern, URLResolver, type URLEntry } from '../../urls/conf.ts';
import type { CheckMessage } from './registry.ts';

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
          level: 'error',
          id: 'urls.E002',
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
        level: 'error',
        id: 'urls.E003',
        message: `URL name '${entry.name}' is used twice in ${where}: by '${first || '/'}' and by '${route || '/'}'.`,
        hint: 'Rename one.',
      });
    }
  };
  walk(urlpatterns, '', '');
  return out;
}
