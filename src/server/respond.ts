/**
 * Running a TSGI application for one exchange: consuming its body into the engine with
 * backpressure, and the error rules of an HTTP server.
 *
 * The rules shared with every TSGI server (`startResponse`, `write`, Content-Length,
 * closing the body) live in {@link ResponseState}; what is added here: a failure before
 * the headers went out becomes a 500, a failure after aborts the connection (never a
 * second status line), and the client going away closes the body at once. A synchronous
 * application with an array body is served without allocating a promise.
 */
import { assertChunk, isPromiseLike } from '../tsgi/body.ts';
import { hasCode, PorticoError } from '../tsgi/errors.ts';
import { ResponseState } from '../tsgi/response-state.ts';
import type { Application, BodyChunk, Environ, ResponseBody } from '../tsgi/types.ts';
import type { Exchange } from './engine.ts';
import { sendPlainResponse } from './plain-response.ts';

type SyncIterator = Iterator<BodyChunk>;

// Node's native byte count; the portable chunkLength of tsgi/body.ts scans strings in JS.
function chunkLength(chunk: BodyChunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}
type AsyncBodyIterator = AsyncIterator<BodyChunk>;

/**
 * Runs `app` for one exchange; returns a promise only when something was asynchronous. The
 * promise never rejects: what fails is answered (500) or logged to `tsgi.errors` here, so a
 * server need not attach a handler of its own (one promise fewer per asynchronous request).
 */
export function respond(app: Application, environ: Environ, exchange: Exchange): void | Promise<void> {
  return new Responder(exchange, environ).run(app);
}

/** One response written to an engine's exchange. */
class Responder extends ResponseState {
  readonly exchange: Exchange;
  /** Set when the response can take no more bytes (declared length reached, client gone). */
  stopped = false;

  constructor(exchange: Exchange, environ: Environ) {
    super(environ);
    this.exchange = exchange;
  }

  protected override writeChunk(chunk: BodyChunk): void {
    this.#send(chunk);
  }

