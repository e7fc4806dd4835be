/**
 * Byte ranges (RFC 9110 §14): the one reading of `Range` and `If-Range` shared by the app
 * server's static files and the framework's `FileResponse`, so both answer a request alike.
 *
 * What is served, for a representation of `size` bytes:
 *
 * - one satisfiable range, or several that overlap or touch (coalesced, §14.1.2 lets a
 *   server merge them): `206` with that one range;
 * - a valid `bytes` range set none of whose ranges is satisfiable: `416` (§14.1.1: an
 *   int-range is satisfiable when its first position is below the length, a suffix-range
 *   when its length is not 0);
 * - everything else is ignored and the whole representation is sent with `200`, as §14.2
 *   allows: no `Range`, a unit other than `bytes`, invalid syntax (including a last
 *   position below the first), disjoint ranges (that would need `multipart/byteranges`),
 *   a request method other than GET, or an `If-Range` that does not match.
 *
 * The unit is matched case-insensitively (§14.1) and optional whitespace is accepted around
 * the list's commas (§5.6.1), but not inside a range: `bytes=0-1, 4-5` is a list, `bytes= 0 - 1`
 * is not valid and is ignored. nginx reads ranges the same way, except that it also skips
 * spaces inside a range and answers 206 to both forms.
 *
 * @module
 */

/** A byte range, both ends inclusive, within the representation. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What to do with a `Range` header: one range, `'unsatisfiable'` (416), or `null` (ignore: 200). */
export type RangeDecision = ByteRange | 'unsatisfiable' | null;

/** Beyond this many ranges in one header, it is ignored (§14.2: a server may). */
export const MAX_RANGES = 100;

const INT_RANGE = /^(\d*)-(\d*)$/;

/**
 * Reads a `Range` header value against a representation of `size` bytes.
 *
 * @param header - the `Range` field value, e.g. `bytes=0-499`, `bytes=500-`, `bytes=-500`.
 * @param size - the length of the whole representation, in bytes.
 */
export function parseRange(header: string, size: number): RangeDecision {
  const equals = header.indexOf('=');
  if (equals === -1 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return null;
  if (header.charCodeAt(equals - 1) <= 32) return null; // `bytes =`: no whitespace before "="
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== ''); // §5.6.1: empty list elements are ignored
  if (specs.length === 0 || specs.length > MAX_RANGES) return null;
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const match = INT_RANGE.exec(spec);
    if (match === null) return null;
    const [, first = '', last = ''] = match;
    if (first === '') {
      if (last === '') return null;
      const suffix = Number(last);
      // A suffix of an empty representation is satisfiable yet has no byte to send.
      if (suffix > 0 && size === 0) return null;
      if (suffix > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(first);
    if (last !== '' && Number(last) < start) return null;
    if (start < size) ranges.push({ start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) });
  }
  if (ranges.length === 0) return 'unsatisfiable';
  return coalesce(ranges);
}

/** The ranges as one, when together they cover one contiguous span; else `null`. */
function coalesce(ranges: ByteRange[]): ByteRange | null {
  if (ranges.length === 1) return ranges[0] as ByteRange;
  ranges.sort((a, b) => a.start - b.start);
  const merged = { ...(ranges[0] as ByteRange) };
  for (let i = 1; i < ranges.length; i++) {
    const range = ranges[i] as ByteRange;
    if (range.start > merged.end + 1) return null; // a gap: that would be multipart
    merged.end = Math.max(merged.end, range.end);
  }
  return merged;
}

/**
 * True when `If-Range` lets the range through (RFC 9110 §13.1.5): absent, or the current
 * strong entity tag, or exactly the current `Last-Modified` date. A weak tag never matches.
 *
 * @param ifRange - the `If-Range` field value, or undefined when there is none.
 * @param etag - the representation's `ETag`, if any.
 * @param lastModified - the representation's `Last-Modified`, if any.
 */
export function ifRangeMatches(
  ifRange: string | undefined,
  etag: string | undefined,
  lastModified: string | undefined,
): boolean {
  if (ifRange === undefined) return true;
  const validator = ifRange.trim();
  if (validator.startsWith('"') || validator.startsWith('W/')) {
    // Strong comparison: both tags strong and character for character the same.
    return etag !== undefined && !validator.startsWith('W/') && !etag.startsWith('W/') && validator === etag;
  }
  if (lastModified === undefined) return false;
  if (validator === lastModified) return true;
  const given = Date.parse(validator);
  return !Number.isNaN(given) && given === Date.parse(lastModified);
}

/** The request side of a range decision. */
export interface RangeRequest {
  method: string;
  range: string | undefined;
  ifRange: string | undefined;
}

/** The representation side of a range decision. */
export interface RangeTarget {
  size: number;
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/**
 * The whole decision for one request: ranges apply to GET only (§14.2), when `If-Range`
 * matches, and then as {@link parseRange} reads the header.
 */
export function requestedRange(request: RangeRequest, target: RangeTarget): RangeDecision {
  if (request.range === undefined || request.method !== 'GET') return null;
  if (!ifRangeMatches(request.ifRange, target.etag, target.lastModified)) return null;
  return parseRange(request.range, target.size);
}

/** The `Content-Range` of a 206 (`bytes 0-4/20`) or of a 416 (`bytes *\/20`). */
export function contentRange(range: ByteRange | 'unsatisfiable', size: number): string {
  return range === 'unsatisfiable' ? `bytes */${size}` : `bytes ${range.start}-${range.end}/${size}`;
}
