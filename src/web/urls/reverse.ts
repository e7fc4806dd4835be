/**
 * `reverse()`: from a URL name (with namespaces) and arguments back to a path, with
 * Django's rules for choosing among namespace instances and duplicate names.
 *
 * @module
 */
import { quote, REVERSE_SAFE } from '../utils/encoding.ts';
import type { Entry, NamespaceScope } from './entries.ts';
import { NoReverseMatch } from './exceptions.ts';
import type { ReverseArguments } from './types.ts';

export type { ReverseArguments };

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** Finds the namespace scope a `ns:…:name` view name points at. */
function scopeFor(
  root: NamespaceScope,
  namespaces: readonly string[],
  currentApp: string | null | undefined,
): NamespaceScope {
  let currentPath: string[] | null = currentApp ? currentApp.split(':') : null;
  let scope = root;
  const resolved: string[] = [];
  for (const wanted of namespaces) {
    let ns = wanted;
    const currentNs = currentPath !== null && currentPath.length > 0 ? (currentPath.shift() as string) : null;
    const instances = scope.apps.get(ns);
    if (instances !== undefined) {
      // An app namespace: the current app's instance if it is one, else the default
      // instance (namespace == app name), else the one deployed last.
      if (currentNs !== null && instances.includes(currentNs)) ns = currentNs;
      else if (!instances.includes(ns)) ns = instances[0] as string;
    }
    if (ns !== currentNs) currentPath = null;
    const child = scope.namespaces.get(ns);
    if (child === undefined) {
      const inside = resolved.length > 0 ? ` inside '${resolved.join(':')}'` : '';
      throw new NoReverseMatch(`'${ns}' is not a registered namespace${inside}`);
    }
    resolved.push(ns);
    scope = child;
  }
  return scope;
}

/** The path of `entry` for the given values, or `null` when they do not fit it. */
function build(
  entry: Entry,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): string | null {
  const template = entry.reverse;
  if (template === null) return null;
  const { params, defaults } = template;
  let values: Readonly<Record<string, unknown>>;
  if (args.length > 0) {
    if (args.length !== params.length) return null;
    const zipped: Record<string, unknown> = {};
    params.forEach((name, i) => {
      zipped[name] = args[i];
    });
    values = zipped;
  } else {
    for (const key of Object.keys(kwargs)) if (!params.includes(key) && !(key in defaults)) return null;
    for (const name of params) if (!(name in kwargs) && !(name in defaults)) return null;
    for (const [key, value] of Object.entries(defaults))
      if (key in kwargs && kwargs[key] !== value) return null;
    values = kwargs;
  }
  let path = '';
  for (const token of template.tokens) {
    if (typeof token === 'string') {
      path += token;
      continue;
    }
    const value = token.name in values ? values[token.name] : defaults[token.name];
    if (value === undefined || value === null) return null;
    if (token.converter === null) path += String(value);
    else {
      try {
        path += token.converter.toUrl(value);
      } catch {
        return null;
      }
    }
  }
  // The result must resolve back to this pattern (e.g. a value may not fit the converter regex).
  const regex = entry.fullRegex;
  regex.lastIndex = 1;
  return regex.test(`/${path}`) ? path : null;
}

function describeArguments(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): string {
  if (args.length > 0) return `arguments '${JSON.stringify(args)}'`;
  if (Object.keys(kwargs).length > 0) return `keyword arguments '${JSON.stringify(kwargs)}'`;
  return 'no arguments';
}

/**
 * Reverses `viewName` (`name` or `ns:…:name`) within the URLconf whose root scope is `root`.
 *
 * @throws NoReverseMatch when the namespace or name is unknown or no pattern fits the
 * arguments; the message lists the patterns tried.
 */
export function reverseIn(root: NamespaceScope, viewName: string, options: ReverseArguments = {}): string {
  const args = options.args ?? [];
  const kwargs = options.kwargs ?? EMPTY;
  if (args.length > 0 && Object.keys(kwargs).length > 0) {
    throw new NoReverseMatch("Don't mix args and kwargs in a call to reverse().");
  }
  const namespaces = viewName.split(':');
  const name = namespaces.pop() as string;
  const scope = scopeFor(root, namespaces, options.currentApp);
  const candidates = scope.names.get(name);
  if (candidates === undefined) {
    throw new NoReverseMatch(`Reverse for '${name}' not found. '${name}' is not a valid pattern name.`);
  }
  let prefix = options.scriptPrefix ?? '/';
  if (!prefix.endsWith('/')) prefix += '/';
  for (const entry of candidates) {
    const path = build(entry, args, kwargs);
    if (path === null) continue;
    const url = quote(prefix + path, REVERSE_SAFE);
    // Never produce a scheme-relative URL (`//host`).
    return url.startsWith('//') ? `/%2F${url.slice(2)}` : url;
  }
  const tried = candidates.map((e) => e.info.route);
  throw new NoReverseMatch(
    `Reverse for '${name}' with ${describeArguments(args, kwargs)} not found. ` +
      `${tried.length} pattern(s) tried: ${JSON.stringify(tried)}`,
  );
}
