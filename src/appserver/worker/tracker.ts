/**
 * Per-request bookkeeping in a worker: counters for stats, the in-flight list (for the
 * current request), harakiri slots, and the access log. It stands between each exchange
 * (HTTP or uwsgi) and the handler, so the server itself needs no knowledge of the app
 * server.
 *
 * This runs for every request, so it is held to a budget of a few hundred nanoseconds:
 * one small object per request (a {@link TrackedExchange}, whose methods live on its
 * class, so no closure is made), an intrusive in-flight list instead of a `Set`, two
 * clock reads, counters. What is only needed for the access log (request headers, the
 * exact bytes on the wire) is read only when the access log is on; a listener for a
 * client that goes away is registered only when the response did not finish at once.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CloseWatcher, Exchange, RequestHead } from '../../server/index.ts';
import type { AccessRecord } from '../logging/access-log.ts';
import type { HarakiriTable } from '../harakiri/table.ts';
import type { CurrentRequest } from '../messages.ts';

/** What the tracker is told to do besides counting. */
export interface TrackerOptions {
  harakiri?: HarakiriTable;
  /** Called with each finished request when the access log is on. */
  accessLog?: (record: AccessRecord) => void;
  /** Called after each finished request, with the running count. */
  afterRequest?: (requests: number) => void;
  workerId: number;
}

const RUNNING = 0;
/** The response ended (or was aborted); an HTTP request is counted then. */
const ENDED = 1;
/** Counted (a uwsgi request counts when its connection closes, for its byte count). */
const COUNTED = 2;

/**
 * One exchange on its way through the worker: forwards to the engine's exchange and
 * notes the status, the head's size, when the response ends, and the harakiri slot.
 */
class TrackedExchange implements Exchange, CloseWatcher {
  readonly #inner: Exchange;
  readonly #tracker: RequestTracker;
  readonly socket: Socket | undefined;
  readonly connection: Socket | undefined;
  readonly start: number;
  readonly slot: number;
  /** `connection.bytesWritten` at the start: read only when the access log is on. */
  readonly written: number;
  status = 0;
  hsize = 0;
  bodyBytes = 0;
  state = RUNNING;
  /** The in-flight list, oldest first. */
  prev: TrackedExchange | undefined = undefined;
  next: TrackedExchange | undefined = undefined;

  constructor(inner: Exchange, tracker: RequestTracker, slot: number, exact: boolean) {
    this.#inner = inner;
    this.#tracker = tracker;
    const socket = inner.socket;
    this.socket = socket;
    this.connection = socket ?? inner.connection;
    this.start = performance.now();
    this.slot = slot;
    this.written = exact ? this.bytesWritten : 0;
  }

  /** Bytes written to the connection so far (those the engine still holds included). */
  get bytesWritten(): number {
    return this.#inner.connectionBytesWritten ?? this.connection?.bytesWritten ?? 0;
  }
  get head(): RequestHead {
    return this.#inner.head;
  }
  get body(): AsyncIterable<Uint8Array> {
    return this.#inner.body;
  }
  get rawTrailers(): readonly string[] {
    return this.#inner.rawTrailers;
  }
  get expectsContinue(): boolean {
    return this.#inner.expectsContinue;
  }
  get isHead(): boolean {
    return this.#inner.isHead;
  }
  get aborted(): boolean {
    return this.#inner.aborted;
  }
  sendContinue(): void {
    this.#inner.sendContinue();
  }
  writeHead(status: number, reason: string, headers: string[]): void {
    this.status = status;
    if (this.slot >= 0) this.#tracker.harakiri?.markHeadersSent(this.slot);
    // `HTTP/1.1 200 reason` CRLF, each `name: value` CRLF, and the blank line.
    let size = 17 + reason.length;
    for (let i = 0; i < headers.length; i += 2)
      size += (headers[i] as string).length + (headers[i + 1] as string).length + 4;
    this.hsize = size;
    this.#inner.writeHead(status, reason, headers);
  }
  write(chunk: Uint8Array | string): boolean {
    this.bodyBytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    return this.#inner.write(chunk);
  }
  drained(): Promise<void> {
    return this.#inner.drained();
  }
  end(chunk?: Uint8Array | string): void {
    if (chunk !== undefined) this.bodyBytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    this.#inner.end(chunk);
    this.#tracker.ended(this);
  }
  abort(): void {
    this.#inner.abort();
    this.#tracker.ended(this);
  }
  onAbort(callback: () => void): void {
    this.#inner.onAbort(callback);
  }
  /** The client went away before the response ended. */
  gone(): void {
    this.#tracker.ended(this);
  }
  /** The connection closed (a uwsgi request is counted then). */
  socketClosed(): void {
    this.#tracker.count(this);
  }
}

