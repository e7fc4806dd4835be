/**
 * The small internal interface between an HTTP engine (the code that parses bytes off a
 * socket) and the TSGI rules (environ building, response writing).
 *
 * Two engines produce {@link Exchange} objects for HTTP: Portico's own parser on
 * `node:net` (`http1/`, the default) and `node:http` (`node-engine.ts`); the uwsgi engine
 * is a third. Nothing in `environ.ts`, `input.ts` or `respond.ts` knows which one runs.
 */
import type { Server, Socket } from 'node:net';

/** What the engine parsed off the wire for one request. */
export interface RequestHead {
  readonly method: string;
  /** The request target exactly as received, e.g. `/a%20b?x=1`. */
  readonly target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly protocol: string;
  /** Header names and values, flat and in wire order: `[name0, value0, name1, value1, ...]`. */
  readonly rawHeaders: readonly string[];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** True when the connection is TLS. */
  readonly secure: boolean;
  /**
   * A path prefix the front server already routed on (uwsgi's `SCRIPT_NAME`; `/app`, never
   * `/` or a trailing `/`). A path under it keeps it in `SCRIPT_NAME`, and mounts are
   * matched against the rest. HTTP engines leave it undefined.
   */
  readonly scriptName?: string;
}

/**
 * A request body that can also hand over, without a promise, what has already arrived:
 * a body that came with its head is then read synchronously (`tsgi.input.readNow`).
 */
export interface BufferedBody extends AsyncIterable<Uint8Array> {
  /**
   * What the iterator's `next()` would resolve to, when that needs no waiting: the next
   * bytes, or `undefined` at the end; `null` when they must be waited for (or a failure
   * is to be reported, by `next()`). Shares the iterator's position.
   */
  takeNow(): Uint8Array | undefined | null;
}

/** One request and its response on one connection. */
export interface Exchange {
  readonly head: RequestHead;
  /**
   * The connection, when the exchange has it to itself (uwsgi: one request per
   * connection). A process manager uses it to account bytes and, for harakiri, to answer
   * on the socket's file descriptor while the event loop is blocked.
   */
  readonly socket?: Socket;
  /**
   * The connection the exchange travels on, shared with the exchanges before and after it
   * on a kept-alive connection: for accounting bytes and for harakiri's file descriptor.
   */
  readonly connection?: Socket;
  /**
   * The bytes written to {@link connection} so far, for accounting when the engine holds
   * some back for a moment (`connection.bytesWritten` does not count those); absent, that
   * property is exact.
   */
  readonly connectionBytesWritten?: number;
  /**
   * The request body, decoded from its transfer coding; ends at the end of this request's
   * body. An engine that buffers it offers {@link BufferedBody.takeNow} too.
   */
  readonly body: AsyncIterable<Uint8Array> | BufferedBody;
  /** Trailer fields of a chunked body, flat like `rawHeaders`; complete once the body has ended. */
  readonly rawTrailers: readonly string[];
  /** True when the client sent `Expect: 100-continue` and waits for {@link sendContinue}. */
  readonly expectsContinue: boolean;
  /** True when this is a HEAD request (the engine suppresses the body). */
  readonly isHead: boolean;
  /** True once the client has gone away or the exchange was aborted. */
  readonly aborted: boolean;
  /** Sends `100 Continue`. */
  sendContinue(): void;
  /** Sends the status line and headers (`headers` flat: `[name, value, ...]`). */
  writeHead(status: number, reason: string, headers: string[]): void;
  /** Writes body bytes; false means the socket buffer is full: wait for {@link drained}. */
  write(chunk: Uint8Array | string): boolean;
  /** Resolves when the socket buffer has room again (or the exchange aborted). */
  drained(): Promise<void>;
  /** Ends the response, with an optional last chunk. */
  end(chunk?: Uint8Array | string): void;
  /** Tears the connection down: the way to fail after the headers went out. */
  abort(): void;
  /** Registers a callback for when the client goes away before the response completes. */
  onAbort(callback: () => void): void;
  /**
   * Has `watcher` told when {@link socket} closes, through the listener the engine already
   * has on it: a listener of the caller's own would be one more per connection, which
   * behind nginx is one more per request. Absent: the caller listens to `socket` itself.
   */
  watchClose?(watcher: CloseWatcher): void;
}

/** What {@link Exchange.watchClose} tells. */
export interface CloseWatcher {
  /** The exchange's socket closed. */
  socketClosed(): void;
}

/**
 * An HTTP engine: a server whose connections it parses into exchanges, and the controls
 * a graceful shutdown needs.
 */
export interface HttpEngine {
  /** The server to listen with (the caller listens). */
  readonly server: Server;
  /**
   * From now on every response closes its connection (those in flight too, when their
   * headers are still unsent). Idle connections stay open: see {@link closeIdleConnections}.
   */
  drain(): void;
  /** Closes the connections that have no request in progress. */
  closeIdleConnections(): void;
  /** Closes every connection now. */
  closeAllConnections(): void;
}