  run(app: Application): void | Promise<void> {
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = app(this.environ, this.startResponse);
    } catch (error) {
      return this.#fail(error);
    }
    if (isPromiseLike<ResponseBody>(result)) {
      return Promise.resolve(result).then(
        (body) => this.#guarded(body),
        (error: unknown) => this.#failGuarded(error),
      );
    }
    return this.#guarded(result);
  }

  /**
   * {@link #consume}, with what escapes it (a fault of this code, not the application's, which
   * is handled inside) logged instead of rejecting the promise {@link run} returns.
   */
  #guarded(body: ResponseBody): void | Promise<void> {
    let pending: void | Promise<void>;
    try {
      pending = this.#consume(body);
    } catch (error) {
      return this.log(error);
    }
    return pending === undefined ? undefined : pending.catch((error: unknown) => this.log(error));
  }

  #failGuarded(error: unknown): void {
    try {
      this.#fail(error);
    } catch (failure) {
      this.log(failure);
    }
  }

  #consume(body: ResponseBody): void | Promise<void> {
    this.body = body;
    if (Array.isArray(body)) return this.#consumeArray(body as BodyChunk[], 0);
    if (body === null || typeof body !== 'object' || ArrayBuffer.isView(body)) {
      return this.#fail(
        new PorticoError(
          'PORTICO_ERR_TSGI_VIOLATION',
          'the application must return an iterable of chunks (an array, a generator...), not a string, bytes or nothing',
        ),
      );
    }
    this.exchange.onAbort(() => {
      this.stopped = true;
      this.closeBody(true);
    });
    try {
      if (typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function') {
        const iterator = (body as Iterable<BodyChunk>)[Symbol.iterator]();
        this.iterator = iterator;
        return this.#pumpSync(iterator);
      }
      if (typeof (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator] === 'function') {
        const iterator = (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator]();
        this.iterator = iterator;
        return this.#pumpAsync(iterator);
      }
    } catch (error) {
      return this.#fail(error);
    }
    return this.#fail(new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'the response body is not iterable'));
  }

  /** The hot path: an array body. One chunk with no declared length goes out in one write. */
  #consumeArray(chunks: BodyChunk[], from: number): void | Promise<void> {
    try {
      if (chunks.length === 1 && !this.headersSent && this.startCalled && this.declaredLength === -1) {
        const chunk = chunks[0];
        assertChunk(chunk);
        const length = chunkLength(chunk);
        this.headers.push('Content-Length', String(length));
        this.headersSent = true;
        this.bytesSent = length;
        this.exchange.writeHead(this.status, this.reason, this.headers);
        this.exchange.end(chunk);
        this.closeBody(false);
        return;
      }
      for (let i = from; i < chunks.length && !this.stopped; i++) {
        if (!this.#send(chunks[i] as BodyChunk) && i < chunks.length - 1) {
          return this.exchange.drained().then(() => this.#consumeArray(chunks, i + 1));
        }
      }
    } catch (error) {
      return this.#fail(error);
    }
    this.#finish();
  }

  #pumpSync(iterator: SyncIterator): void | Promise<void> {
    try {
      while (!this.stopped) {
        const step = iterator.next();
        if (step.done) break;
        if (!this.#send(step.value) && !this.stopped) {
          return this.exchange.drained().then(() => this.#pumpSync(iterator));
        }
      }
    } catch (error) {
      return this.#fail(error);
    }
    this.#finish();
  }

  async #pumpAsync(iterator: AsyncBodyIterator): Promise<void> {
    try {
      while (!this.stopped) {
        const step = await iterator.next();
        if (step.done) break;
        if (!this.#send(step.value) && !this.stopped) await this.exchange.drained();
      }
    } catch (error) {
      return this.#fail(error);
    }
    this.#finish();
  }

  /** Sends one chunk; returns false when the caller should wait for the socket to drain. */
  #send(chunk: BodyChunk): boolean {
    assertChunk(chunk);
    const length = chunkLength(chunk);
    if (length === 0 || this.stopped) return true;
    if (!this.startCalled) {
      throw new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'the body produced a chunk before startResponse');
    }
    if (!this.headersSent) this.#sendHeaders();
    const room = this.room(length);
    this.bytesSent += room;
    if (room < length) {
      this.stopped = true;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      return this.exchange.write(bytes.subarray(0, room));
    }
    return this.exchange.write(chunk);
  }

  #sendHeaders(): void {
    this.headersSent = true;
    this.exchange.writeHead(this.status, this.reason, this.headers);
  }

  /** The body is over (exhausted, or stopped): end the response and close the body. */
  #finish(): void {
    const early = this.stopped;
    if (!this.exchange.aborted) {
      if (!this.startCalled) {
        this.#fail(
          new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'the application never called startResponse'),
        );
        return;
      }
      if (!this.headersSent) {
        // An empty body: say so, unless the status forbids a body or the request was HEAD
        // (where 0 would misstate the length of the GET body).
        const status = this.status;
        if (this.declaredLength === -1 && status !== 204 && status !== 304 && !this.exchange.isHead) {
          this.headers.push('Content-Length', '0');
        }
        this.#sendHeaders();
      }
      if (this.endedShort()) this.exchange.abort();
      else this.exchange.end();
    }
    this.closeBody(early);
  }

  /** A failure anywhere: a 500 (or the client's 4xx) while the headers are unsent, an abort after. */
  #fail(error: unknown): void {
    this.closeBody(true);
    if (this.exchange.aborted) {
      this.log(error);
      return;
    }
    if (this.headersSent) {
      this.log(
        new PorticoError('PORTICO_ERR_RESPONSE_ABORTED', 'application failed after the headers were sent', {
          cause: error,
        }),
      );
      this.exchange.abort();
      return;
    }
    this.headersSent = true;
    // A bad request body surfaces as the application's read failing: still the client's fault.
    if (hasCode(error, 'PORTICO_ERR_BODY_TOO_LARGE')) {
      this.log(error);
      sendPlainResponse(this.exchange, 413, 'Request body too large.', true);
    } else if (hasCode(error, 'PORTICO_ERR_BAD_REQUEST')) {
      this.log(error);
      sendPlainResponse(this.exchange, 400, 'Bad Request: malformed request body.', true);
    } else {
      this.logAppFailure(error);
      sendPlainResponse(this.exchange, 500, 'Internal Server Error');
    }
  }
}
