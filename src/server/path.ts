/**
 * Percent-decoding of the request path into `PATH_INFO`.
 *
 * TSGI paths are JS strings decoded as UTF-8. Bytes that do not form valid UTF-8 stay
 * percent-encoded (as Django's `repercent_broken_unicode` does) so nothing is lost and a
 * framework can still tell; a malformed escape (`%zz`, a lone `%`) stays literal.
 */

const HEX = /^[0-9A-Fa-f]{2}$/;

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Decodes `%XX` escapes in `raw` as UTF-8, keeping undecodable bytes escaped. `raw` is
 * the target as the engine read it, one character per byte (latin-1), so raw non-ASCII
 * bytes are first treated like escapes and decoded as UTF-8 too.
 */
export function decodePath(raw: string): string {
  if (hasHighBytes(raw)) raw = escapeHighBytes(raw);
  // The common case has no escape: skip all work (Hono's getPath does the same).
  if (raw.indexOf('%') === -1) return raw;
  const fast = tryDecode(raw);
  if (fast !== undefined) return fast;
  return decodeKeepingInvalid(raw);
}

function tryDecode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Slow path: decode run by run; a run of escapes that is not valid UTF-8 is kept as written. */
function decodeKeepingInvalid(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    if (raw.charCodeAt(i) !== 37 /* % */ || !HEX.test(raw.slice(i + 1, i + 3))) {
      out += raw[i];
      i += 1;
      continue;
    }
    const bytes: number[] = [];
    const start = i;
    while (i < raw.length && raw.charCodeAt(i) === 37 && HEX.test(raw.slice(i + 1, i + 3))) {
      bytes.push(hexValue(raw.charCodeAt(i + 1)) * 16 + hexValue(raw.charCodeAt(i + 2)));
      i += 3;
    }
    out += decodeBytes(Uint8Array.from(bytes), raw.slice(start, i));
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a run of escaped bytes; invalid sequences are re-emitted as their escapes. */
function decodeBytes(bytes: Uint8Array, escaped: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Decode byte by byte: keep each valid code point, re-escape each byte of a broken one.
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const len = sequenceLength(bytes[i] as number);
      const piece = bytes.subarray(i, i + Math.max(len, 1));
      try {
        if (len === 0) throw new Error('invalid lead byte');
        out += strictUtf8.decode(piece);
        i += len;
      } catch {
        out += escaped.slice(i * 3, i * 3 + 3);
        i += 1;
      }
    }
    return out;
  }
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function hasHighBytes(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) > 0x7f) return true;
  return false;
}

function escapeHighBytes(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    out += code > 0x7f ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : raw[i];
  }
  return out;
}
