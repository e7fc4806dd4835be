/**
 * The HTTP/1.1 engine on `node:http`.
 *
 * Why Node's `http` module: its parser (llhttp) is strict, fuzzed and used by every Node
 * server in production; request smuggling defences (Content-Length beside
 * Transfer-Encoding, bad chunk sizes, bare CR/LF, obsolete line folding) come with it.
 * What we add on top is policy (limits, a second Host, the target form) and TSGI.
 * Everything Node-specific stays in this file, behind the {@link Exchange} interface.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { PorticoError } from '../tsgi/errors.ts';
import type { ErrorStream } from '../tsgi/types.ts';
import type { Exchange, HttpEngine, RequestHead } from './engine.ts';
import { logError } from '../tsgi/log.ts';
import type { ServerOptions } from './options.ts';
import { rawPlainResponse } from './plain-response.ts';
import { whenDrained } from './drained.ts';
import { hasToken } from './http1/head.ts';
import { RequestBody } from './http1/body.ts';
import { boundConnections, surviveAcceptErrors } from './capacity.ts';
import { SendTimeout } from './send-timeout.ts';
import { addIndexed, type Indexed, removeIndexed } from './indexed-list.ts';
import { prepareSlicedFeed, type SlicedFeed } from './node-feed.ts';

/** Bytes of an unread request body skipped after its response (as the portico engine does). */
const DISCARD_LIMIT = 256 * 1024;
const DISCARD_CHUNKS = 4096;

/** One request/response pair from `node:http`; it is its own {@link RequestHead}. */
class NodeExchange implements Exchange, RequestHead {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly expectsContinue: boolean;
  #continued = false;
  #body: RequestBody | undefined;

  constructor(req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean) {
    this.req = req;
    this.res = res;
    this.expectsContinue = expectsContinue;
  }

