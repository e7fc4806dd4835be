/**
 * Per-request bookkeeping in a worker: counters for stats, the in-flight set (for the
 * current request, and for `Connection: close` while draining), harakiri slots, and the
 * access log. For HTTP it hooks in front of the `node:http` server's own `request`
 * listener; for uwsgi it wraps each exchange on its way to the handler. Either way the
 * server itself needs no knowledge of the app server.
 *
 * @module
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Exchange } from '../server/index.ts';
import type { AccessRecord } from './access-log.ts';
import type { HarakiriTable } from './harakiri.ts';
import type { CurrentRequest } from './messages.ts';

interface InFlight {
  /** The HTTP response (absent for uwsgi, whose connections always close). */
  res?: http.ServerResponse;
  method: string;
  uri: string;
  startMs: number;
}

/** What the tracker is told to do besides counting. */
export interface TrackerOptions {
  harakiri?: HarakiriTable;
  /** Called with each finished request when the access log is on. */
  accessLog?: (record: AccessRecord) => void;
  /** Called after each finished request, with the running count. */
  afterRequest?: (requests: number) => void;
  workerId: number;
}

/** Counts and follows the requests of one worker's HTTP server. */
export class RequestTracker {
  requests = 0;
  exceptions = 0;
  /** Microseconds spent serving, summed over requests. */
  runningTime = 0;
  tx = 0;
  readonly #inFlight = new Set<InFlight>();
  readonly #options: TrackerOptions;
  #draining = false;

  constructor(options: TrackerOptions) {
    this.#options = options;
  }

  /** Hooks into `server`, ahead of its other `request` listeners. */
  attach(server: http.Server): void {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => this.#track(req, res);
    server.prependListener('request', onRequest);
    server.prependListener('checkContinue', onRequest);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The oldest request in flight. */
  current(): CurrentRequest | null {
    const first = this.#inFlight.values().next();
    if (first.done) return null;
    const { method, uri, startMs } = first.value;
    return { method, uri, age_ms: Date.now() - startMs };
  }

  /**
   * From now on every response says `Connection: close` (including those in flight whose
   * headers have not gone out), so kept-alive clients move to another worker instead of
   * having an idle connection closed under them.
   */
  drain(): void {
    this.#draining = true;
    for (const { res } of this.#inFlight)
      if (res !== undefined && !res.headersSent) res.shouldKeepAlive = false;
  }

  /**
   * Follows one uwsgi exchange: returns a stand-in to hand to the exchange handler, which
   * notes the status and when the response ends. The request counts once its connection
   * closes (a uwsgi connection carries exactly one request), so `tx` includes every byte.
   */
  trackExchange(exchange: Exchange): Exchange {
    const socket = exchange.socket;
    const { method, target: uri, protocol, rawHeaders, remoteAddress } = exchange.head;
    const startMs = Date.now();
    const start = performance.now();
    const written = socket?.bytesWritten ?? 0;
    const entry: InFlight = { method, uri, startMs };
    this.#inFlight.add(entry);
    const { harakiri } = this.#options;
    const slot = harakiri === undefined ? -1 : harakiri.acquire(fdOf(socket), method, uri);
    let status = 0;
    let hsize = 0;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.#inFlight.delete(entry);
      harakiri?.release(slot);
    };
    let counted = false;
    const count = () => {
      end();
      if (counted) return;
      counted = true;
      this.#finished({
        method,
        uri,
        proto: protocol,
        status,
        addr: remoteAddress || '-',
        headers: this.#options.accessLog === undefined ? {} : headerRecord(rawHeaders),
        rsize: (socket?.bytesWritten ?? 0) - written,
        hsize,
        startMs,
        micros: (performance.now() - start) * 1000,
      });
    };
    if (socket === undefined) exchange.onAbort(count);
    else socket.once('close', count);
    return {
      head: exchange.head,
      socket,
      get body() {
        return exchange.body;
      },
      get rawTrailers() {
        return exchange.rawTrailers;
      },
      get expectsContinue() {
        return exchange.expectsContinue;
      },
      get isHead() {
        return exchange.isHead;
      },
      get aborted() {
        return exchange.aborted;
      },
      sendContinue: () => exchange.sendContinue(),
      writeHead(code, reason, fields) {
        status = code;
        harakiri?.markHeadersSent(slot);
        // `HTTP/1.1 200 reason` CRLF, each `name: value` CRLF, and the blank line.
        hsize = 17 + reason.length;
        for (let i = 0; i < fields.length; i += 2)
          hsize += (fields[i] as string).length + (fields[i + 1] as string).length + 4;
        exchange.writeHead(code, reason, fields);
      },
      write: (chunk) => exchange.write(chunk),
      drained: () => exchange.drained(),
      end(chunk) {
        exchange.end(chunk);
        if (socket === undefined) count();
        else end();
      },
      abort() {
        exchange.abort();
        if (socket === undefined) count();
        else end();
      },
      onAbort: (callback) => exchange.onAbort(callback),
    };
  }

  #track(req: http.IncomingMessage, res: http.ServerResponse): void {
    const startMs = Date.now();
    const start = performance.now();
    const socket = req.socket;
    const written = socket.bytesWritten;
    const method = req.method ?? '';
    const uri = req.url ?? '';
    const entry: InFlight = { res, method, uri, startMs };
    this.#inFlight.add(entry);
    if (this.#draining) res.shouldKeepAlive = false;
    const { harakiri } = this.#options;
    let slot = -1;
    if (harakiri !== undefined) {
      slot = harakiri.acquire(fdOf(socket), method, uri);
      if (slot >= 0) {
        const writeHead = res.writeHead;
        res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
          harakiri.markHeadersSent(slot);
          return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
        } as typeof res.writeHead;
      }
    }
    res.once('close', () => {
      this.#inFlight.delete(entry);
      harakiri?.release(slot);
      const head = (res as unknown as { _header?: string | null })._header;
      this.#finished({
        method,
        uri,
        proto: `HTTP/${req.httpVersion}`,
        status: res.statusCode,
        addr: socket.remoteAddress ?? '-',
        headers: req.headers,
        rsize: socket.bytesWritten - written,
        hsize: typeof head === 'string' ? Buffer.byteLength(head, 'latin1') : 0,
        startMs,
        micros: (performance.now() - start) * 1000,
      });
    });
  }

  /** Counts a finished request, logs it, and tells the worker (max-requests). */
  #finished(record: Omit<AccessRecord, 'pid' | 'wid'>): void {
    const { accessLog, afterRequest, workerId } = this.#options;
    this.requests++;
    this.runningTime += record.micros;
    this.tx += record.rsize;
    accessLog?.({ ...record, pid: process.pid, wid: workerId });
    afterRequest?.(this.requests);
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
