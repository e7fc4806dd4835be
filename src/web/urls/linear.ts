/**
 * Resolution the slow, literal way, for two uses: the `tried` list of a 404 (which must
 * reflect Django's nested walk, include by include), and a reference to check the
 * compiled matcher against (tests, benchmark).
 *
 * @module
 */
import { URLPattern, type URLEntry, type URLResolver } from './conf.ts';
import type { Entry } from './entries.ts';
import type { TriedChain } from './exceptions.ts';
import { ResolverMatch } from './match.ts';
import type { Pattern } from './pattern.ts';
import { buildArgs, buildKwargs, NO_ARGS } from './plan.ts';

/** First match by testing every entry's joined regex in order: O(number of patterns). */
export function scanEntries(entries: readonly Entry[], pathInfo: string): ResolverMatch | null {
  if (pathInfo.charCodeAt(0) !== 47) return null;
  for (const entry of entries) {
    const regex = entry.fullRegex;
    regex.lastIndex = 1;
    const m = regex.exec(pathInfo);
    if (m === null) continue;
    const kwargs = buildKwargs(entry.groupPlan, m);
    if (kwargs === null) continue;
    return new ResolverMatch(entry.info, kwargs, entry.positional ? buildArgs(entry.groupPlan, m) : NO_ARGS);
  }
  return null;
}

const partRegexes = new WeakMap<Pattern, RegExp>();

/** Matches one pattern at `offset`; returns where it ended, or -1 (converters included). */
function matchPart(pattern: Pattern, path: string, offset: number): number {
  let regex = partRegexes.get(pattern);
  if (regex === undefined) partRegexes.set(pattern, (regex = new RegExp(pattern.regexSource(0), 'y')));
  regex.lastIndex = offset;
  const m = regex.exec(path);
  if (m === null) return -1;
  let group = 1;
  for (const binding of pattern.groups) {
    const value = m[group++];
    if (binding.converter === null || value === undefined) continue;
    try {
      binding.converter.toPython(value);
    } catch {
      return -1;
    }
  }
  return regex.lastIndex;
}

/**
 * The pattern chains tried for `pathInfo`, the way Django lists them on its 404 page: an
 * include whose prefix did not match appears alone; one whose prefix matched is replaced
 * by its children's chains, each prefixed with it.
 */
export function triedChains(patterns: readonly URLEntry[], pathInfo: string): TriedChain[] {
  const tried: TriedChain[] = [];
  if (pathInfo.charCodeAt(0) === 47) walk(patterns, pathInfo, 1, [], tried);
  return tried;
}

function walk(
  patterns: readonly URLEntry[],
  path: string,
  offset: number,
  prefix: readonly string[],
  tried: TriedChain[],
): boolean {
  for (const item of patterns) {
    const end = matchPart(item.pattern, path, offset);
    if (item instanceof URLPattern) {
      if (end !== -1) return true;
      tried.push([...prefix, String(item)]);
      continue;
    }
    const resolver = item as URLResolver;
    if (end === -1) {
      tried.push([...prefix, String(resolver)]);
      continue;
    }
    if (walk(resolver.urlPatterns, path, end, [...prefix, String(resolver)], tried)) return true;
  }
  return false;
}
