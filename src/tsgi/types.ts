/**
 * The TSGI types: the contract between a server and an application.
 *
 * These types are the machine-readable half of `docs/tsgi.md`; the prose there is
 * authoritative where the two could be read differently. Nothing here is needed at
 * run time: an application written against the spec alone is a TSGI application.
 *
 * @module
 */

/** A chunk of a response body: bytes, or a string sent as UTF-8. */
export type BodyChunk = Uint8Array | string;

/**
 * What an application returns: any sync or async iterable of chunks. An array is the
 * cheapest form (`["hello"]`); a generator streams. If the object has `close()`, the
 * server calls it exactly once when the request is over, whatever happened.
 */
export type ResponseBody = (Iterable<BodyChunk> | AsyncIterable<BodyChunk>) & {
  close?: () => void | Promise<void>;
};

/** One response header: `[name, value]`. Repeated names are repeated pairs. */
export type Header = [name: string, value: string];

/**
 * Passed to `startResponse` as its third argument when the application is replacing an
 * earlier status after an error. It is the caught error itself.
 */
export type ExcInfo = unknown;

/**
 * Writes a body chunk imperatively (the legacy path; prefer returning an iterable).
 * The chunk is sent or queued before `write` returns.
 */
export type WriteFn = (chunk: BodyChunk) => void;

/**
 * Sets the response status and headers. They are stored, not sent: they go out with the
 * first non-empty body chunk, or when the body ends empty.
 *
 * @param status - `"200 OK"`: three digits, one space, a reason phrase.
 * @param headers - `[name, value]` pairs; never hop-by-hop headers.
 * @param excInfo - the caught error, when replacing a status already set.
 */
export type StartResponse = (status: string, headers: Header[], excInfo?: ExcInfo) => WriteFn;

/**
 * The request body stream (`tsgi.input`). The server simulates end-of-file at the end
 * of the body, so reading never blocks on the next request of a kept-alive connection.
 */
export interface InputStream extends AsyncIterable<Uint8Array> {
  /**
   * Reads up to `size` bytes (all remaining bytes when `size` is omitted or negative).
   * Resolves to an empty array at end of body.
   */
  read(size?: number): Promise<Uint8Array>;
  /** Reads one line, up to and including `\n` (at most `size` bytes when given). */
  readLine(size?: number): Promise<Uint8Array>;
  /**
   * Optional: what `read(size)` would resolve to, when that needs no waiting (the bytes, or
   * an empty array at the end of the body), else `null` (nothing is consumed then). A body
   * that arrived with its head is then read without a promise; an application falls back
   * to `read` when it is missing or answers `null`.
   */
  readNow?(size: number): Uint8Array | null;
}

/** The error stream (`tsgi.errors`): text, `\n` line endings. */
export interface ErrorStream {
  write(text: string): void;
  flush(): void;
}

/**
 * A file-like object for `tsgi.file_wrapper`: `read(size)` returns the next bytes,
 * empty at end of file. `close()`, if present, is called by the wrapper's `close()`.
 */
export interface FileLike {
  read(size: number): Uint8Array | Promise<Uint8Array>;
  close?(): void | Promise<void>;
}

/** The iterable that `tsgi.file_wrapper` returns. */
export type FileWrapperBody = AsyncIterable<Uint8Array> & { close(): Promise<void> };

/** `tsgi.file_wrapper`: wraps a file so the server may send it by the fastest means it has. */
export type FileWrapper = (file: FileLike, blockSize?: number) => FileWrapperBody;

/**
 * The environ: one plain object per request. CGI keys (no dot) hold strings; `tsgi.*`
 * keys hold what the spec says; servers and middleware add their own under a dotted,
 * lower-case prefix (`portico.*`). Applications may add and change keys.
 */
export interface Environ {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  REMOTE_ADDR?: string;
  REMOTE_PORT?: string;
  /** The request target exactly as received (still percent-encoded). */
  REQUEST_URI?: string;
  'tsgi.version': readonly [1, 0];
  'tsgi.url_scheme': 'http' | 'https';
  'tsgi.input': InputStream;
  'tsgi.errors': ErrorStream;
  'tsgi.multithread': boolean;
  'tsgi.multiprocess': boolean;
  'tsgi.run_once': boolean;
  /** True when `tsgi.input` ends by itself (always, for a conforming server). */
  'tsgi.input_terminated'?: boolean;
  'tsgi.file_wrapper'?: FileWrapper;
  [key: string]: unknown;
}

/**
 * A TSGI application: called once per request. It returns the body, or a promise of it
 * (an async application).
 */
export type Application = (
  environ: Environ,
  startResponse: StartResponse,
) => ResponseBody | Promise<ResponseBody>;
