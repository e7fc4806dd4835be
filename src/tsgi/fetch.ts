/**
 * Bridges between TSGI and web-standard fetch handlers (`(request: Request) => Response`),
 * the interface of Deno, Bun, Cloudflare Workers, Hono and friends.
 *
 * {@link toFetchHandler} makes a TSGI application servable by any fetch runtime: it is a
 * TSGI server whose wire is a `Request` and a `Response`. {@link fromFetchHandler} goes the
 * other way, so a fetch handler can be mounted on a TSGI server or inside a TSGI stack.
 * Both stream: no body is buffered, and each chunk crosses as soon as it is produced.
 *
 * Only web-platform globals are used (no `node:` import), so this runs on any runtime.
 *
 * @module
 */
import { hasCode, PorticoError } from './errors.ts';
import { assertValidHeaders, isHopByHop } from './headers.ts';
import { parseStatus, reasonPhrase } from './status.ts';
import type {
  Application,
  BodyChunk,
  Environ,
  ErrorStream,
  ExcInfo,
  FileLike,
  FileWrapperBody,
  Header,
  InputStream,
  ResponseBody,
  StartResponse,
  WriteFn,
} from './types.ts';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const TSGI_VERSION = Object.freeze([1, 0] as const);
const DEFAULT_BLOCK_SIZE = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Paths and URLs
// ---------------------------------------------------------------------------------------

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function isEscape(text: string, at: number): boolean {
  return (
    text.charCodeAt(at) === 37 &&
    hexValue(text.charCodeAt(at + 1)) !== -1 &&
    hexValue(text.charCodeAt(at + 2)) !== -1
  );
}

/**
 * Decodes a raw request path into `PATH_INFO` form: `%XX` escapes are decoded as UTF-8.
 * Escaped bytes that are not valid UTF-8 stay escaped, exactly as written, so nothing is
 * lost and a framework can tell; a malformed escape (`%zz`, a lone `%`) stays literal.
 * `%2F` decodes to `/` like every other escape (use `REQUEST_URI` to tell them apart).
 *
 * @param raw - the path part of the request target, still percent-encoded.
 * @returns the decoded path.
 */
export function decodePathInfo(raw: string): string {
  if (raw.indexOf('%') === -1) return raw;
  let out = '';
  let literalStart = 0;
  let i = 0;
  const length = raw.length;
  while (i < length) {
    if (!isEscape(raw, i)) {
      i += 1;
      continue;
    }
    out += raw.slice(literalStart, i);
    const runStart = i;
    const bytes: number[] = [];
    while (i < length && isEscape(raw, i)) {
      bytes.push(hexValue(raw.charCodeAt(i + 1)) * 16 + hexValue(raw.charCodeAt(i + 2)));
      i += 3;
    }
    out += decodeEscapeRun(raw, runStart, bytes);
    literalStart = i;
  }
  return out + raw.slice(literalStart);
}

/** Decodes one run of escaped bytes; a byte that starts no valid UTF-8 sequence keeps its escape text. */
function decodeEscapeRun(raw: string, runStart: number, bytes: number[]): string {
  let out = '';
  let j = 0;
  while (j < bytes.length) {
    const lead = bytes[j] as number;
    if (lead < 0x80) {
      out += String.fromCharCode(lead);
      j += 1;
      continue;
    }
    let need = 0;
    let codePoint = 0;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      need = 1;
      codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      codePoint = lead & 0x0f;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // UTF-16 surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      codePoint = lead & 0x07;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // above U+10FFFF
    }
    let valid = need > 0 && j + need < bytes.length;
    for (let k = 1; valid && k <= need; k++) {
      const next = bytes[j + k] as number;
      const min = k === 1 ? low : 0x80;
      const max = k === 1 ? high : 0xbf;
      if (next < min || next > max) valid = false;
      else codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (valid) {
      out += String.fromCodePoint(codePoint);
      j += need + 1;
    } else {
      const at = runStart + j * 3;
      out += raw.slice(at, at + 3);
      j += 1;
    }
  }
  return out;
}

