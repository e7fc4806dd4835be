/**
 * Parsing `Content-Type`-like headers into a media type and parameters (Django's
 * `parse_header_parameters`).
 *
 * @module
 */

/** A parsed header: the lower-cased main value and its parameters (names lower-cased). */
export interface HeaderParameters {
  readonly mediaType: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Splits `text/html; charset="utf-8"` into `text/html` and `{charset: 'utf-8'}`. Quoted
 * values may hold `;` and backslash escapes; an RFC 2231 `name*=utf-8''%E2%82%AC`
 * parameter is decoded and stored under `name`.
 */
export function parseHeaderParameters(header: string): HeaderParameters {
  const parts = splitParameters(header);
  const mediaType = (parts.shift() ?? '').trim().toLowerCase();
  const params: Record<string, string> = Object.create(null);
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    let name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (name.endsWith('*')) {
      name = name.slice(0, -1);
      const m = /^([^']*)'[^']*'(.*)$/.exec(value);
      if (m !== null) value = decodeExtended(m[2] as string, (m[1] as string) || 'utf-8');
    } else if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    if (name !== '') params[name] = value;
  }
  return { mediaType, params };
}

function splitParameters(header: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts;
}

function decodeExtended(value: string, charset: string): string {
  try {
    if (/^utf-?8$/i.test(charset)) return decodeURIComponent(value);
    const bytes: number[] = [];
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(value.charCodeAt(i) & 0xff);
    }
    return new TextDecoder(charset).decode(Uint8Array.from(bytes));
  } catch {
    return value;
  }
}
