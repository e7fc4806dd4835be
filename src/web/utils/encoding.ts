/**
 * URL quoting helpers with Django's safe sets.
 *
 * @module
 */

/**
 * Percent-encodes `text` as UTF-8, leaving unreserved characters and those in `safe`
 * as they are (Python's `urllib.parse.quote`).
 */
export function quote(text: string, safe: string): string {
  let out = '';
  let plainFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const plain =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d /* - */ ||
      c === 0x2e /* . */ ||
      c === 0x5f /* _ */ ||
      c === 0x7e /* ~ */ ||
      (c < 0x80 && safe.includes(text[i] as string));
    if (plain) continue;
    out += text.slice(plainFrom, i);
    // A surrogate pair is one code point: encode both halves together.
    const end = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
    out += encodeUtf8Escapes(text.slice(i, end));
    i = end - 1;
    plainFrom = end;
  }
  return plainFrom === 0 ? text : out + text.slice(plainFrom);
}

const encoder = new TextEncoder();

function encodeUtf8Escapes(char: string): string {
  let out = '';
  for (const byte of encoder.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** RFC 3986 sub-delimiters plus `/~:@`: what `reverse()` leaves unescaped. */
export const REVERSE_SAFE = "/~:@!$&'()*+,;=";

/** Escapes a path for use in a URL (Django's `escape_uri_path`). */
export function escapeUriPath(path: string): string {
  return quote(path, "/:@&+$,-_.!~*'()");
}

/** Encodes an IRI into a URI, keeping `%` and reserved characters (Django's `iri_to_uri`). */
export function iriToUri(iri: string): string {
  return quote(iri, "/#%[]=:;$&()+,!?*@'~");
}

/** Turns a leading `//` into `/%2F` so a path is never read as a scheme-relative URL. */
export function escapeLeadingSlashes(path: string): string {
  return path.startsWith('//') ? `/%2F${path.slice(2)}` : path;
}
