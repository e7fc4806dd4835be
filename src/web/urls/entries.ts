/**
 * Flattening a URLconf tree into entries: one per endpoint pattern, in Django's
 * first-match order, each with everything matching and reversing need precomputed (the
 * joined regex, the segment decomposition for the matcher's tree, the argument plan, the
 * reverse template). Also builds the namespace scopes `reverse()` walks.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import { type ExtraKwargs, URLPattern, URLResolver, type URLEntry } from './conf.ts';
import { type Converter, isSegmentSafe } from './converters.ts';
import { type MatchInfo, matchInfo } from './match.ts';
import type { Pattern, ReverseToken, RouteToken } from './pattern.ts';

/** One step of building a match's arguments; steps apply in order, later keys win. */
export interface PlanStep {
  /** 0: a captured value, 1: extra kwargs, 2: a positional value. */
  readonly kind: 0 | 1 | 2;
  /** Where the value is: a group number in the regex match, or a parameter ordinal in the tree. */
  readonly index: number;
  readonly name: string;
  readonly converter: Converter | null;
  readonly extras: ExtraKwargs | null;
}

/** A path segment of a pattern: literal text, or one parameter filling the segment. */
export type Segment = string | { readonly converter: Converter };

/** How an entry is reversed. */
export interface ReverseTemplate {
  readonly tokens: readonly ReverseToken[];
  /** Parameter names in order of first appearance. */
  readonly params: readonly string[];
  /** Extra kwargs of the pattern and its includes: may be passed, must then be equal. */
  readonly defaults: ExtraKwargs;
  readonly converters: ReadonlyMap<string, Converter>;
}

/** An endpoint pattern with its includes, compiled. */
export interface Entry {
  /** Position in first-match order. */
  readonly index: number;
  readonly pattern: URLPattern;
  /** The includes it sits in, outermost first. */
  readonly chain: readonly URLResolver[];
  readonly info: MatchInfo;
  /** The joined regex, sticky, to be run from index 1 of `pathInfo` (after the root `/`). */
  readonly fullRegex: RegExp;
  /** Argument plan over `fullRegex` groups. */
  readonly groupPlan: readonly PlanStep[];
  /** True when unnamed groups are passed positionally (no named group anywhere). */
  readonly positional: boolean;
  /** The full segment list when the pattern is made of literal and whole-segment parameters only. */
  readonly segments: readonly Segment[] | null;
  /** Argument plan over the tree's captured segments (when `segments` is set). */
  readonly segmentPlan: readonly PlanStep[] | null;
  /** Leading segments every match must have (used to file patterns matched by regex). */
  readonly prefixSegments: readonly Segment[];
  readonly reverse: ReverseTemplate | null;
  /** Descriptions of the chain's patterns, for the debug 404 page and NoReverseMatch. */
  readonly described: readonly string[];
}

/** Where `reverse()` looks names up: the root or one namespaced include. */
export class NamespaceScope {
  /** URL name → entries, the last defined first (Django's reverse prefers it). */
  readonly names = new Map<string, Entry[]>();
  /** Instance namespace → its scope (the first defined wins). */
  readonly namespaces = new Map<string, NamespaceScope>();
  /** App name → instance namespaces, the last deployed first. */
  readonly apps = new Map<string, string[]>();

  /** Puts the lists in Django's preference order once everything is added. */
  finish(): void {
    for (const list of this.names.values()) list.reverse();
    for (const list of this.apps.values()) list.reverse();
    for (const scope of this.namespaces.values()) scope.finish();
  }
}

interface Context {
  readonly parts: readonly Pattern[];
  readonly levelExtras: readonly ExtraKwargs[];
  readonly chain: readonly URLResolver[];
  readonly scope: NamespaceScope;
}

/** Flattens `patterns` into entries, filling `root` with the namespaces and names. */
export function flatten(patterns: readonly URLEntry[], root: NamespaceScope): Entry[] {
  const out: Entry[] = [];
  walk(patterns, { parts: [], levelExtras: [], chain: [], scope: root }, out, new Set());
  root.finish();
  return out;
}

function walk(
  patterns: readonly URLEntry[],
  ctx: Context,
  out: Entry[],
  active: Set<readonly URLEntry[]>,
): void {
  if (active.has(patterns)) throw new ImproperlyConfigured('A URLconf includes itself.');
  active.add(patterns);
  for (const item of patterns) {
    if (item instanceof URLPattern) {
      const entry = compileEntry(out.length, item as URLPattern, ctx);
      out.push(entry);
      if (item.name !== null) {
        const list = ctx.scope.names.get(item.name);
        if (list === undefined) ctx.scope.names.set(item.name, [entry]);
        else list.push(entry);
      }
      continue;
    }
    const resolver = item as URLResolver;
    let scope = ctx.scope;
    if (resolver.namespace !== null) {
      scope = new NamespaceScope();
      if (!ctx.scope.namespaces.has(resolver.namespace)) ctx.scope.namespaces.set(resolver.namespace, scope);
      const app = resolver.appName ?? resolver.namespace;
      const instances = ctx.scope.apps.get(app);
      if (instances === undefined) ctx.scope.apps.set(app, [resolver.namespace]);
      else instances.push(resolver.namespace);
    }
    walk(
      resolver.urlPatterns,
      {
        parts: [...ctx.parts, resolver.pattern],
        levelExtras: [...ctx.levelExtras, resolver.defaultKwargs],
        chain: [...ctx.chain, resolver],
        scope,
      },
      out,
      active,
    );
  }
  active.delete(patterns);
}

