/**
 * Text ↔ bytes in a response's charset. UTF-8 text stays a string (a TSGI server sends
 * strings as UTF-8, so encoding here would only cost time); latin-1 is encoded by hand
 * because `TextEncoder` only speaks UTF-8.
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';

const UTF8 = new Set(['utf-8', 'utf8']);
const LATIN1 = new Set(['iso-8859-1', 'latin-1', 'latin1', 'us-ascii', 'ascii']);
const encoder = new TextEncoder();

/** True when `charset` is UTF-8, so text chunks may go to the server as strings. */
export function isUtf8(charset: string): boolean {
  // The default charset, spelt the default way, skips the lower-casing.
  return charset === 'utf-8' || UTF8.has(charset.toLowerCase());
}

/**
 * `text` as a body chunk in `charset`: the string itself for UTF-8, else its bytes.
 *
 * @throws ImproperlyConfigured for a charset other than UTF-8 or latin-1, or a character latin-1 cannot hold.
 */
export function encodeChunk(text: string, charset: string): string | Uint8Array {
  if (isUtf8(charset)) return text;
  return encodeBytes(text, charset);
}

/** `text` as bytes in `charset`. */
export function encodeBytes(text: string, charset: string): Uint8Array {
  const name = charset.toLowerCase();
  if (UTF8.has(name)) return encoder.encode(text);
  if (!LATIN1.has(name))
    throw new ImproperlyConfigured(`unsupported response charset ${JSON.stringify(charset)}`);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff)
      throw new ImproperlyConfigured(`character ${JSON.stringify(text[i])} cannot be encoded in ${charset}`);
    bytes[i] = c;
  }
  return bytes;
}

/** Decodes `bytes` from `charset` (UTF-8 or latin-1). */
export function decodeBytes(bytes: Uint8Array, charset: string): string {
  return new TextDecoder(isUtf8(charset) ? 'utf-8' : 'latin1').decode(bytes);
}

/** The length of `text` in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: 2 UTF-16 units, 4 bytes.
      length += 2;
      i += 1;
    } else length += 2;
  }
  return length;
}
