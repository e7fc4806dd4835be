/**
 * The two kinds of URL pattern: routes (`articles/<int:year>/`) and regexes. Each is
 * compiled once, when `path()`/`rePath()` runs, into a JavaScript regex source with
 * unnamed groups plus what each group binds to; the resolver joins these across include
 * levels.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import { type Converter, getConverter } from './converters.ts';
import { escapeRegex, literalPrefix, type TranslatedRegex, translateRegex } from './regex.ts';

/** A piece of a route: literal text or a `<converter:name>` parameter. */
export type RouteToken = string | { readonly name: string; readonly converter: Converter };

/** What one capture group of a compiled pattern binds to. */
export interface GroupBinding {
  /** The keyword the value is passed as; `null` for an unnamed (positional) group. */
  readonly name: string | null;
  /** The converter applied to the value (routes only). */
  readonly converter: Converter | null;
  /** True for a group inside a converter's own regex: matched, never bound. */
  readonly internal: boolean;
}

/** A piece of a reverse template: literal text or a parameter to substitute. */
export type ReverseToken = string | { readonly name: string; readonly converter: Converter | null };

/** What the resolver needs from a pattern. */
export interface Pattern {
  /** The route or regex as written. */
  readonly source: string;
  /** True for a pattern that ends a URL (a view), false for an include prefix. */
  readonly isEndpoint: boolean;
  /** One binding per capture group of {@link Pattern.regexSource}. */
  readonly groups: readonly GroupBinding[];
  /** The route's tokens (null for a regex pattern). */
  readonly tokens: readonly RouteToken[] | null;
  /** Template for `reverse()`, or null when the regex is too complex to reverse. */
  readonly reverseTokens: readonly ReverseToken[] | null;
  /**
   * The JavaScript regex source, unnamed groups only, with `$` when the pattern must
   * reach the end of the path. Back-references are shifted by `groupOffset`.
   */
  regexSource(groupOffset: number): string;
  /** The literal path this pattern matches exactly, when it matches nothing else. */
  readonly literal: string | null;
  /** The literal text every match starts with (used to index regex patterns). */
  readonly literalStart: string;
  /** The pattern as written, for debug pages and error messages. */
  toString(): string;
}

const PARAMETER = /<([^>]*)>/g;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A `path()` route such as `articles/<int:year>/<slug:slug>/`. */
export class RoutePattern implements Pattern {
  readonly source: string;
  readonly isEndpoint: boolean;
  readonly tokens: readonly RouteToken[];
  readonly groups: readonly GroupBinding[];
  readonly reverseTokens: readonly ReverseToken[];
  readonly literal: string | null;
  readonly literalStart: string;
  readonly #regexSource: string;

  /** @throws ImproperlyConfigured for a malformed parameter or an unknown converter. */
  constructor(route: string, isEndpoint: boolean) {
    if (typeof route !== 'string')
      throw new ImproperlyConfigured(`URL route must be a string, got ${typeof route}`);
    this.source = route;
    this.isEndpoint = isEndpoint;
    const tokens: RouteToken[] = [];
    const groups: GroupBinding[] = [];
    const seen = new Set<string>();
    let regex = '';
    let last = 0;
    for (const match of route.matchAll(PARAMETER)) {
      const literal = route.slice(last, match.index);
      if (literal) tokens.push(literal);
      regex += escapeRegex(literal);
      last = match.index + match[0].length;
      const inside = match[1] as string;
      if (/\s/.test(inside)) {
        throw new ImproperlyConfigured(
          `URL route '${route}' cannot contain whitespace in angle brackets <…>.`,
        );
      }
      const colon = inside.indexOf(':');
      const converterName = colon === -1 ? 'str' : inside.slice(0, colon);
      const name = colon === -1 ? inside : inside.slice(colon + 1);
      if (!IDENTIFIER.test(name)) {
        throw new ImproperlyConfigured(
          `URL route '${route}' uses parameter name '${name}' which isn't a valid identifier.`,
        );
      }
      if (seen.has(name))
        throw new ImproperlyConfigured(`URL route '${route}' uses parameter name '${name}' twice.`);
      seen.add(name);
      const converter = getConverter(converterName);
      if (converter === undefined) {
        throw new ImproperlyConfigured(`URL route '${route}' uses invalid converter '${converterName}'.`, {
          code: 'PORTICO_ERR_UNKNOWN_CONVERTER',
        });
      }
      const inner: TranslatedRegex = translateRegex(converter.regex);
      tokens.push({ name, converter });
      groups.push({ name, converter, internal: false });
      for (let g = 0; g < inner.groups.length; g++)
        groups.push({ name: null, converter: null, internal: true });
      regex += `(${inner.source})`;
    }
    const tail = route.slice(last);
    if (tail) tokens.push(tail);
    regex += escapeRegex(tail);
    this.tokens = tokens;
    this.groups = groups;
    this.reverseTokens = tokens;
    this.#regexSource = isEndpoint ? `${regex}$` : regex;
    this.literal = tokens.every((t) => typeof t === 'string') ? tokens.join('') : null;
    this.literalStart = typeof tokens[0] === 'string' ? tokens[0] : '';
  }