/** 1 for each ASCII code allowed unescaped in a URL path (RFC 3986 pchar and `/`). */
const PATH_SAFE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) PATH_SAFE[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) PATH_SAFE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) PATH_SAFE[c] = 1;
for (const c of "-._~!$&'()*+,;=:@/") PATH_SAFE[c.charCodeAt(0)] = 1;

/**
 * Percent-encodes a decoded path (`SCRIPT_NAME`, `PATH_INFO`) for use in a URL: every
 * character outside RFC 3986's path characters becomes UTF-8 escapes, except that a `%`
 * followed by two hex digits is kept as it is, because in a TSGI path that is a byte that
 * was not valid UTF-8 and was left escaped by the server.
 *
 * @param path - a decoded path.
 * @returns the path, safe to put in a URL.
 */
export function quotePath(path: string): string {
  const length = path.length;
  let i = 0;
  for (; i < length; i++) {
    const code = path.charCodeAt(i);
    if (code > 127 || PATH_SAFE[code] === 0) break;
  }
  if (i === length) return path;
  let out = path.slice(0, i);
  while (i < length) {
    const code = path.charCodeAt(i);
    if (code < 128 && PATH_SAFE[code] === 1) {
      out += path[i];
      i += 1;
    } else if (code === 37) {
      out += isEscape(path, i) ? '%' : '%25';
      i += 1;
    } else {
      const point = path.codePointAt(i) as number;
      const width = point > 0xffff ? 2 : 1;
      // A lone surrogate has no UTF-8 form: send the replacement character instead.
      const isLone = point >= 0xd800 && point <= 0xdfff;
      out += isLone ? '%EF%BF%BD' : encodeURIComponent(String.fromCodePoint(point));
      i += width;
    }
  }
  return out;
}

/**
 * Rebuilds the URL the client asked for from an environ, by the algorithm of
 * `docs/tsgi.md`: scheme, then `HTTP_HOST` (else `SERVER_NAME` and, unless it is the
 * scheme's default, `SERVER_PORT`), then the quoted `SCRIPT_NAME` and `PATH_INFO`, then
 * `?QUERY_STRING` when the query is not empty.
 *
 * @param environ - the request's environ.
 * @param options - `query: false` leaves the query string out.
 * @returns an absolute URL.
 */
export function reconstructUrl(environ: Environ, options?: { query?: boolean }): string {
  const scheme = environ['tsgi.url_scheme'];
  let url = `${scheme}://`;
  const host = environ.HTTP_HOST;
  if (typeof host === 'string' && host !== '') {
    url += host;
  } else {
    url += environ.SERVER_NAME;
    const port = environ.SERVER_PORT;
    if (port !== (scheme === 'https' ? '443' : '80')) url += `:${port}`;
  }
  const pathInfo = environ.PATH_INFO ?? '';
  // `OPTIONS *` has no path at all: the URL is just the origin.
  if (pathInfo !== '*') url += quotePath(environ.SCRIPT_NAME ?? '') + quotePath(pathInfo);
  const query = environ.QUERY_STRING;
  if (options?.query !== false && query) url += `?${query}`;
  return url;
}

// ---------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `tsgi.input` over a web `ReadableStream`: nothing is read until the application asks. */
class StreamInput implements InputStream {
  readonly #stream: ReadableStream<Uint8Array> | null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #pending: Uint8Array = EMPTY;
  #done: boolean;

  constructor(stream: ReadableStream<Uint8Array> | null) {
    this.#stream = stream;
    this.#done = stream === null;
  }

