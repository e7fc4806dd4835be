/**
 * Per-request bookkeeping in a worker, on the `node:http` server's events: counters for
 * stats, the in-flight set (for the current request, and for `Connection: close` while
 * draining), harakiri slots, and the access log. It hooks in front of the TSGI server's
 * own `request` listener, so the server itself needs no knowledge of the app server.
 *
 * @module
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AccessRecord } from './access-log.ts';
import type { HarakiriTable } from './harakiri.ts';
import type { CurrentRequest } from './messages.ts';

interface InFlight {
  res: http.ServerResponse;
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
    for (const { res } of this.#inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
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
    const { harakiri, accessLog, afterRequest, workerId } = this.#options;
    let slot = -1;
    if (harakiri !== undefined) {
      const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
      slot = harakiri.acquire(fd, method, uri);
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
      const micros = (performance.now() - start) * 1000;
      const rsize = socket.bytesWritten - written;
      this.requests++;
      this.runningTime += micros;
      this.tx += rsize;
      if (accessLog !== undefined) {
        const head = (res as unknown as { _header?: string | null })._header;
        accessLog({
          method,
          uri,
          proto: `HTTP/${req.httpVersion}`,
          status: res.statusCode,
          addr: socket.remoteAddress ?? '-',
          headers: req.headers,
          rsize,
          hsize: typeof head === 'string' ? Buffer.byteLength(head, 'latin1') : 0,
          startMs,
          micros,
          pid: process.pid,
          wid: workerId,
        });
      }
      afterRequest?.(this.requests);
    });
  }
}
