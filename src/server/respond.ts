/**
 * Running a TSGI application for one exchange: `startResponse`, `write`, consuming the
 * body, and the error rules.
 *
 * The rules, from `docs/tsgi.md`: headers are stored by `startResponse` and sent with the
 * first non-empty chunk (or at the end of an empty body); a failure before that becomes
 * a 500, a failure after it aborts the connection (never a second status line); the
 * body's `close()` is called exactly once on every path. A synchronous application with
 * an array body is served without allocating a promise.
 */
import { hasCode, PorticoError } from '../tsgi/errors.ts';
import { assertValidHeaders } from '../tsgi/headers.ts';
import { parseStatus } from '../tsgi/status.ts';
import type {
  Application,
  BodyChunk,
  Environ,
  ErrorStream,
  ExcInfo,
  Header,
  ResponseBody,
  WriteFn,
} from '../tsgi/types.ts';
import type { Exchange } from './engine.ts';
import { logError } from './error-log.ts';
import { sendPlainResponse } from './plain-response.ts';

type SyncIterator = Iterator<BodyChunk>;
type AsyncBodyIterator = AsyncIterator<BodyChunk>;

function isPromise<T>(value: unknown): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function byteLength(chunk: BodyChunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

/** Runs `app` for one exchange; returns a promise only when something was asynchronous. */
export function respond(app: Application, environ: Environ, exchange: Exchange): void | Promise<void> {
  return new Responder(exchange, environ).run(app);
}

/** The per-request state of one response. */
class Responder {
  readonly exchange: Exchange;
  readonly environ: Environ;
  readonly errors: ErrorStream;
  status = 0;
  reason = '';
  headers: string[] = [];
  /** Content-Length the application declared, or -1. */
  declaredLength = -1;
  startCalled = false;
  headersSent = false;
  bytesSent = 0;
  /** Set when the response cannot take more bytes (declared length reached, client gone). */
  stopped = false;
  body: ResponseBody | undefined;
  bodyClosed = false;
  readonly startResponse: (status: string, headers: Header[], excInfo?: ExcInfo) => WriteFn;
  readonly write: WriteFn;

  constructor(exchange: Exchange, environ: Environ) {
    this.exchange = exchange;
    this.environ = environ;
    this.errors = environ['tsgi.errors'];
    this.startResponse = (status, headers, excInfo) => this.#start(status, headers, excInfo);
    this.write = (chunk) => {
      if (!this.startCalled) {
        throw new PorticoError('PORTICO_ERR_HEADERS_ALREADY_SET', 'write() called before start_response');
      }
      this.#send(chunk);
    };
  }

  run(app: Application): void | Promise<void> {
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = app(this.environ, this.startResponse);
    } catch (error) {
      return this.#fail(error);
    }
    if (isPromise<ResponseBody>(result)) {
      return result.then(
        (body) => this.#consume(body),
        (error: unknown) => this.#fail(error),
      );
    }
    return this.#consume(result);
  }

  #start(status: string, headers: Header[], excInfo: ExcInfo): WriteFn {
    if (excInfo !== undefined && excInfo !== null) {
      // Too late to change the status: hand the application its own error back.
      if (this.headersSent) throw excInfo;
    } else if (this.startCalled) {
      throw new PorticoError(
        'PORTICO_ERR_HEADERS_ALREADY_SET',
        'start_response called a second time without excInfo',
      );
    }
    const code = parseStatus(status);
    assertValidHeaders(headers);
    const flat: string[] = [];
    let declared = -1;
    for (const [name, value] of headers) {
      if (name.length === 14 && name.toLowerCase() === 'content-length') {
        if (!/^\d+$/.test(value)) {
          throw new PorticoError(
            'PORTICO_ERR_INVALID_HEADER',
            `Content-Length ${JSON.stringify(value)} is not a number`,
          );
        }
        declared = Number(value);
      }
      flat.push(name, value);
    }
    this.status = code;
    this.reason = status.slice(4);
    this.headers = flat;
    this.declaredLength = declared;
    this.startCalled = true;
    return this.write;
  }

  #consume(body: ResponseBody): void | Promise<void> {
    this.body = body;
    if (Array.isArray(body)) return this.#consumeArray(body as BodyChunk[]);
    if (body === null || typeof body !== 'object' || body instanceof Uint8Array) {
      return this.#fail(
        new PorticoError(
          'PORTICO_ERR_TSGI_VIOLATION',
          'the application must return an iterable of chunks (an array, a generator...), not a string, bytes or nothing',
        ),
      );
    }
    this.exchange.onAbort(() => {
      this.stopped = true;
      this.#closeBody();
    });
    if (typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function') {
      let iterator: SyncIterator;
      try {
        iterator = (body as Iterable<BodyChunk>)[Symbol.iterator]();
      } catch (error) {
        return this.#fail(error);
      }
      return this.#pumpSync(iterator);
    }
    if (typeof (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator] === 'function') {
      return this.#pumpAsync((body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator]());
    }
    return this.#fail(new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'the response body is not iterable'));
  }

  /** The hot path: an array body. One chunk with no declared length gets a Content-Length. */
  #consumeArray(chunks: BodyChunk[]): void | Promise<void> {
    try {
      if (chunks.length === 1 && !this.headersSent && this.startCalled && this.declaredLength === -1) {
        const chunk = chunks[0] as BodyChunk;
        checkChunk(chunk);
        this.headers.push('Content-Length', String(byteLength(chunk)));
        this.headersSent = true;
        this.exchange.writeHead(this.status, this.reason, this.headers);
        this.bytesSent = byteLength(chunk);
        this.exchange.end(chunk);
        this.#closeBody();
        return;
      }
      for (let i = 0; i < chunks.length && !this.stopped; i++) {
        if (!this.#send(chunks[i] as BodyChunk) && i < chunks.length - 1) {
          return this.exchange.drained().then(() => this.#consumeArray(chunks.slice(i + 1)));
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
      if (this.stopped) iterator.return?.();
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
      if (this.stopped) await iterator.return?.();
    } catch (error) {
      return this.#fail(error);
    }
    this.#finish();
  }

  /** Sends one chunk; returns false when the caller should wait for the socket to drain. */
  #send(chunk: BodyChunk): boolean {
    checkChunk(chunk);
    let length = byteLength(chunk);
    if (length === 0 || this.stopped) return true;
    if (!this.startCalled) {
      throw new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'the body produced a chunk before start_response');
    }
    if (!this.headersSent) this.#sendHeaders();
    if (this.declaredLength !== -1 && this.bytesSent + length > this.declaredLength) {
      // Never send more than declared: the surplus would be read as the next response.
      const room = this.declaredLength - this.bytesSent;
      chunk = Buffer.from(typeof chunk === 'string' ? Buffer.from(chunk) : chunk).subarray(0, room);
      length = room;
      this.stopped = true;
      this.#log(
        new PorticoError(
          'PORTICO_ERR_CONTENT_LENGTH_MISMATCH',
          `body longer than the declared Content-Length ${this.declaredLength}; truncated`,
        ),
      );
    }
    this.bytesSent += length;
    return this.exchange.write(chunk);
  }

  #sendHeaders(): void {
    this.headersSent = true;
    this.exchange.writeHead(this.status, this.reason, this.headers);
  }

  #finish(): void {
    if (!this.exchange.aborted) {
      if (!this.startCalled) {
        this.#closeBody();
        this.#fail(
          new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'the application never called start_response'),
        );
        return;
      }
      if (!this.headersSent) {
        // An empty body: say so, unless the status forbids a body or the app declared a length (HEAD).
        if (this.declaredLength === -1 && this.status !== 204 && this.status !== 304 && this.status >= 200) {
          this.headers.push('Content-Length', '0');
        }
        this.#sendHeaders();
      }
      if (this.declaredLength !== -1 && this.bytesSent < this.declaredLength && !this.exchange.isHead) {
        this.#log(
          new PorticoError(
            'PORTICO_ERR_CONTENT_LENGTH_MISMATCH',
            `body of ${this.bytesSent} bytes is shorter than the declared Content-Length ${this.declaredLength}; connection closed`,
          ),
        );
        this.exchange.abort();
      } else {
        this.exchange.end();
      }
    }
    this.#closeBody();
  }

  /** A failure anywhere: a 500 (or 413) while the headers are unsent, an abort after. */
  #fail(error: unknown): void {
    this.#closeBody();
    if (this.exchange.aborted) {
      this.#log(error);
      return;
    }
    if (this.headersSent) {
      this.#log(
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
      this.#log(error);
      sendPlainResponse(this.exchange, 413, 'Request body too large.', true);
      return;
    }
    if (hasCode(error, 'PORTICO_ERR_BAD_REQUEST')) {
      this.#log(error);
      sendPlainResponse(this.exchange, 400, 'Bad Request: malformed request body.', true);
      return;
    }
    this.#log(
      hasCode(error, 'PORTICO_ERR_APP_FAILED')
        ? error
        : new PorticoError('PORTICO_ERR_APP_FAILED', 'application error', { cause: error }),
    );
    sendPlainResponse(this.exchange, 500, 'Internal Server Error');
  }

  #closeBody(): void {
    if (this.bodyClosed) return;
    this.bodyClosed = true;
    const close = this.body?.close;
    if (typeof close !== 'function') return;
    try {
      const result = close.call(this.body);
      if (isPromise(result)) result.catch((error: unknown) => this.#log(error));
    } catch (error) {
      this.#log(error);
    }
  }

  #log(error: unknown): void {
    logError(this.errors, error, this.environ);
  }
}

function checkChunk(chunk: unknown): void {
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    throw new PorticoError(
      'PORTICO_ERR_TSGI_VIOLATION',
      `a body chunk must be a string or Uint8Array, got ${typeof chunk}`,
    );
  }
}
