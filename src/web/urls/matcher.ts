/**
 * The compiled matcher: Django's first-match semantics at a cost that does not grow
 * with the number of patterns.
 *
 * One structure, built once: a segment tree. Patterns made of literal segments and
 * whole-segment parameters (`articles/<int:year>/`) are matched segment by segment, static
 * children looked up in a map and parameter children by converter regex. Patterns that
 * cannot be split into segments (regexes, `<path:…>`, `page-<int:n>.html`) are filed under
 * their leading literal segments and tested with their joined regex when the walk
 * reaches that node.
 *
 * Literal paths whose answer the walk gives at startup are also kept in a map, so a
 * request for one of them costs a single lookup.
 *
 * A lookup walks every branch the path can take and keeps the candidate with the lowest
 * index (the first in URLconf order) that its converters accept; a branch whose lowest
 * index cannot beat the best found so far is skipped. With typical URLconfs only a
 * handful of candidates are ever looked at, whatever the total.
 *
 * @module
 */
import type { Entry, Segment } from './entries.ts';
import { ResolverMatch } from './match.ts';
import { buildArgs, buildKwargs, NO_ARGS } from './plan.ts';
import { translateRegex } from './regex.ts';

interface ParamEdge {
  readonly source: string;
  readonly test: RegExp;
  readonly child: Node;
}

/**
 * One RegExp per distinct converter regex, shared by every edge that uses it: thousands of
 * `<int:…>` edges then run one compiled regex instead of thousands of cold ones.
 */
const segmentTests = new Map<string, RegExp>();

function segmentTest(source: string): RegExp {
  let regex = segmentTests.get(source);
  if (regex === undefined) segmentTests.set(source, (regex = new RegExp(`^(?:${source})$`)));
  return regex;
}

class Node {
  // Most nodes have one static child (often the empty segment after a trailing slash): it
  // is held inline, and a Map is only made for two or more. Fewer objects to chase per
  // lookup matters once the tree no longer fits in the CPU caches.
  staticKey: string | null = null;
  staticChild: Node | null = null;
  statics: Map<string, Node> | null = null;
  params: ParamEdge[] | null = null;
  /** Patterns ending exactly here (all segments consumed), by index. */
  ends: Entry[] | null = null;
  /** Patterns tested by regex once the walk reaches here, by index. */
  tails: Entry[] | null = null;
  /** The lowest index of any pattern in this subtree. */
  minIndex = Number.POSITIVE_INFINITY;

  child(segment: Segment): Node {
    if (typeof segment === 'string') return this.#staticChild(segment);
    const source = translateRegex(segment.converter.regex).source;
    this.params ??= [];
    let edge = this.params.find((e) => e.source === source);
    if (edge === undefined) {
      edge = { source, test: segmentTest(source), child: new Node() };
      this.params.push(edge);
    }
    return edge.child;
  }

  #staticChild(segment: string): Node {
    if (this.staticKey === segment) return this.staticChild as Node;
    if (this.staticKey === null && this.statics === null) {
      this.staticKey = segment;
      return (this.staticChild = new Node());
    }
    if (this.statics === null) {
      this.statics = new Map([[this.staticKey as string, this.staticChild as Node]]);
      this.staticKey = null;
      this.staticChild = null;
    }
    let node = this.statics.get(segment);
    if (node === undefined) this.statics.set(segment, (node = new Node()));
    return node;
  }

  /** Computes `minIndex` bottom-up and freezes the lists. */
  seal(): number {
    let min = Math.min(
      this.ends?.[0]?.index ?? Number.POSITIVE_INFINITY,
      this.tails?.[0]?.index ?? Number.POSITIVE_INFINITY,
    );
    if (this.staticChild !== null) min = Math.min(min, this.staticChild.seal());
    if (this.statics !== null) for (const node of this.statics.values()) min = Math.min(min, node.seal());
    if (this.params !== null) {
      for (const edge of this.params) min = Math.min(min, edge.child.seal());
      Object.freeze(this.params);
    }
    if (this.ends !== null) Object.freeze(this.ends);
    if (this.tails !== null) Object.freeze(this.tails);
    this.minIndex = min;
    return min;
  }
}

/** Per-lookup state. */
interface Search {
  bestIndex: number;
  best: Entry | null;
  kwargs: Record<string, unknown> | null;
  args: readonly string[];
  readonly caps: string[];
}

/** Resolves a `pathInfo` against flattened entries. */
export class Matcher {
  readonly #root = new Node();
  // Reused by every lookup: a lookup is synchronous, so only a converter resolving from
  // inside toPython() could re-enter, and that case gets a fresh state.
  readonly #scratch: Search = { bestIndex: 0, best: null, kwargs: null, args: NO_ARGS, caps: [] };
  #busy = false;