  get head(): RequestHead {
    return this;
  }
  get connection(): Socket {
    return this.req.socket;
  }
  get method(): string {
    return this.req.method as string;
  }
  get target(): string {
    return this.req.url as string;
  }
  get protocol(): string {
    return this.req.httpVersion === '1.1' ? 'HTTP/1.1' : `HTTP/${this.req.httpVersion}`;
  }
  get rawHeaders(): readonly string[] {
    return this.req.rawHeaders;
  }
  get remoteAddress(): string {
    return this.req.socket.remoteAddress ?? '';
  }
  get remotePort(): number {
    return this.req.socket.remotePort ?? 0;
  }
  get localAddress(): string {
    return this.req.socket.localAddress ?? '';
  }
  get localPort(): number {
    return this.req.socket.localPort ?? 0;
  }
  get secure(): boolean {
    return (this.req.socket as { encrypted?: boolean }).encrypted === true;
  }
  get body(): RequestBody {
    return (this.#body ??= requestBody(this.req));
  }
  get rawTrailers(): readonly string[] {
    return this.req.rawTrailers;
  }
  get isHead(): boolean {
    return this.req.method === 'HEAD';
  }
  get aborted(): boolean {
    return this.res.destroyed && !this.res.writableFinished;
  }

  sendContinue(): void {
    if (this.#continued || this.res.headersSent) return;
    this.#continued = true;
    this.res.writeContinue();
  }

  writeHead(status: number, reason: string, headers: string[]): void {
    if (hasCloseHeader(headers)) (this.req.socket as TrackedSocket)[closing] = true;
    this.res.writeHead(status, reason, headers);
  }

  write(chunk: Uint8Array | string): boolean {
    return this.res.write(chunk);
  }

  drained(): Promise<void> {
    return whenDrained(this.res);
  }

  end(chunk?: Uint8Array | string): void {
    if (chunk === undefined) this.res.end();
    else this.res.end(chunk);
    if (!this.req.complete) this.#boundDiscard();
  }

  /**
   * node:http reads and drops a request body the application left unread, however long it
   * is (a chunked flood never ends). As the `portico` engine does, the rest is skipped up
   * to {@link DISCARD_LIMIT} bytes, then the connection is closed.
   */
  #boundDiscard(): void {
    const req = this.req;
    let skipped = 0;
    let chunks = 0;
    req.on('data', (chunk: Buffer) => {
      skipped += chunk.length;
      // node:http emits every chunk of a chunked body as an event: 1-byte chunks cost an
      // event per byte, so their number is bounded too.
      if (skipped > DISCARD_LIMIT || ++chunks > DISCARD_CHUNKS) req.socket.destroy();
    });
  }

  abort(): void {
    const socket = this.res.socket;
    if (socket === null || socket.destroyed) {
      this.res.destroy();
      return;
    }
    // Node corks a response's first write until the next tick: flush what the client is
    // owed, then close without the terminating chunk so the client sees a truncated body.
    socket.uncork();
    socket.destroySoon();
  }

  onAbort(callback: () => void): void {
    this.res.once('close', () => {
      if (!this.res.writableFinished) callback();
    });
  }
}

/**
 * node:http's request stream as a {@link RequestBody}, the `portico` engine's body.
 * node:http pushes each chunk of a chunked body on its own, and runs ticks and microtasks
 * after each push. Each chunk is taken from the stream as it comes (a 1-byte chunk is a
 * view of a whole socket read: held, such views kept the reads alive, and outlived
 * scavenges by the hundred thousand), small ones copied into the body's own buffer; a
 * waiting reader is woken on the next pass with all that came meanwhile (woken per chunk,
 * a reader of 1-byte chunks took one byte per wake-up: a worker busy for minutes, see the
 * `hostile` bench). Backpressure: nothing is taken while the body's queue is full, and
 * node:http stops reading the socket at the stream's high-water mark.
 */
function requestBody(req: http.IncomingMessage): RequestBody {
  let reading = true;
  const take = (): void => {
    if (!reading) return;
    for (let bytes = req.read() as Buffer | null; bytes !== null; bytes = req.read() as Buffer | null) {
      body.push(bytes);
      if (!reading) return;
    }
  };
  const body = new RequestBody(
    {
      setReading(next) {
        reading = next;
        if (next) take();
      },
    },
    { wakeOnNextPass: true },
  );
  // What node:http parsed before the application asked (a body that came with its head).
  take();
  if (req.complete && req.readableLength === 0) {
    body.end();
    return body;
  }
  req.on('readable', take);
  req.on('end', () => body.end());
  req.on('error', (error) => body.fail(error));
  req.on('close', () => {
    if (!req.complete) body.fail(new Error('the request was aborted before the end of its body'));
  });
  return body;
}

const servedCount = Symbol('portico.servedCount');
/**
 * Set on a socket once a response on it said `Connection: close`: node:http still parses
 * and emits requests pipelined behind it, which must never reach the application.
 */
const closing = Symbol('portico.closing');
/** When the socket last had no request in progress (ms since the epoch; 0: one is in progress). */
const idleSince = Symbol('portico.idleSince');
/** The socket's entry in the engine's list of open sockets. */
const openEntry = Symbol('portico.openEntry');
/** The socket's feed of node:http's parser, between the two connection listeners. */
const feedOf = Symbol('portico.feedOf');
type TrackedSocket = Socket & {
  [servedCount]?: number;
  [closing]?: boolean;
  [idleSince]?: number;
  [openEntry]?: OpenSocket;
  [feedOf]?: SlicedFeed;
};
/** An open socket, and where it is in the engine's list. */
interface OpenSocket extends Indexed {
  readonly socket: TrackedSocket;
}

function hasCloseHeader(headers: string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    if (
      (headers[i] as string).toLowerCase() === 'connection' &&
      hasToken(headers[i + 1] as string, 'close')
    ) {
      return true;
    }
  }
  return false;
}

/** What Node's parser errors mean to a client. */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADER_TIMEOUT') return 408;
  return 400;
}

/**
 * Creates the `node:http` engine that turns connections into exchanges.
 *
 * @param onExchange - called once per parsed request, in order per connection.
 */