/** Counts and follows the requests of one worker's servers. */
export class RequestTracker {
  requests = 0;
  exceptions = 0;
  /** Microseconds spent serving, summed over requests. */
  runningTime = 0;
  /** Response bytes: exact with the access log on, else heads and bodies as the application gave them. */
  tx = 0;
  inFlight = 0;
  readonly harakiri: HarakiriTable | undefined;
  readonly #options: TrackerOptions;
  #oldest: TrackedExchange | undefined;
  #newest: TrackedExchange | undefined;

  constructor(options: TrackerOptions) {
    this.#options = options;
    this.harakiri = options.harakiri;
  }

  /** The oldest request in flight. */
  current(): CurrentRequest | null {
    const oldest = this.#oldest;
    if (oldest === undefined) return null;
    const { method, target } = oldest.head;
    return { method, uri: target, age_ms: Math.round(performance.now() - oldest.start) };
  }

  /**
   * Returns a handler that follows each exchange on its way to `handler`. A uwsgi request
   * counts once its connection closes (it carries exactly one request), so `tx` includes
   * every byte; an HTTP request counts when its response ends, its connection kept alive
   * for the next.
   */
  follow(handler: (exchange: Exchange) => void): (exchange: Exchange) => void {
    return (exchange) => {
      const tracked = this.#begin(exchange);
      handler(tracked);
      // Not over yet: learn when the client goes away (the only end not seen through the
      // tracked exchange). A closure here, off the fast path.
      if (tracked.state === RUNNING) exchange.onAbort(() => tracked.gone());
    };
  }

  #begin(exchange: Exchange): TrackedExchange {
    const harakiri = this.harakiri;
    let slot = -1;
    if (harakiri !== undefined) {
      const { method, target } = exchange.head;
      slot = harakiri.acquire(fdOf(exchange.socket ?? exchange.connection), method, target);
    }
    const tracked = new TrackedExchange(exchange, this, slot, this.#options.accessLog !== undefined);
    const newest = this.#newest;
    if (newest === undefined) this.#oldest = tracked;
    else {
      newest.next = tracked;
      tracked.prev = newest;
    }
    this.#newest = tracked;
    this.inFlight++;
    if (tracked.socket !== undefined) {
      // Told by the engine's own 'close' listener where it offers that (no listener per connection).
      if (exchange.watchClose !== undefined) exchange.watchClose(tracked);
      else tracked.socket.once('close', () => this.count(tracked));
    }
    return tracked;
  }

  /** The response of `tracked` ended, was aborted, or its client left. */
  ended(tracked: TrackedExchange): void {
    if (tracked.state !== RUNNING) return;
    tracked.state = ENDED;
    const { prev, next } = tracked;
    if (prev === undefined) this.#oldest = next;
    else prev.next = next;
    if (next === undefined) this.#newest = prev;
    else next.prev = prev;
    tracked.prev = tracked.next = undefined;
    this.inFlight--;
    if (tracked.slot >= 0) this.harakiri?.release(tracked.slot);
    if (tracked.socket === undefined) this.count(tracked);
  }

  /** Counts a finished request, logs it, and tells the worker (max-requests). */
  count(tracked: TrackedExchange): void {
    if (tracked.state === COUNTED) return;
    this.ended(tracked);
    tracked.state = COUNTED;
    const micros = (performance.now() - tracked.start) * 1000;
    const { accessLog, afterRequest, workerId } = this.#options;
    const requests = ++this.requests;
    this.runningTime += micros;
    if (accessLog === undefined) {
      this.tx += tracked.hsize + tracked.bodyBytes;
    } else {
      const rsize = tracked.bytesWritten - tracked.written;
      this.tx += rsize;
      const { method, target, protocol, rawHeaders, remoteAddress } = tracked.head;
      accessLog({
        method,
        uri: target,
        proto: protocol,
        status: tracked.status,
        addr: remoteAddress || '-',
        headers: headerRecord(rawHeaders),
        rsize,
        hsize: tracked.hsize,
        startMs: performance.timeOrigin + tracked.start,
        micros,
        pid: process.pid,
        wid: workerId,
      });
    }
    afterRequest?.(requests);
  }
}

/** The socket's file descriptor (the harakiri thread writes its 504 there), or -1. */
function fdOf(socket: Socket | undefined): number {
  return (socket as unknown as { _handle?: { fd?: number } } | undefined)?._handle?.fd ?? -1;
}

/** Flat `[name, value, ...]` headers as Node's `req.headers`: lower-cased, repeats joined. */
function headerRecord(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}