  async read(size?: number): Promise<Uint8Array> {
    if (size === undefined || size < 0) {
      const parts: Uint8Array[] = [];
      let length = 0;
      for await (const chunk of this) {
        parts.push(chunk);
        length += chunk.length;
      }
      return concat(parts, length);
    }
    if (size === 0) return EMPTY;
    if (this.#pending.length === 0 && !(await this.#fill())) return EMPTY;
    return this.#take(size);
  }

  async readLine(size?: number): Promise<Uint8Array> {
    const max = size === undefined || size < 0 ? Number.POSITIVE_INFINITY : size;
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < max) {
      if (this.#pending.length === 0 && !(await this.#fill())) break;
      const newline = this.#pending.indexOf(10);
      const want = Math.min(newline === -1 ? this.#pending.length : newline + 1, max - length);
      parts.push(this.#take(want));
      length += want;
      if (newline !== -1 && want === newline + 1) break;
    }
    return concat(parts, length);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.#pending.length === 0 && !(await this.#fill())) return;
      yield this.#take(this.#pending.length);
    }
  }

  #take(size: number): Uint8Array {
    const pending = this.#pending;
    if (size >= pending.length) {
      this.#pending = EMPTY;
      return pending;
    }
    this.#pending = pending.subarray(size);
    return pending.subarray(0, size);
  }

  async #fill(): Promise<boolean> {
    while (!this.#done) {
      this.#reader ??= (this.#stream as ReadableStream<Uint8Array>).getReader();
      const step = await this.#reader.read();
      if (step.done) {
        this.#done = true;
        this.#reader.releaseLock();
        return false;
      }
      if (step.value.length > 0) {
        this.#pending = step.value;
        return true;
      }
    }
    return false;
  }
}

/**
 * A `tsgi.errors` stream on `console.error`, the one error sink every runtime has. Text is
 * buffered to whole lines, since each `console.error` call ends a line.
 */
export function consoleErrorStream(): ErrorStream {
  let buffer = '';
  return {
    write(text: string): void {
      buffer += text;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        console.error(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    },
    flush(): void {
      if (buffer !== '') console.error(buffer);
      buffer = '';
    },
  };
}

/**
 * A portable `tsgi.file_wrapper`: reads the file in `blockSize` pieces as the server
 * iterates, from its current position to its end. Nothing is read before iteration
 * starts; `close()` closes the file (once).
 *
 * @param file - anything with `read(size)`, and optionally `close()`.
 * @param blockSize - bytes per read; default 64 KiB.
 */
export function basicFileWrapper(file: FileLike, blockSize?: number): FileWrapperBody {
  const size = blockSize !== undefined && blockSize > 0 ? blockSize : DEFAULT_BLOCK_SIZE;
  let closed = false;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      while (!closed) {
        const chunk = await file.read(size);
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await file.close?.();
    },
  };
}

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return chunk === '' ? EMPTY : encoder.encode(chunk);
  throw new PorticoError(
    'PORTICO_ERR_TSGI_VIOLATION',
    `a body chunk must be a string or a Uint8Array, got ${describeValue(chunk)}`,
  );
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

