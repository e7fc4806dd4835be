/**
 * Path converters: what `<int:year>` in a route means. A converter has a regex (which part
 * of the path it may match), `toPython` (the value the view gets) and `toUrl` (how
 * `reverse()` writes a value back).
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';

/**
 * A path converter. To reject a value that its regex matched, `toPython` throws: the
 * pattern then does not match and resolution continues with the next one. `toUrl`
 * throws to make `reverse()` skip the candidate.
 *
 * @typeParam T - the type the view receives and `reverse()` accepts.
 */
export interface Converter<T = unknown> {
  /** A regex source matching the text of one value (no anchors, no named groups). */
  readonly regex: string;
  toPython(value: string): T;
  toUrl(value: T): string;
}

/** `[^/]+`: any non-empty text without a slash (the default converter). */
export const stringConverter: Converter<string> = {
  regex: '[^/]+',
  toPython: (value) => value,
  toUrl: (value) => String(value),
};

/**
 * `[0-9]+` → number. Values beyond `Number.MAX_SAFE_INTEGER` are rejected (they would
 * lose digits), so such a path does not match this pattern.
 */
export const intConverter: Converter<number> = {
  regex: '[0-9]+',
  toPython(value) {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is not a safe integer`);
    return n;
  },
  toUrl(value) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${value} is not a non-negative integer`);
    return String(value);
  },
};

/** `[-a-zA-Z0-9_]+`: ASCII letters, digits, hyphens and underscores. */
export const slugConverter: Converter<string> = { ...stringConverter, regex: '[-a-zA-Z0-9_]+' };

/** A lower-case hyphenated UUID, kept as a string. */
export const uuidConverter: Converter<string> = {
  ...stringConverter,
  regex: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
};

/** `.+`: any non-empty text, slashes included (the rest of a path). */
export const pathConverter: Converter<string> = { ...stringConverter, regex: '.+' };

const DEFAULT_CONVERTERS: ReadonlyMap<string, Converter> = new Map<string, Converter>([
  ['str', stringConverter],
  ['int', intConverter as Converter],
  ['slug', slugConverter],
  ['uuid', uuidConverter],
  ['path', pathConverter],
]);

const registered = new Map<string, Converter>();

/**
 * Registers a converter under `name` for use in routes (`<name:param>`). Register before
 * the URLconf module that uses it is evaluated: routes are compiled when `path()` runs.
 * To type the values at compile time, declare the name in `ConverterTypes`.
 *
 * @throws ImproperlyConfigured when the name is taken (built-in names included) or the
 * converter is malformed.
 */
export function registerConverter(converter: Converter, name: string): void {
  if (DEFAULT_CONVERTERS.has(name) || registered.has(name)) {
    throw new ImproperlyConfigured(`Converter '${name}' is already registered.`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ImproperlyConfigured(`Converter name '${name}' is not an identifier.`);
  }
  if (
    typeof converter?.regex !== 'string' ||
    typeof converter.toPython !== 'function' ||
    typeof converter.toUrl !== 'function'
  ) {
    throw new ImproperlyConfigured(`Converter '${name}' needs a regex string, toPython() and toUrl().`);
  }
  try {
    new RegExp(converter.regex);
  } catch (error) {
    throw new ImproperlyConfigured(`Converter '${name}' has an invalid regex: ${String(error)}`, {
      cause: error,
    });
  }
  registered.set(name, converter);
}

/** The converter registered as `name`, or `undefined`. */
export function getConverter(name: string): Converter | undefined {
  return DEFAULT_CONVERTERS.get(name) ?? registered.get(name);
}

/** Built-in converters whose regex can never match a `/` (they fill exactly one path segment). */
const SEGMENT_SAFE = new Set<Converter>([
  stringConverter,
  intConverter as Converter,
  slugConverter,
  uuidConverter,
]);

/**
 * True when the converter's regex can never match text containing `/`, so a route
 * segment made of just this converter can be matched segment by segment. Decided
 * conservatively: for a custom converter, only simple character-class regexes qualify.
 */
export function isSegmentSafe(converter: Converter): boolean {
  return SEGMENT_SAFE.has(converter) || regexExcludesSlash(converter.regex);
}

/** Atoms that cannot match `/`: an escape class, a literal, or a bracket class checked below. */
function regexExcludesSlash(source: string): boolean {
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || !'dw-_.'.includes(next)) return false;
      i += 2;
    } else if (c === '[') {
      const end = source.indexOf(']', i + 2);
      if (end === -1 || !classExcludesSlash(source.slice(i + 1, end))) return false;
      i = end + 1;
    } else if (/[A-Za-z0-9_-]/.test(c) || c === '|') {
      i += 1;
    } else {
      return false;
    }
    // An optional quantifier after the atom.
    const quantifier = /^(?:[+*?]|\{\d+(?:,\d*)?\})\??/.exec(source.slice(i));
    if (quantifier) i += quantifier[0].length;
  }
  return true;
}

function classExcludesSlash(body: string): boolean {
  if (body.includes('\\')) return false;
  if (body.startsWith('^')) return body.slice(1).includes('/');
  for (let i = 0; i < body.length; i++) {
    const lo = body.charCodeAt(i);
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const hi = body.charCodeAt(i + 2);
      if (lo <= 0x2f && hi >= 0x2f) return false;
      i += 2;
    } else if (lo === 0x2f) {
      return false;
    }
  }
  return true;
}