  regexSource(): string {
    return this.#regexSource;
  }

  toString(): string {
    return this.source;
  }
}

/** A `rePath()` regex such as `^archive/(?P<year>[0-9]{4})/$`. */
export class RegexPattern implements Pattern {
  readonly source: string;
  readonly isEndpoint: boolean;
  readonly tokens = null;
  readonly groups: readonly GroupBinding[];
  readonly reverseTokens: readonly ReverseToken[] | null;
  readonly literal: string | null;
  readonly literalStart: string;
  readonly #translated: TranslatedRegex;

  /** @throws ImproperlyConfigured for a regex JavaScript cannot compile. */
  constructor(regex: string, isEndpoint: boolean) {
    if (typeof regex !== 'string')
      throw new ImproperlyConfigured(`URL regex must be a string, got ${typeof regex}`);
    this.source = regex;
    this.isEndpoint = isEndpoint;
    // Like Django, an endpoint regex must reach the end of the path only if it ends in `$`
    // (kept in the translation), and no `$` is added to an include prefix.
    this.#translated = translateRegex(regex);
    const named = this.#translated.groups.some((g) => g !== null);
    // Unnamed groups are positional arguments only when the regex has no named group.
    this.groups = this.#translated.groups.map((name) => ({
      name,
      converter: null,
      internal: named && name === null,
    }));
    this.reverseTokens = reverseTemplate(regex);
    const prefix = literalPrefix(this.#translated);
    this.literal = prefix.complete && prefix.endAnchored === isEndpoint ? prefix.text : null;
    this.literalStart = prefix.text;
  }

  regexSource(groupOffset: number): string {
    return groupOffset === 0 ? this.#translated.source : translateRegex(this.source, groupOffset).source;
  }

  toString(): string {
    return this.source;
  }
}

/**
 * A reverse template for a regex: literal characters and groups (each group becomes a
 * parameter, positional ones named `_0`, `_1`…). Optional parts (`?`, `*`) are left out.
 * Returns null for constructs it does not try to invert (classes, `.`, alternation…);
 * such a pattern still resolves but cannot be reversed. Every reversed URL is checked
 * against the pattern anyway.
 */
function reverseTemplate(regex: string): ReverseToken[] | null {
  const tokens: ReverseToken[] = [];
  let text = '';
  let positional = 0;
  let i = regex.startsWith('^') ? 1 : 0;
  const end = regex.endsWith('\\Z')
    ? regex.length - 2
    : regex.endsWith('$')
      ? regex.length - 1
      : regex.length;
  const flush = () => {
    if (text) tokens.push(text);
    text = '';
  };
  while (i < end) {
    const c = regex[i] as string;
    const quantified = '?*+{'.includes(regex[i + 1] ?? '');
    if (c === '\\') {
      const next = regex[i + 1] ?? '';
      if (!/[^A-Za-z0-9]/.test(next)) return null;
      if ('?*'.includes(regex[i + 2] ?? '')) i += 3;
      else {
        text += next;
        i += regex[i + 2] === '+' ? 3 : 2;
      }
      continue;
    }
    if (c === '(') {
      const close = matchingParen(regex, i);
      if (close === -1) return null;
      const after = regex[close + 1] ?? '';
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(regex.slice(i));
      if (after === '?' || after === '*') {
        i = close + 2;
        continue;
      }
      if (after === '{') return null;
      if (named) {
        flush();
        tokens.push({ name: named[1] as string, converter: null });
      } else if (regex[i + 1] !== '?') {
        flush();
        tokens.push({ name: `_${positional++}`, converter: null });
      } else {
        return null;
      }
      i = close + (after === '+' ? 2 : 1);
      continue;
    }
    if ('^$.|[]{}?*+)'.includes(c)) return null;
    if (quantified && (regex[i + 1] === '?' || regex[i + 1] === '*')) {
      i += 2;
      continue;
    }
    if (quantified && regex[i + 1] === '{') return null;
    text += c;
    i += quantified ? 2 : 1;
  }
  flush();
  return tokens;
}

function matchingParen(regex: string, open: number): number {
  let depth = 0;
  for (let i = open; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') i += 1;
    else if (c === '[') {
      i += 1;
      while (i < regex.length && regex[i] !== ']') i += regex[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth += 1;
    else if (c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}