function requestLine(environ: Environ): string {
  const target = environ.REQUEST_URI ?? `${environ.SCRIPT_NAME}${environ.PATH_INFO}`;
  return `${environ.REQUEST_METHOD} ${target} ${environ.SERVER_PROTOCOL}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  let text =
    typeof code === 'string' && code.startsWith('PORTICO_ERR_')
      ? `${code}: ${error.message}`
      : (error.stack ?? `${error.name}: ${error.message}`);
  if (error.cause !== undefined) text += `\n  caused by: ${describeError(error.cause)}`;
  return text;
}

function logError(environ: Environ, error: unknown): void {
  const errors = environ['tsgi.errors'];
  try {
    errors.write(
      `${new Date().toISOString()} portico error "${requestLine(environ)}": ${describeError(error)}\n`,
    );
    errors.flush();
  } catch {
    // An error stream that fails has nowhere left to report to.
  }
}

type BodyIterator =
  { sync: true; iterator: Iterator<BodyChunk> } | { sync: false; iterator: AsyncIterator<BodyChunk> };

/** The iterator of a body; like the server, a body that is sync iterable is iterated synchronously. */
function bodyIterator(body: unknown): BodyIterator {
  if (
    body === null ||
    typeof body !== 'object' ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    ArrayBuffer.isView(body)
  ) {
    throw new PorticoError(
      'PORTICO_ERR_TSGI_VIOLATION',
      `the application must return an iterable of chunks (an array, a generator...), got ${describeValue(body)}`,
    );
  }
  const sync = (body as Iterable<BodyChunk>)[Symbol.iterator];
  if (typeof sync === 'function') return { sync: true, iterator: sync.call(body) };
  const async = (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator];
  if (typeof async === 'function') return { sync: false, iterator: async.call(body) };
  throw new PorticoError(
    'PORTICO_ERR_TSGI_VIOLATION',
    'the response body is neither iterable nor async iterable',
  );
}

// ---------------------------------------------------------------------------------------
// TSGI application → fetch handler
// ---------------------------------------------------------------------------------------

/** Options of {@link toFetchHandler}. */
export interface ToFetchHandlerOptions {
  /**
   * The mount point: requests whose decoded path starts with it (at a `/` boundary) get it
   * as `SCRIPT_NAME` and the rest as `PATH_INFO`; other requests get a 404 without the
   * application being called. Default `""` (the root).
   */
  scriptName?: string;
  /** `REMOTE_ADDR`: a fixed string, or a function of the request (fetch has no standard way to know it). */
  remoteAddress?: string | ((request: Request) => string | undefined);
  /** `tsgi.errors`. Default: {@link consoleErrorStream}. */
  errors?: ErrorStream;
  /** `SERVER_PROTOCOL`; a `Request` does not say. Default `HTTP/1.1`. */
  serverProtocol?: string;
  /** Extra environ keys for every request (e.g. `{ 'myhost.env': env }`); they override the defaults. */
  environ?: Readonly<Record<string, unknown>>;
}

/** A web-standard fetch handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

interface SplitUrl {
  scheme: string;
  host: string;
  hostname: string;
  port: string;
  target: string;
  rawPath: string;
  query: string;
}

/** Splits `request.url`, which the URL parser has already normalised, without a second parse. */
function splitUrl(url: string): SplitUrl {
  const colon = url.indexOf(':');
  const scheme = url.slice(0, colon).toLowerCase();
  if (
    (scheme !== 'http' && scheme !== 'https') ||
    url.charCodeAt(colon + 1) !== 47 ||
    url.charCodeAt(colon + 2) !== 47
  ) {
    throw new PorticoError(
      'PORTICO_ERR_BRIDGE',
      `cannot serve a request for ${JSON.stringify(url)}: not http(s)`,
    );
  }
  const authorityStart = colon + 3;
  let pathStart = authorityStart;
  while (pathStart < url.length) {
    const c = url.charCodeAt(pathStart);
    if (c === 47 || c === 63 || c === 35) break;
    pathStart += 1;
  }
  let authority = url.slice(authorityStart, pathStart);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  const bracket = authority.startsWith('[') ? authority.indexOf(']') : -1;
  const portColon = authority.indexOf(':', bracket === -1 ? 0 : bracket);
  const hostname = portColon === -1 ? authority : authority.slice(0, portColon);
  const port = portColon === -1 ? (scheme === 'https' ? '443' : '80') : authority.slice(portColon + 1);
  const hash = url.indexOf('#', pathStart);
  const end = hash === -1 ? url.length : hash;
  let target = url.slice(pathStart, end);
  if (target === '' || target.charCodeAt(0) !== 47) target = `/${target}`;
  const question = target.indexOf('?');
  return {
    scheme,
    host: authority,
    hostname,
    port,
    target,
    rawPath: question === -1 ? target : target.slice(0, question),
    query: question === -1 ? '' : target.slice(question + 1),
  };
}

function normalizeScriptName(scriptName: string | undefined): string {
  let s = scriptName ?? '';
  while (s.endsWith('/')) s = s.slice(0, -1);
  if (s !== '' && !s.startsWith('/')) s = `/${s}`;
  return s;
}

function buildEnviron(
  request: Request,
  options: ToFetchHandlerOptions,
  errors: ErrorStream,
): Environ | undefined {
  const url = splitUrl(request.url);
  const path = decodePathInfo(url.rawPath);
  const scriptName = normalizeScriptName(options.scriptName);
  let pathInfo = path;
  if (scriptName !== '') {
    if (
      !path.startsWith(scriptName) ||
      (path.length > scriptName.length && path.charCodeAt(scriptName.length) !== 47)
    ) {
      return undefined;
    }
    pathInfo = path.slice(scriptName.length);
  }
  const environ: Environ = {
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: url.query,
    REQUEST_URI: url.target,
    SERVER_NAME: url.hostname,
    SERVER_PORT: url.port,
    SERVER_PROTOCOL: options.serverProtocol ?? 'HTTP/1.1',
    'tsgi.version': TSGI_VERSION,
    'tsgi.url_scheme': url.scheme as 'http' | 'https',
    'tsgi.input': new StreamInput(request.body),
    'tsgi.errors': errors,
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
    'tsgi.file_wrapper': basicFileWrapper,
  };
  const remote = options.remoteAddress;
  const address = typeof remote === 'function' ? remote(request) : remote;
  if (address !== undefined) environ.REMOTE_ADDR = address;
  // Headers has already joined repeated fields with ", " (Set-Cookie excepted, joined here).
  for (const [name, value] of request.headers) {
    // A name with "_" would collide with its dashed twin: dropped, as servers do.
    if (name.indexOf('_') !== -1) continue;
    let key: string;
    if (name === 'content-type') key = 'CONTENT_TYPE';
    else if (name === 'content-length') key = 'CONTENT_LENGTH';
    else key = `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
    const previous = environ[key];
    environ[key] = previous === undefined ? value : `${previous as string}, ${value}`;
  }
  // In fetch the authority lives in the URL, not in a header (HTTP/2 has no Host at all).
  if (environ.HTTP_HOST === undefined) environ.HTTP_HOST = url.host;
  if (options.environ) Object.assign(environ, options.environ);
  return environ;
}