  /**
   * Literal paths (`about/`, `api/status/`) whose first match is settled at startup: the
   * path, and the entry that answers it. A lookup for one of them is a single map access.
   */
  readonly #statics = new Map<string, Entry>();

  constructor(entries: readonly Entry[]) {
    for (const entry of entries) {
      let node = this.#root;
      const segments = entry.segments ?? entry.prefixSegments;
      for (const segment of segments) node = node.child(segment);
      if (entry.segments !== null) (node.ends ??= []).push(entry);
      else (node.tails ??= []).push(entry);
    }
    this.#root.seal();
    for (const entry of entries) {
      const segments = entry.segments;
      if (segments === null || !segments.every((s) => typeof s === 'string')) continue;
      const path = `/${segments.join('/')}`;
      // Only when the full first-match search gives this entry for its path: an earlier
      // pattern (a parameter, a regex) may match the same text, and then it wins.
      if (!this.#statics.has(path) && this.#search(path).best === entry) this.#statics.set(path, entry);
    }
  }

  /** The first matching pattern in URLconf order, or `null`. */
  match(pathInfo: string): ResolverMatch | null {
    const known = this.#statics.get(pathInfo);
    if (known !== undefined) {
      // Only extra kwargs can apply (no parameters): a fresh object, as views may change it.
      const kwargs = buildKwargs(known.segmentPlan ?? [], NO_ARGS) as Record<string, unknown>;
      return new ResolverMatch(known.info, kwargs, NO_ARGS);
    }
    if (pathInfo.charCodeAt(0) !== 47 /* / */) return null;
    const search = this.#search(pathInfo);
    // (#search() assigned it; the compiler only saw the reset inside.)
    const best = search.best as Entry | null;
    if (best === null) return null;
    const match = new ResolverMatch(best.info, search.kwargs as Record<string, unknown>, search.args);
    search.best = null;
    search.kwargs = null;
    return match;
  }

  /** Walks the tree for `pathInfo` (which starts with `/`); the result is in the returned state. */
  #search(pathInfo: string): Search {
    const reentrant = this.#busy;
    const search: Search = reentrant
      ? { bestIndex: 0, best: null, kwargs: null, args: NO_ARGS, caps: [] }
      : this.#scratch;
    search.bestIndex = Number.POSITIVE_INFINITY;
    search.best = null;
    this.#busy = true;
    try {
      walk(this.#root, pathInfo, 1, 0, search);
    } finally {
      this.#busy = reentrant;
    }
    return search;
  }
}

/**
 * Visits `node` with the path's segment starting at `offset` still to consume
 * (`offset` is -1 once the last segment was consumed).
 */
function walk(node: Node, path: string, offset: number, depth: number, search: Search): void {
  if (node.minIndex >= search.bestIndex) return;
  if (node.tails !== null) matchTails(node.tails, path, search);
  if (offset < 0) {
    if (node.ends !== null) matchEnds(node.ends, search);
    return;
  }
  const slash = path.indexOf('/', offset);
  const segment = slash === -1 ? path.slice(offset) : path.slice(offset, slash);
  const next = slash === -1 ? -1 : slash + 1;
  if (node.staticKey !== null) {
    if (node.staticKey === segment) walk(node.staticChild as Node, path, next, depth, search);
  } else if (node.statics !== null) {
    const child = node.statics.get(segment);
    if (child !== undefined) walk(child, path, next, depth, search);
  }
  const params = node.params;
  if (params !== null) {
    for (let i = 0; i < params.length; i++) {
      const edge = params[i] as ParamEdge;
      if (edge.child.minIndex < search.bestIndex && edge.test.test(segment)) {
        search.caps[depth] = segment;
        walk(edge.child, path, next, depth + 1, search);
      }
    }
  }
}

function matchEnds(ends: readonly Entry[], search: Search): void {
  for (let i = 0; i < ends.length; i++) {
    const entry = ends[i] as Entry;
    if (entry.index >= search.bestIndex) return;
    const kwargs = buildKwargs(entry.segmentPlan ?? [], search.caps);
    if (kwargs !== null) {
      search.best = entry;
      search.bestIndex = entry.index;
      search.kwargs = kwargs;
      search.args = NO_ARGS;
      return;
    }
  }
}

function matchTails(tails: readonly Entry[], path: string, search: Search): void {
  for (let i = 0; i < tails.length; i++) {
    const entry = tails[i] as Entry;
    if (entry.index >= search.bestIndex) return;
    const regex = entry.fullRegex;
    regex.lastIndex = 1;
    const m = regex.exec(path);
    if (m === null) continue;
    const kwargs = buildKwargs(entry.groupPlan, m);
    if (kwargs === null) continue;
    search.best = entry;
    search.bestIndex = entry.index;
    search.kwargs = kwargs;
    search.args = entry.positional ? buildArgs(entry.groupPlan, m) : NO_ARGS;
    return;
  }
}