function compileEntry(index: number, pattern: URLPattern, ctx: Context): Entry {
  const parts = [...ctx.parts, pattern.pattern];
  const levelExtras = [...ctx.levelExtras, pattern.defaultArgs];

  // The joined regex, and the plan binding its groups.
  let source = '';
  let groupCount = 0;
  const groupPlan: PlanStep[] = [];
  parts.forEach((part, level) => {
    source += `(?:${part.regexSource(groupCount)})`;
    part.groups.forEach((group, g) => {
      const index = groupCount + g + 1;
      if (group.internal) return;
      if (group.name === null) groupPlan.push({ kind: 2, index, name: '', converter: null, extras: null });
      else groupPlan.push({ kind: 0, index, name: group.name, converter: group.converter, extras: null });
    });
    groupCount += part.groups.length;
    const extras = levelExtras[level] as ExtraKwargs;
    if (Object.keys(extras).length > 0)
      groupPlan.push({ kind: 1, index: -1, name: '', converter: null, extras });
  });
  const positional = !groupPlan.some((s) => s.kind === 0);
  const plan = positional ? groupPlan : groupPlan.filter((s) => s.kind !== 2);

  const decomposed = decompose(parts);
  const segmentPlan = decomposed.complete ? planForSegments(parts, levelExtras) : null;

  const described = [...ctx.chain.map(String), String(pattern)];
  const route = parts
    .map((p, i) => (i > 0 && p.tokens === null ? p.source.replace(/^\^/, '') : p.source))
    .join('');
  return Object.freeze({
    index,
    pattern,
    chain: ctx.chain,
    info: matchInfo(
      pattern.callback,
      pattern.name,
      route,
      ctx.chain.map((r) => r.appName),
      ctx.chain.map((r) => r.namespace),
    ),
    fullRegex: new RegExp(source, 'y'),
    groupPlan: Object.freeze(plan),
    positional,
    segments: decomposed.complete ? Object.freeze(decomposed.segments) : null,
    segmentPlan,
    prefixSegments: Object.freeze(decomposed.segments),
    reverse: reverseTemplate(parts, levelExtras),
    described: Object.freeze(described),
  });
}

/**
 * Splits the patterns' tokens into path segments. `complete` when every segment is plain
 * (literal, or a single whole-segment parameter whose converter cannot match `/`), so the
 * pattern can be matched segment by segment. Otherwise `segments` holds the plain
 * segments, each followed by a `/`, before the first complex or unknown one.
 */
function decompose(parts: readonly Pattern[]): { complete: boolean; segments: Segment[] } {
  const tokens: RouteToken[] = [];
  let tokenized = true;
  for (const part of parts) {
    if (part.tokens !== null) tokens.push(...part.tokens);
    else if (part.literal !== null && part.groups.length === 0) tokens.push(part.literal);
    else {
      tokens.push(part.literalStart);
      tokenized = false;
      break;
    }
  }
  const segments: Segment[] = [];
  let current: RouteToken[] = [];
  for (const token of tokens) {
    if (typeof token !== 'string') {
      current.push(token);
      continue;
    }
    const pieces = token.split('/');
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) {
        const segment = plainSegment(current);
        current = [];
        if (segment === null) return { complete: false, segments };
        segments.push(segment);
      }
      if (pieces[i]) current.push(pieces[i] as string);
    }
  }
  if (!tokenized) return { complete: false, segments };
  const last = plainSegment(current);
  if (last === null) return { complete: false, segments };
  segments.push(last);
  return { complete: true, segments };
}

function plainSegment(tokens: readonly RouteToken[]): Segment | null {
  if (tokens.length === 0) return '';
  if (tokens.length === 1) {
    const token = tokens[0] as RouteToken;
    if (typeof token === 'string') return token;
    return isSegmentSafe(token.converter) ? { converter: token.converter } : null;
  }
  return tokens.every((t) => typeof t === 'string') ? tokens.join('') : null;
}

function planForSegments(parts: readonly Pattern[], levelExtras: readonly ExtraKwargs[]): PlanStep[] {
  const plan: PlanStep[] = [];
  let ordinal = 0;
  parts.forEach((part, level) => {
    for (const token of part.tokens ?? []) {
      if (typeof token !== 'string') {
        plan.push({ kind: 0, index: ordinal++, name: token.name, converter: token.converter, extras: null });
      }
    }
    const extras = levelExtras[level] as ExtraKwargs;
    if (Object.keys(extras).length > 0) plan.push({ kind: 1, index: -1, name: '', converter: null, extras });
  });
  return plan;
}

function reverseTemplate(
  parts: readonly Pattern[],
  levelExtras: readonly ExtraKwargs[],
): ReverseTemplate | null {
  const tokens: ReverseToken[] = [];
  const params: string[] = [];
  const converters = new Map<string, Converter>();
  for (const part of parts) {
    if (part.reverseTokens === null) return null;
    for (const token of part.reverseTokens) {
      tokens.push(token);
      if (typeof token === 'string') continue;
      if (!params.includes(token.name)) params.push(token.name);
      if (token.converter !== null) converters.set(token.name, token.converter);
    }
  }
  return Object.freeze({
    tokens,
    params,
    defaults: Object.freeze(Object.assign({}, ...levelExtras)),
    converters,
  });
}