/** The state of one request going through {@link toFetchHandler}. */
class FetchResponder {
  readonly environ: Environ;
  status = 0;
  reason = '';
  headers: Header[] = [];
  /** Content-Length the application declared, or -1. */
  declaredLength = -1;
  startCalled = false;
  headersSent = false;
  /** Non-empty chunks produced but not yet handed to the stream. */
  pending: Uint8Array[] = [];
  bytesSent = 0;
  body: ResponseBody | undefined;
  iter: BodyIterator | undefined;
  ended = false;
  closed = false;
  readonly startResponse: StartResponse;
  readonly write: WriteFn;

  constructor(environ: Environ) {
    this.environ = environ;
    this.startResponse = (status: string, headers: Header[], excInfo?: ExcInfo): WriteFn =>
      this.#start(status, headers, excInfo);
    this.write = (chunk: BodyChunk): void => {
      if (!this.startCalled) {
        throw new PorticoError('PORTICO_ERR_HEADERS_ALREADY_SET', 'write() called before startResponse');
      }
      if (this.closed) {
        throw new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'write() called after the response ended');
      }
      const bytes = toBytes(chunk);
      if (bytes.length > 0) this.pending.push(bytes);
    };
  }

  #start(status: string, headers: Header[], excInfo: ExcInfo): WriteFn {
    if (excInfo !== undefined && excInfo !== null) {
      if (this.headersSent) throw excInfo;
    } else if (this.startCalled) {
      throw new PorticoError(
        'PORTICO_ERR_HEADERS_ALREADY_SET',
        'startResponse called a second time without excInfo',
      );
    }
    const code = parseStatus(status);
    assertValidHeaders(headers);
    let declared = -1;
    for (const [name, value] of headers) {
      if (name.length === 14 && name.toLowerCase() === 'content-length') {
        if (!/^[0-9]+$/.test(value)) {
          throw new PorticoError(
            'PORTICO_ERR_INVALID_HEADER',
            `Content-Length ${JSON.stringify(value)} is not a number`,
          );
        }
        declared = Number(value);
      }
    }
    this.status = code;
    this.reason = status.slice(4);
    this.headers = headers.slice();
    this.declaredLength = declared;
    this.startCalled = true;
    return this.write;
  }

  async run(app: Application): Promise<Response> {
    try {
      let result = app(this.environ, this.startResponse);
      if (isPromiseLike<ResponseBody>(result)) result = await result;
      this.body = result;
      if (Array.isArray(result)) {
        // Already in memory: take it all, so that its length can be sent as Content-Length.
        for (const chunk of result as unknown[]) {
          const bytes = toBytes(chunk);
          if (bytes.length > 0) this.pending.push(bytes);
        }
        this.ended = true;
      } else {
        this.iter = bodyIterator(result);
      }
      // Headers are final at the first non-empty chunk, or at the end of the body.
      while (this.pending.length === 0 && !this.ended) {
        const iter = this.iter as BodyIterator;
        const step = iter.sync ? iter.iterator.next() : await iter.iterator.next();
        if (step.done) {
          this.ended = true;
          break;
        }
        const bytes = toBytes(step.value);
        if (bytes.length > 0) this.pending.push(bytes);
      }
      if (!this.startCalled) {
        throw new PorticoError(
          'PORTICO_ERR_TSGI_VIOLATION',
          this.ended
            ? 'the application never called startResponse'
            : 'the body produced a chunk before startResponse',
        );
      }
      return this.#response();
    } catch (error) {
      this.closeBody(!this.ended);
      logError(
        this.environ,
        hasCode(error, 'PORTICO_ERR_APP_FAILED')
          ? error
          : new PorticoError('PORTICO_ERR_APP_FAILED', 'application error', { cause: error }),
      );
      return plainResponse(500);
    }
  }

  #response(): Response {
    this.headersSent = true;
    const headers = new Headers();
    let hasContentLength = false;
    for (const [name, value] of this.headers) {
      headers.append(name, value);
      if (name.length === 14 && name.toLowerCase() === 'content-length') hasContentLength = true;
    }
    const status = this.status;
    const noBody =
      status === 204 || status === 205 || status === 304 || this.environ.REQUEST_METHOD === 'HEAD';
    if (this.ended && !hasContentLength && status !== 204 && status !== 304) {
      // The whole body is known: say how long it is, as the server does for a one-chunk body.
      let total = 0;
      for (const chunk of this.pending) total += chunk.length;
      // An application may skip the body for HEAD; 0 would then misstate the length of GET's body.
      if (total > 0 || this.environ.REQUEST_METHOD !== 'HEAD') headers.set('content-length', String(total));
    }
    const init = { status, statusText: this.reason, headers };
    if (noBody) {
      this.pending = [];
      this.closeBody(!this.ended);
      return new Response(null, init);
    }
    if (this.ended && this.pending.length === 0) {
      this.closeBody(false);
      return new Response(null, init);
    }
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.#pull(controller),
        cancel: () => this.closeBody(true),
      },
      { highWaterMark: 0 },
    );
    return new Response(stream, init);
  }

  /** Hands the stream exactly one non-empty chunk, or ends it. */
  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      while (!this.closed) {
        const next = this.pending.shift();
        if (next !== undefined) {
          this.#enqueue(controller, next);
          return;
        }
        if (this.ended) {
          this.#finish(controller);
          return;
        }
        const iter = this.iter as BodyIterator;
        const step = iter.sync ? iter.iterator.next() : await iter.iterator.next();
        if (this.closed) return;
        if (step.done) this.ended = true;
        else {
          const bytes = toBytes(step.value);
          if (bytes.length > 0) this.pending.push(bytes);
        }
      }
    } catch (error) {
      // Too late for a 500: failing the stream makes the runtime abort the connection.
      this.closeBody(true);
      const aborted = new PorticoError(
        'PORTICO_ERR_RESPONSE_ABORTED',
        'application failed after the headers were sent',
        {
          cause: error,
        },
      );
      logError(this.environ, aborted);
      controller.error(aborted);
    }
  }

  #enqueue(controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array): void {
    const declared = this.declaredLength;
    if (declared !== -1 && this.bytesSent + chunk.length > declared) {
      // Never more than declared: the client would read the surplus as garbage.
      const room = declared - this.bytesSent;
      this.bytesSent = declared;
      if (room > 0) controller.enqueue(chunk.subarray(0, room));
      logError(
        this.environ,
        new PorticoError(
          'PORTICO_ERR_CONTENT_LENGTH_MISMATCH',
          `body longer than the declared Content-Length ${declared}; truncated`,
        ),
      );
      this.pending = [];
      this.closeBody(true);
      controller.close();
      return;
    }
    this.bytesSent += chunk.length;
    controller.enqueue(chunk);
  }

  #finish(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.closeBody(false);
    if (this.declaredLength !== -1 && this.bytesSent < this.declaredLength) {
      const error = new PorticoError(
        'PORTICO_ERR_CONTENT_LENGTH_MISMATCH',
        `body of ${this.bytesSent} bytes is shorter than the declared Content-Length ${this.declaredLength}; connection aborted`,
      );
      logError(this.environ, error);
      controller.error(error);
      return;
    }
    controller.close();
  }

  /** Ends the body exactly once; `early` also stops a generator still suspended mid-body. */
  closeBody(early: boolean): void {
    if (this.closed) return;
    this.closed = true;
    const iter = this.iter;
    if (early && iter !== undefined) {
      try {
        const result = iter.iterator.return?.();
        if (isPromiseLike(result))
          Promise.resolve(result).catch((error: unknown) => logError(this.environ, error));
      } catch (error) {
        logError(this.environ, error);
      }
    }
    const body = this.body;
    const close = body?.close;
    if (typeof close !== 'function') return;
    try {
      const result = close.call(body);
      if (isPromiseLike(result))
        Promise.resolve(result).catch((error: unknown) => logError(this.environ, error));
    } catch (error) {
      logError(this.environ, error);
    }
  }
}

