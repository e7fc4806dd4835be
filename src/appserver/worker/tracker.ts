/**
 * Per-request bookkeeping in a worker: counters for stats, the in-flight set (for the
 * current request, and for `Connection: close` while draining), harakiri slots, and the
 * access log. It wraps each exchange (HTTP or uwsgi) on its way to the handler, so the
 * server itself needs no knowledge of the app server.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Exchange } from '../../server/index.ts';
import type { AccessRecord } from '../logging/access-log.ts';
import type { HarakiriTable } from '../harakiri/table.ts';
import type { CurrentRequest } from '../messages.ts';

interface InFlight {
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

  constructor(options: TrackerOptions) {
    this.#options = options;
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
   * Follows one exchange: returns a stand-in to hand to the exchange handler, which notes
   * the status and when the response ends. A uwsgi request counts once its connection
   * closes (it carries exactly one request), so `tx` includes every byte; an HTTP request
   * counts when its response ends, its connection kept alive for the next.
   */
  trackExchange(exchange: Exchange): Exchange {
    const socket = exchange.socket;
    const connection = socket ?? exchange.connection;
    const { method, target: uri, protocol, rawHeaders, remoteAddress } = exchange.head;
    const startMs = Date.now();
    const start = performance.now();
    const written = connection?.bytesWritten ?? 0;
    const entry: InFlight = { method, uri, startMs };
    this.#inFlight.add(entry);
    const { harakiri } = this.#options;
    const slot = harakiri === undefined ? -1 : harakiri.acquire(fdOf(connection), method, uri);
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
        rsize: (connection?.bytesWritten ?? 0) - written,
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
      connection,
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
