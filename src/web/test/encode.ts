/**
 * Request bodies for tests: url-encoded forms and `multipart/form-data` (Django's
 * `encode_multipart`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** A file to upload: its name, content and (optionally) its type. */
export interface FileUpload {
  readonly name: string;
  readonly content: string | Uint8Array;
  readonly contentType?: string;
}

/** Form values: strings (or numbers), several for a repeated field. */
export type FormData = Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number>>>;

/** Files by field name; several for a repeated field. */
export type FormFiles = Readonly<Record<string, FileUpload | readonly FileUpload[]>>;

const encoder = new TextEncoder();

function* pairs(data: FormData): Generator<[string, string]> {
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) for (const item of value) yield [key, String(item)];
    else yield [key, String(value)];
  }
}

/** `a=1&a=2&b=x%20y`. */
export function encodeForm(data: FormData): string {
  return [...pairs(data)].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Escapes a name in a quoted parameter as browsers do (HTML's form-data encoding). */
function quoteName(name: string): string {
  return name.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
}

/** A multipart body and the Content-Type (with its boundary) to send it with. */
export function encodeMultipart(
  data: FormData = {},
  files: FormFiles = {},
  boundary = `PorticoBoundary${randomBytes(8).toString('hex')}`,
): { body: Uint8Array; contentType: string } {
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(encoder.encode(s));
  for (const [key, value] of pairs(data)) {
    text(`--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(key)}"\r\n\r\n${value}\r\n`);
  }
  for (const [key, value] of Object.entries(files)) {
    const list: readonly FileUpload[] = Array.isArray(value) ? value : [value as FileUpload];
    for (const file of list) {
      text(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(key)}"; filename="${quoteName(file.name)}"\r\n` +
          `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      );
      parts.push(typeof file.content === 'string' ? encoder.encode(file.content) : file.content);
      text('\r\n');
    }
  }
  text(`--${boundary}--\r\n`);
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
