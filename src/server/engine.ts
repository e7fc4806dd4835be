/**
 * The small internal interface between an HTTP engine (the code that parses bytes off a
 * socket) and the TSGI rules (environ building, response writing).
 *
 * Only `node-engine.ts` knows about `node:http`. A leaner engine (a hand-written parser
 * on `node:net`, say) can replace it by producing {@link Exchange} objects; nothing in
 * `environ.ts`, `input.ts` or `respond.ts` would change.
 */
import type { Socket } from 'node:net';

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

/** One request and its response on one connection. */
export interface Exchange {
  readonly head: RequestHead;
  /**
   * The connection, when the exchange has it to itself (uwsgi: one request per
   * connection). A process manager uses it to account bytes and, for harakiri, to answer
   * on the socket's file descriptor while the event loop is blocked.
   */
  readonly socket?: Socket;
  /** The request body, decoded from its transfer coding; ends at the end of this request's body. */
  readonly body: AsyncIterable<Uint8Array>;
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
}