export function createNodeEngine(
  options: ServerOptions,
  errors: ErrorStream,
  onExchange: (exchange: Exchange) => void,
): HttpEngine & { readonly server: http.Server } {
  const server = http.createServer({
    maxHeaderSize: options.bufferSize,
    headersTimeout: options.headerTimeout * 1000,
    keepAliveTimeout: options.keepaliveTimeout * 1000,
    // Node checks header and request timeouts on this interval; the default (30 s) would
    // make a 1 s header-timeout fire up to 30 s late.
    connectionsCheckingInterval: Math.min(1000, options.headerTimeout * 500),
    // Checked in admit(), so that the requests pipelined behind the refusal are dropped.
    requireHostHeader: false,
    joinDuplicateHeaders: false,
  });
  surviveAcceptErrors(server, errors);
  // Before node:http sets a socket up (and after the bound below, prepended later, has
  // refused it or not): the engine, not node:http, reads it (node-feed.ts).
  server.prependListener('connection', (socket: TrackedSocket) => {
    if (!refused(socket)) socket[feedOf] = prepareSlicedFeed(socket);
  });
  const refused = boundConnections(server, options.maxConnections, errors);
  // node:http restarts its keep-alive timer on every byte, and empty lines before a request
  // line are bytes: a client sending CRLF now and then would hold a connection forever.
  // No request may take longer to start than an idle connection plus a head may last.
  const idleLimitMs = (options.keepaliveTimeout + options.headerTimeout) * 1000;
  // Not a Set: see indexed-list.ts.
  const sockets: OpenSocket[] = [];
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    // Stopped here, not when the last connection closes: one connection at a time would
    // otherwise start and stop the timer per connection.
    if (sockets.length === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
      return;
    }
    const now = Date.now();
    // Backwards: a socket removed meanwhile is replaced by the last, already visited.
    for (let i = sockets.length - 1; i >= 0; i--) {
      const socket = (sockets[i] as OpenSocket).socket;
      const since = socket[idleSince] ?? 0;
      if (since !== 0 && now - since > idleLimitMs) socket.destroy();
    }
  };
  // One function for every socket ('close' is emitted once; `this` is the socket).
  const untrack = function (this: TrackedSocket) {
    const entry = this[openEntry];
    if (entry !== undefined) removeIndexed(sockets, entry);
  };
  const sendTimeout = new SendTimeout(options.sendTimeout, errors);
  server.on('close', () => sendTimeout.stop());
  server.on('connection', (socket: TrackedSocket) => {
    if (refused(socket)) return;
    socket[feedOf]?.takeOver();
    socket[feedOf] = undefined;
    sendTimeout.track(socket);
    socket[idleSince] = Date.now();
    const entry: OpenSocket = { socket, index: -1 };
    addIndexed(sockets, entry);
    socket[openEntry] = entry;
    socket.on('close', untrack);
    if (sweeper === undefined) {
      sweeper = setInterval(sweep, Math.max(10, Math.min(1000, idleLimitMs / 4)));
      sweeper.unref();
    }
  });
  // Node silently drops headers past maxHeadersCount; keep one more than the limit so the
  // server can see the excess and answer 431 instead of serving a truncated request.
  server.maxHeadersCount = options.limitRequestFields > 0 ? options.limitRequestFields + 1 : 0;

  // Counted here rather than with Node's maxRequestsPerSocket, which answers requests
  // pipelined past the limit with a 503 and leaves the connection open; we close it after
  // the last allowed response, and such requests are never answered (RFC 9112 9.6).
  const limit = options.maxRequestsPerConnection;
  // While draining, responses close their connections; the ones in flight are kept so
  // that those whose headers are still unsent can be told too.
  let draining = false;
  const inFlight = new Set<http.ServerResponse>();
  const admit = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const socket = req.socket as TrackedSocket;
    // Answered 503 on arrival (max-connections): node:http parses it all the same.
    if (socket[closing] === true || refused(socket)) return false;
    if (req.httpVersionMinor === 1 && req.headers.host === undefined) {
      socket[closing] = true;
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('Bad Request: an HTTP/1.1 request without Host.\n');
      return false;
    }
    const served = (socket[servedCount] ?? 0) + 1;
    socket[servedCount] = served;
    if (served === limit || draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    socket[idleSince] = 0;
    res.once('close', () => {
      inFlight.delete(res);
      if (!socket.destroyed) socket[idleSince] = Date.now();
    });
    return served <= limit;
  };
  server.on('request', (req, res) => {
    if (admit(req, res)) onExchange(new NodeExchange(req, res, false));
  });
  server.on('checkContinue', (req, res) => {
    if (admit(req, res)) onExchange(new NodeExchange(req, res, true));
  });
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    (req.socket as TrackedSocket)[closing] = true;
    res.writeHead(417, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end('Only "Expect: 100-continue" is supported.\n');
  });
  // A TSGI server is an origin server, not a proxy: CONNECT is refused.
  // node:http hands the socket over without its error listener: a reset would be an
  // uncaught 'error' that kills the process.
  server.on('connect', (_req, socket: Socket) => {
    socket.on('error', () => {});
    socket.end(rawPlainResponse(405, 'CONNECT is not supported: this is not a proxy.'));
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error.code);
    const code =
      status === 431
        ? 'PORTICO_ERR_HEADERS_TOO_LARGE'
        : status === 408
          ? 'PORTICO_ERR_REQUEST_TIMEOUT'
          : 'PORTICO_ERR_BAD_REQUEST';
    const message =
      status === 408 ? 'request head not received in time' : `${error.code ?? ''} ${error.message}`.trim();
    logError(errors, new PorticoError(code, `${message} (from ${socket.remoteAddress ?? '?'})`));
    socket.end(
      rawPlainResponse(
        status,
        status === 408
          ? 'Request Timeout'
          : status === 431
            ? 'Request header fields too large.'
            : 'Bad Request',
      ),
    );
  });
  return {
    server,
    drain() {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    },
    closeIdleConnections: () => server.closeIdleConnections(),
    closeAllConnections: () => server.closeAllConnections(),
  };
}
