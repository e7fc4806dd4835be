/**
 * `FileResponse`: a file streamed to the client, with its Content-Type, Content-Length and
 * Content-Disposition worked out, and byte ranges (206, 416) answered as `tsgi/range.ts`
 * decides, the same way the app server's static files answer them.
 *
 * @module
 */
import { fstatSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import mime from 'mime';
import { contentRange, requestedRange } from '../../tsgi/range.ts';
import type { FileLike } from '../../tsgi/types.ts';
import type { HttpRequest } from './request.ts';
import type { ResponseOptions } from './response-base.ts';
import { StreamingHttpResponse } from './streaming.ts';

/** What a {@link FileResponse} can send. */
export type FileSource = string | FileHandle | Uint8Array | FileLike;

/** Options of {@link FileResponse}. */
export interface FileResponseOptions extends ResponseOptions {
  /** Send `Content-Disposition: attachment` (a download) instead of `inline`. */
  asAttachment?: boolean;
  /** The file name to announce; defaults to the path's base name. Also picks the Content-Type. */
  filename?: string;
  /** The size in bytes (found by itself for paths, file handles and bytes). */
  size?: number;
  /** How many bytes to read at a time. Default 64 KiB. */
  blockSize?: number;
}

/** A source that can be read from any offset, so ranges can be served. */
interface Seekable extends FileLike {
  /** Restricts reading to bytes `start`..`end` inclusive. */
  range(start: number, end: number): void;
}

/** A file on disk: a path opened on the first read, or a handle given open. Closed with the response. */
class PathFile implements Seekable {
  readonly #path: string | null;
  #handle: FileHandle | Promise<FileHandle> | null;
  #position = 0;
  #end: number;

  constructor(source: string | FileHandle, size: number) {
    this.#path = typeof source === 'string' ? source : null;
    this.#handle = typeof source === 'string' ? null : source;
    this.#end = size;
  }

  range(start: number, end: number): void {
    this.#position = start;
    this.#end = end + 1;
  }

  async read(size: number): Promise<Uint8Array> {
    const n = Math.min(size, this.#end - this.#position);
    if (n <= 0) return new Uint8Array(0);
    this.#handle ??= open(this.#path as string, 'r');
    const handle = await this.#handle;
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(n), 0, n, this.#position);
    this.#position += bytesRead;
    if (bytesRead === 0) this.#end = this.#position;
    return buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    if (handle !== null) await (await handle).close();
  }
}

/** Bytes in memory (Django's BytesIO case). */
class BytesFile implements Seekable {
  #data: Uint8Array;

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  range(start: number, end: number): void {
    this.#data = this.#data.subarray(start, end + 1);
  }

  read(size: number): Uint8Array {
    const out = this.#data.subarray(0, size);
    this.#data = this.#data.subarray(out.length);
    return out;
  }
}

function isFileHandle(source: unknown): source is FileHandle {
  return typeof (source as FileHandle).fd === 'number' && typeof (source as FileHandle).stat === 'function';
}

/** Django's special cases: a compressed file is sent as the compression's type, not the content's. */
const ENCODINGS: Record<string, string> = {
  gz: 'application/gzip',
  br: 'application/x-brotli',
  bz2: 'application/x-bzip',
  xz: 'application/x-xz',
  Z: 'application/x-compress',
};

/** The Content-Type for a file name, by extension (`application/octet-stream` when unknown). */
export function contentTypeFor(filename: string): string {
  const extension = /\.([^.]+)$/.exec(filename)?.[1];
  if (extension !== undefined && extension in ENCODINGS && /\.[^.]+\.[^.]+$/.test(filename)) {
    return ENCODINGS[extension] as string;
  }
  const type = mime.getType(filename) ?? 'application/octet-stream';
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

// RFC 5987 attr-char: everything else in a filename* value is percent-encoded.
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * The value of a Content-Disposition header (RFC 6266): ASCII names as a quoted string;
 * other names as RFC 5987 `filename*` plus an ASCII approximation for old clients.
 */
export function contentDisposition(asAttachment: boolean, filename?: string): string | undefined {
  const disposition = asAttachment ? 'attachment' : 'inline';
  if (!filename) return asAttachment ? disposition : undefined;
  const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`;
  if (/^[\x20-\x7e]*$/.test(filename)) return `${disposition}; filename=${quoted(filename)}`;
  const fallback = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
  let encoded = '';
  for (const byte of new TextEncoder().encode(filename)) {
    const char = String.fromCharCode(byte);
    encoded +=
      byte < 0x80 && ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${disposition}; filename=${quoted(fallback)}; filename*=UTF-8''${encoded}`;
}

// Re-exported for `portico/web`'s index until the public API drops it (issue 10).

/**
 * A file streamed to the client. Give it a path (opened on the first read, closed with the
 * response), a `FileHandle` from `fs.promises.open`, bytes, or anything with `read(size)`.
 *
 * - Content-Type from the file name's extension (the `mime` package), unless given.
 * - Content-Length from the file's size.
 * - Content-Disposition `inline` (or `attachment` with `asAttachment`) with the file name,
 *   in RFC 6266/5987 form when it is not ASCII.
 * - For paths, handles and bytes, `Accept-Ranges: bytes`, and the handler answers a GET's
 *   `Range` (and `If-Range`) with 206 and `Content-Range`, or 416 when no range is in the
 *   file, as `tsgi/range.ts` reads them.
 * - When the server offers `tsgi.file_wrapper`, the handler gives it the file.
 */
export class FileResponse extends StreamingHttpResponse {
  /** The file to send, for `tsgi.file_wrapper`. */
  readonly fileToStream: FileLike;
  /** Read size in bytes. */
  readonly blockSize: number;
  /** The file's size, when known. */
  readonly size: number | undefined;
  readonly #seekable: Seekable | null;

  constructor(source: FileSource, options: FileResponseOptions = {}) {
    const {
      asAttachment = false,
      filename: given,
      size: givenSize,
      blockSize = 64 * 1024,
      ...rest
    } = options;
    let file: FileLike;
    let seekable: Seekable | null = null;
    let size = givenSize;
    let modified: Date | undefined;
    let filename = given;
    if (typeof source === 'string') {
      const stat = statSync(source);
      size ??= stat.size;
      modified = stat.mtime;
      filename ??= basename(source);
      file = seekable = new PathFile(source, stat.size);
    } else if (source instanceof Uint8Array) {
      size ??= source.length;
      file = seekable = new BytesFile(source);
    } else if (isFileHandle(source)) {
      const stat = fstatSync(source.fd);
      size ??= stat.size;
      modified = stat.mtime;
      file = seekable = new PathFile(source, stat.size);
    } else {
      file = source;
    }
    const contentType =
      rest.contentType ?? (filename ? contentTypeFor(filename) : 'application/octet-stream');
    super(readBlocks(file, blockSize), { ...rest, contentType });
    this.fileToStream = file;
    this.blockSize = blockSize;
    this.size = size;
    this.#seekable = seekable;
    if (file.close) this.addCloser(() => file.close?.());
    if (size !== undefined) this.headers.set('Content-Length', size);
    if (modified !== undefined && !this.headers.has('Last-Modified')) {
      this.headers.set('Last-Modified', modified.toUTCString());
    }
    if (seekable !== null && size !== undefined) this.headers.set('Accept-Ranges', 'bytes');
    const disposition = contentDisposition(asAttachment, filename);
    if (disposition !== undefined) this.headers.set('Content-Disposition', disposition);
  }

  /**
   * Applies the request's `Range` header (called by the handler before sending): 206 with
   * the range, 416 with `Content-Range: bytes *\/size`, or nothing for a whole-file reply.
   */
  applyRange(request: HttpRequest): void {
    const size = this.size;
    if (this.#seekable === null || size === undefined || this.statusCode !== 200) return;
    const range = requestedRange(
      {
        method: request.method,
        range: request.headers.get('range'),
        ifRange: request.headers.get('if-range'),
      },
      { size, etag: this.headers.get('ETag'), lastModified: this.headers.get('Last-Modified') },
    );
    if (range === null) return;
    if (range === 'unsatisfiable') {
      this.statusCode = 416;
      this.headers.set('Content-Range', contentRange(range, size));
      this.headers.set('Content-Length', 0);
      this.#seekable.range(0, -1);
      return;
    }
    this.statusCode = 206;
    this.headers.set('Content-Range', contentRange(range, size));
    this.headers.set('Content-Length', range.end - range.start + 1);
    this.#seekable.range(range.start, range.end);
  }
}

async function* readBlocks(file: FileLike, blockSize: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const block = await file.read(blockSize);
    if (block.length === 0) return;
    yield block;
  }
}
