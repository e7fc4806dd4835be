/**
 * `staticMap`: the server serves files itself, like uWSGI's `--static-map /static=DIR`,
 * for deployments without nginx in front (with nginx, let it serve them: see
 * `docs/deploy.md`).
 *
 * Under a mapped prefix the files of DIR are served with Content-Type, Content-Length,
 * ETag and Last-Modified; conditional requests get 304, byte ranges 206 (or 416, as `tsgi/range.ts` decides);
 * GET and HEAD only (405 otherwise). Anything that is not a regular file inside DIR is a
 * 404, whatever the reason (missing, a directory, `..`, an encoded slash or backslash, a
 * NUL, a symlink leading out of DIR): one answer, so a probe learns nothing about what
 * exists. Paths outside every prefix go to the wrapped application.
 *
 * @module
 */
import { constants } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import mime from 'mime';
import { PorticoError } from '../../tsgi/errors.ts';
import { contentRange, requestedRange } from '../../tsgi/range.ts';
import type { Application, Environ, FileLike, ResponseBody, StartResponse } from '../../tsgi/types.ts';

/** One mapping: URL prefix → directory. */
export interface StaticMapping {
  /** The URL prefix under the application's root, e.g. `/static`. */
  readonly prefix: string;
  /** The directory whose files are served there. */
  readonly dir: string;
}

interface CompiledMapping {
  readonly prefix: string;
  readonly dir: string;
  /** The directory's real path, once resolved (symlinks in DIR itself are allowed). */
  root: string | undefined;
}

const BLOCK_SIZE = 64 * 1024;
// `%2F`, `%5C` and `%00` in the raw path: a slash or backslash that is not a separator, or
// a NUL, can only be an attempt to reach somewhere else.
const ENCODED_SEPARATOR = /%(2f|5c|00)/i;

function plain(start: StartResponse, status: string, extra: [string, string][] = []): ResponseBody {
  const body = `${status}\n`;
  start(status, [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(Buffer.byteLength(body))],
    ...extra,
  ]);
  return [body];
}

function contentType(path: string): string {
  const type = mime.getType(path) ?? 'application/octet-stream';
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

/** The relative file segments under a prefix, or undefined when the path is refused. */
function safeSegments(environ: Environ, rest: string): string[] | undefined {
  const raw = environ.REQUEST_URI;
  if (typeof raw === 'string') {
    const query = raw.indexOf('?');
    if (ENCODED_SEPARATOR.test(query === -1 ? raw : raw.slice(0, query))) return undefined;
  }
  if (rest.includes('\\') || rest.includes('\0')) return undefined;
  const segments = rest.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.includes('..')) return undefined;
  return segments;
}

/** `"mtime-size"` in hex, as nginx builds it. */
function entityTag(mtimeSeconds: number, size: number): string {
  return `"${mtimeSeconds.toString(16)}-${size.toString(16)}"`;
}

function headerOf(environ: Environ, key: string): string | undefined {
  const value = environ[key];
  return typeof value === 'string' ? value : undefined;
}

function isNotModified(environ: Environ, etag: string, mtimeSeconds: number): boolean {
  const ifNoneMatch = environ.HTTP_IF_NONE_MATCH;
  if (typeof ifNoneMatch === 'string') {
    // Weak comparison (RFC 9110 13.1.2): `W/` does not matter for a 304.
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === etag);
  }
  const ifModifiedSince = environ.HTTP_IF_MODIFIED_SINCE;
  if (typeof ifModifiedSince !== 'string') return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && mtimeSeconds <= Math.floor(since / 1000);
}

