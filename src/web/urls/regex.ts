/**
 * Translation of `rePath()` regexes (Python `re` syntax, as in Django URLconfs) into
 * JavaScript regex sources whose capture groups are all unnamed, so patterns from
 * different include levels can be joined into one regex without group-name clashes
 * (the names are kept on the side).
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';

/** A translated regex. */
export interface TranslatedRegex {
  /** JavaScript source, every capture group unnamed, leading `^` anchors removed. */
  readonly source: string;
  /** The name of each capture group in order (`null` for an unnamed group). */
  readonly groups: readonly (string | null)[];
  /** True when the regex has a `|` outside any group. */
  readonly topLevelAlternation: boolean;
}

const NAMED_GROUP = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/;
const NAMED_BACKREF = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/;
const INLINE_FLAGS = /^\(\?[aiLmsux]+\)/;

/**
 * Translates `pattern`. Group numbers in back-references are shifted by `groupOffset`, the
 * number of capture groups that will precede this regex once joined with others.
 *
 * @throws ImproperlyConfigured for inline flags (`(?i)`), which JavaScript lacks, or a
 * back-reference to an unknown group.
 */
export function translateRegex(pattern: string, groupOffset = 0): TranslatedRegex {
  // Converter regexes repeat in every route that uses them: translate each once.
  if (groupOffset === 0) {
    let cached = translations.get(pattern);
    if (cached === undefined) translations.set(pattern, (cached = translate(pattern, 0)));
    return cached;
  }
  return translate(pattern, groupOffset);
}

const translations = new Map<string, TranslatedRegex>();

function translate(pattern: string, groupOffset: number): TranslatedRegex {
  const groups: (string | null)[] = [];
  let out = '';
  let depth = 0;
  let topLevelAlternation = false;
  // True where a `^` would be "start of this pattern": at the start or after a top-level `|`.
  let atBranchStart = true;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    const rest = pattern.slice(i);
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'Z') out += '(?![\\s\\S])';
      else if (next === 'A') out += atBranchStart ? '' : '(?<![\\s\\S])';
      else if (/[1-9]/.test(next)) {
        const digits = /^[1-9][0-9]?/.exec(pattern.slice(i + 1))?.[0] ?? next;
        out += `\\${Number(digits) + groupOffset}`;
        i += 1 + digits.length;
        atBranchStart = false;
        continue;
      } else if (next === 'k' && pattern[i + 2] === '<') {
        const name = /^<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(i + 2))?.[1];
        out += backref(name, groups, groupOffset, pattern);
        i += 4 + (name?.length ?? 0);
        atBranchStart = false;
        continue;
      } else out += c + next;
      i += 2;
      atBranchStart = false;
      continue;
    }
    if (c === '[') {
      // Copy a character class whole: brackets and parentheses inside it are literal.
      let j = i + 1;
      if (pattern[j] === '^') j += 1;
      if (pattern[j] === ']') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      out += pattern.slice(i, j + 1);
      i = j + 1;
      atBranchStart = false;
      continue;
    }
    if (c === '(') {
      if (INLINE_FLAGS.test(rest)) {
        throw new ImproperlyConfigured(
          `URL regex ${JSON.stringify(pattern)} uses inline flags, which JavaScript does not support.`,
        );
      }
      const named = NAMED_GROUP.exec(rest);
      const reference = NAMED_BACKREF.exec(rest);
      if (named) {
        groups.push(named[1] as string);
        out += '(';
        i += named[0].length;
      } else if (reference) {
        out += backref(reference[1], groups, groupOffset, pattern);
        i += reference[0].length;
        atBranchStart = false;
        continue;
      } else {
        if (pattern[i + 1] !== '?') groups.push(null);
        out += c;
        i += 1;
      }
      depth += 1;
      atBranchStart = false;
      continue;
    }
    if (c === ')') depth -= 1;
    if (c === '|' && depth === 0) {
      topLevelAlternation = true;
      out += c;
      i += 1;
      atBranchStart = true;
      continue;
    }
    if (c === '^' && atBranchStart && depth === 0) {
      i += 1;
      continue;
    }
    out += c;
    i += 1;
    atBranchStart = false;
  }
  try {
    new RegExp(out);
  } catch (error) {
    throw new ImproperlyConfigured(`Invalid URL regex ${JSON.stringify(pattern)}: ${String(error)}`, {
      cause: error,
    });
  }
  return Object.freeze({ source: out, groups: Object.freeze(groups), topLevelAlternation });
}

function backref(
  name: string | undefined,
  groups: readonly (string | null)[],
  offset: number,
  pattern: string,
): string {
  const index = name === undefined ? -1 : groups.indexOf(name);
  if (index === -1)
    throw new ImproperlyConfigured(
      `URL regex ${JSON.stringify(pattern)} refers to an unknown group '${name}'.`,
    );
  return `\\${index + 1 + offset}`;
}

/** The number of capture groups in a JavaScript regex source. */
export function countGroups(source: string): number {
  return translateRegex(source).groups.length;
}

/** Escapes `text` for literal use in a regex. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * The literal text a translated regex must start with (for indexing): the characters up
 * to the first construct that is not a plain literal. Empty when the regex has a
 * top-level alternation. `complete` is true when nothing but that literal (and possibly
 * a final `$`, then `endAnchored`) makes up the regex.
 */
export function literalPrefix(translated: TranslatedRegex): {
  text: string;
  complete: boolean;
  endAnchored: boolean;
} {
  if (translated.topLevelAlternation) return { text: '', complete: false, endAnchored: false };
  const source = translated.source;
  let text = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\' && /[/.\-_~:@!&=,;%]/.test(source[i + 1] ?? '')) {
      text += source[i + 1];
      i += 2;
    } else if (!'\\^$.|?*+()[]{}'.includes(c)) {
      text += c;
      i += 1;
    } else {
      break;
    }
  }
  const stop = source[i];
  if (stop === '?' || stop === '*' || stop === '+' || stop === '{') {
    // The quantifier applies to the last literal character, which is thus not certain.
    return { text: text.slice(0, -1), complete: false, endAnchored: false };
  }
  const endAnchored = stop === '$' && i === source.length - 1;
  return { text, complete: i === source.length || endAnchored, endAnchored };
}