function plainResponse(status: number): Response {
  return new Response(`${reasonPhrase(status)}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * Wraps a TSGI application as a web-standard fetch handler, so any fetch runtime can serve
 * it (`Deno.serve(toFetchHandler(app))`, `export default { fetch: toFetchHandler(app) }`).
 *
 * The environ is built from the `Request` by the rules of `docs/tsgi.md`. The returned
 * promise resolves once the headers are final: at the first non-empty chunk, or at the end
 * of an empty body. The body then streams with backpressure (the application's iterator
 * is advanced only when the runtime reads), and `close()` is called exactly once whether
 * the body ends, fails or is cancelled. A failure before the headers are final gives a
 * 500; after, the stream errors so that the runtime aborts the connection.
 *
 * @param app - the TSGI application.
 * @param options - mount point, remote address, error stream and extra environ keys.
 * @returns a function from `Request` to `Promise<Response>`; it rejects with
 *   `PORTICO_ERR_BRIDGE` only for a request whose URL is not http or https.
 */
export function toFetchHandler(
  app: Application,
  options: ToFetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const errors = options.errors ?? consoleErrorStream();
  return async (request: Request): Promise<Response> => {
    const environ = buildEnviron(request, options, errors);
    if (environ === undefined) return plainResponse(404);
    return new FetchResponder(environ).run(app);
  };
}

// ---------------------------------------------------------------------------------------
// fetch handler → TSGI application
// ---------------------------------------------------------------------------------------

function bridgeError(message: string, cause: unknown): PorticoError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new PorticoError('PORTICO_ERR_BRIDGE', `${message}${detail}`, { cause });
}

/** The request body as a web stream, pulled from `tsgi.input` only as the handler reads. */
function inputStream(input: InputStream): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await input.read(DEFAULT_BLOCK_SIZE);
        if (chunk.length === 0) controller.close();
        else controller.enqueue(chunk);
      },
      // tsgi.input belongs to the server: cancelling only stops reading it, never closes it.
    },
    { highWaterMark: 0 },
  );
}

function hasRequestBody(environ: Environ): boolean {
  const method = environ.REQUEST_METHOD;
  if (method === 'GET' || method === 'HEAD') return false;
  const length = environ.CONTENT_LENGTH;
  if (length !== undefined && length !== '') return length !== '0' && !/^0+$/.test(length);
  return environ['tsgi.input_terminated'] === true;
}

function buildRequest(environ: Environ): Request {
  if (environ.PATH_INFO === '*') {
    throw new PorticoError('PORTICO_ERR_BRIDGE', 'OPTIONS * (asterisk-form) has no fetch Request equivalent');
  }
  const headers = new Headers();
  for (const key in environ) {
    if (key.length <= 5 || !key.startsWith('HTTP_')) continue;
    const value = environ[key];
    if (typeof value !== 'string') continue;
    const name = key.slice(5).toLowerCase().replaceAll('_', '-');
    // Hop-by-hop fields described the client's connection to the server, not this request.
    if (isHopByHop(name)) continue;
    headers.append(name, value);
  }
  if (environ.CONTENT_TYPE) headers.set('content-type', environ.CONTENT_TYPE);
  if (environ.CONTENT_LENGTH) headers.set('content-length', environ.CONTENT_LENGTH);
  const init: RequestInit & { duplex?: 'half' } = { method: environ.REQUEST_METHOD, headers };
  if (hasRequestBody(environ)) {
    init.body = inputStream(environ['tsgi.input']);
    init.duplex = 'half';
  }
  return new Request(reconstructUrl(environ), init);
}

function normalizeChunk(value: unknown): BodyChunk {
  if (value instanceof Uint8Array || typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new PorticoError('PORTICO_ERR_BRIDGE', `a Response body chunk is ${describeValue(value)}, not bytes`);
}

/** The response body as a TSGI body: an async iterable whose `close()` cancels the stream. */
function streamBody(stream: ReadableStream<unknown>): ResponseBody {
  let reader: ReadableStreamDefaultReader<unknown> | undefined;
  let closed = false;
  const close = (): Promise<void> => {
    if (closed) return Promise.resolve();
    closed = true;
    return (reader ?? stream).cancel().catch(() => undefined);
  };
  const iterator: AsyncIterator<BodyChunk> = {
    async next(): Promise<IteratorResult<BodyChunk>> {
      if (closed) return { done: true, value: undefined };
      reader ??= stream.getReader();
      const step = await reader.read();
      if (step.done) return { done: true, value: undefined };
      return { done: false, value: normalizeChunk(step.value) };
    },
    async return(): Promise<IteratorResult<BodyChunk>> {
      await close();
      return { done: true, value: undefined };
    },
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    close,
  };
}

/**
 * Wraps a web-standard fetch handler (Hono's `app.fetch`, a Worker's `fetch`...) as a
 * TSGI application.
 *
 * The `Request` gets the reconstructed URL, the method, the `HTTP_*`, `CONTENT_TYPE` and
 * `CONTENT_LENGTH` headers (hop-by-hop ones left out), and, for methods with a body, a
 * stream that reads `tsgi.input` only as the handler consumes it. The `Response` becomes a
 * `startResponse` call (its `statusText`, else the standard phrase; each `Set-Cookie` its
 * own pair; hop-by-hop headers dropped) and an async iterable over its body whose `close()`
 * cancels the stream.
 *
 * A handler that throws makes the application throw the same error; a request or response
 * that cannot be translated throws `PORTICO_ERR_BRIDGE`.
 *
 * @param handler - the fetch handler.
 * @returns the TSGI application.
 */
export function fromFetchHandler(handler: FetchHandler): Application {
  return async (environ: Environ, startResponse: StartResponse): Promise<ResponseBody> => {
    let request: Request;
    try {
      request = buildRequest(environ);
    } catch (error) {
      throw bridgeError('cannot build a Request from the environ', error);
    }
    const response: unknown = await handler(request);
    if (!(response instanceof Response)) {
      throw new PorticoError(
        'PORTICO_ERR_BRIDGE',
        `the fetch handler returned ${describeValue(response)}, not a Response`,
      );
    }
    const status = response.status;
    if (status < 200 || status > 599) {
      response.body?.cancel().catch(() => undefined);
      throw new PorticoError(
        'PORTICO_ERR_BRIDGE',
        `the fetch handler returned status ${status}, which is not a final HTTP status`,
      );
    }
    const headers: Header[] = [];
    const responseHeaders = response.headers;
    const getSetCookie = (responseHeaders as { getSetCookie?: () => string[] }).getSetCookie;
    for (const [name, value] of responseHeaders) {
      if (isHopByHop(name)) continue;
      if (name === 'set-cookie' && getSetCookie !== undefined) continue;
      headers.push([name, value]);
    }
    if (getSetCookie !== undefined) {
      for (const value of getSetCookie.call(responseHeaders)) headers.push(['set-cookie', value]);
    }
    try {
      startResponse(`${status} ${response.statusText || reasonPhrase(status)}`, headers);
    } catch (error) {
      response.body?.cancel().catch(() => undefined);
      throw error;
    }
    return response.body === null ? [] : streamBody(response.body);
  };
}