/** A {@link FileLike} over bytes `start..end` (inclusive) of an open file. */
function fileSlice(handle: FileHandle, start: number, end: number): FileLike {
  let position = start;
  return {
    async read(size: number): Promise<Uint8Array> {
      const want = Math.min(size, end + 1 - position);
      if (want <= 0) return new Uint8Array(0);
      const { bytesRead, buffer } = await handle.read(new Uint8Array(want), 0, want, position);
      position += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** The file through `tsgi.file_wrapper` when the server has one, else read here. */
function fileBody(environ: Environ, file: FileLike): ResponseBody {
  const wrapper = environ['tsgi.file_wrapper'];
  if (wrapper !== undefined) return wrapper(file, BLOCK_SIZE);
  return Object.assign(
    (async function* () {
      for (let chunk = await file.read(BLOCK_SIZE); chunk.length > 0; chunk = await file.read(BLOCK_SIZE)) {
        yield chunk;
      }
    })(),
    { close: () => file.close?.() },
  );
}

/** Resolves the mapping's directory once; a missing directory is retried on the next request. */
async function rootOf(mapping: CompiledMapping): Promise<string | undefined> {
  if (mapping.root === undefined) {
    try {
      mapping.root = await realpath(mapping.dir);
    } catch {
      return undefined;
    }
  }
  return mapping.root;
}

/** Opens the regular file at `segments` under the mapping, or undefined when it must be refused. */
async function openInside(mapping: CompiledMapping, segments: string[]): Promise<FileHandle | undefined> {
  const root = await rootOf(mapping);
  if (root === undefined) return undefined;
  let real: string;
  try {
    real = await realpath(resolve(root, ...segments));
  } catch {
    return undefined;
  }
  // Symlinks are followed only while they stay inside the directory.
  if (!real.startsWith(root === sep ? sep : root + sep)) return undefined;
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a file swapped for a symlink after the check above is refused.
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer (it is then refused as
    // not a regular file); regular files ignore the flag.
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  return handle;
}

async function serveFile(
  environ: Environ,
  start: StartResponse,
  mapping: CompiledMapping,
  rest: string,
): Promise<ResponseBody> {
  const method = environ.REQUEST_METHOD;
  if (method !== 'GET' && method !== 'HEAD') {
    return plain(start, '405 Method Not Allowed', [['Allow', 'GET, HEAD']]);
  }
  const segments = safeSegments(environ, rest);
  const handle = segments === undefined ? undefined : await openInside(mapping, segments);
  if (handle === undefined) return plain(start, '404 Not Found');
  let keep = false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return plain(start, '404 Not Found');
    const size = stats.size;
    const mtimeSeconds = Math.floor(stats.mtimeMs / 1000);
    const etag = entityTag(mtimeSeconds, size);
    const lastModified = new Date(mtimeSeconds * 1000).toUTCString();
    const validators: [string, string][] = [
      ['ETag', etag],
      ['Last-Modified', lastModified],
    ];
    if (isNotModified(environ, etag, mtimeSeconds)) {
      start('304 Not Modified', validators);
      return [];
    }
    const range = requestedRange(
      { method, range: headerOf(environ, 'HTTP_RANGE'), ifRange: headerOf(environ, 'HTTP_IF_RANGE') },
      { size, etag, lastModified },
    );
    if (range === 'unsatisfiable') {
      return plain(start, '416 Range Not Satisfiable', [['Content-Range', contentRange(range, size)]]);
    }
    const { start: first, end: last } = range ?? { start: 0, end: size - 1 };
    const headers: [string, string][] = [
      ['Content-Type', contentType(segments?.at(-1) ?? '')],
      ['Content-Length', String(last - first + 1)],
      ...validators,
      ['Accept-Ranges', 'bytes'],
    ];
    if (range !== null) headers.push(['Content-Range', contentRange(range, size)]);
    start(range === null ? '200 OK' : '206 Partial Content', headers);
    if (method === 'HEAD' || size === 0) return [];
    keep = true;
    return fileBody(environ, fileSlice(handle, first, last));
  } finally {
    if (!keep) await handle.close();
  }
}

/**
 * Wraps `app` so that requests under each mapping's prefix are answered from its
 * directory. The longest matching prefix wins; prefixes match on segment boundaries
 * (`/static` covers `/static/a.css`, not `/statics`), against `PATH_INFO`, so they are
 * relative to where the application is mounted.
 *
 * @example
 * ```ts
 * const site = staticMap(application, [{ prefix: '/static', dir: './public' }]);
 * await serve(site, { port: 8000 });
 * ```
 * @throws PorticoError `PORTICO_ERR_CONFIG` for a root prefix (it would hide
 *   the application) or an empty directory name.
 */
export function staticMap(app: Application, mappings: readonly StaticMapping[]): Application {
  const compiled: CompiledMapping[] = mappings
    .map(({ prefix, dir }) => {
      let p = prefix.trim();
      while (p.endsWith('/')) p = p.slice(0, -1);
      if (p === '') {
        throw new PorticoError(
          'PORTICO_ERR_CONFIG',
          `static-map: the prefix '${prefix}' would hide the application; map a sub-path such as /static`,
        );
      }
      if (dir.trim() === '') {
        throw new PorticoError('PORTICO_ERR_CONFIG', `static-map: no directory for '${prefix}'`);
      }
      return { prefix: p.startsWith('/') ? p : `/${p}`, dir: resolve(dir), root: undefined };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);

  return (environ, start) => {
    const path = environ.PATH_INFO;
    for (const mapping of compiled) {
      const { prefix } = mapping;
      if (path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/')) {
        return serveFile(environ, start, mapping, path.slice(prefix.length));
      }
    }
    return app(environ, start);
  };
}
