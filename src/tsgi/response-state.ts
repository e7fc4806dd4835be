/**
 * The server side of one TSGI call, as far as it is the same for every server: the rules
 * of `startResponse` and `write`, the declared Content-Length, and closing the body exactly
 * once. The HTTP server and the fetch bridge extend it with how their bytes travel.
 *
 * @module
 */
import { hasCode, PorticoError } from './errors.ts';
import { assertValidHeaders } from './headers.ts';
import { logError } from './log.ts';
import { parseStatus } from './status.ts';
import { isPromiseLike } from './body.ts';
import type {
  BodyChunk,
  Environ,
  ErrorStream,
  ExcInfo,
  Header,
  ResponseBody,
  StartResponse,
  WriteFn,
} from './types.ts';

const DIGITS = /^[0-9]+$/;

// The last status line seen, with its code and reason: an application answers with the
// same few lines ("200 OK"), so the common case skips the parse and the reason's copy.
// Exact: parseStatus and the slice depend only on the string.
let lastStatus = '';
let lastCode = 0;
let lastReason = '';

/** The state of one response, from the application's first `startResponse` to `close()`. */
export class ResponseState {
  readonly environ: Environ;
  readonly errors: ErrorStream;
  /** The status code and reason phrase of the last `startResponse`. */
  status = 0;
  reason = '';
  /** The headers of the last `startResponse`, flat: `[name0, value0, name1, value1, ...]`. */
  headers: string[] = [];
  /** The Content-Length the application declared, or -1. */
  declaredLength = -1;
  startCalled = false;
  /** True once the status line left: from then on a failure can only abort. */
  headersSent = false;
  /** Body bytes handed to the wire so far. */
  bytesSent = 0;
  /** What the application returned, and its iterator once iteration started. */
  body: ResponseBody | undefined = undefined;
  iterator: Iterator<BodyChunk> | AsyncIterator<BodyChunk> | undefined = undefined;
  bodyClosed = false;
  /** The `startResponse` and `write` handed to the application. */
  readonly startResponse: StartResponse;
  readonly write: WriteFn;

  constructor(environ: Environ) {
    this.environ = environ;
    this.errors = environ['tsgi.errors'];
    this.startResponse = (status, headers, excInfo) => this.#start(status, headers, excInfo);
    this.write = (chunk) => {
      if (!this.startCalled) {
        throw new PorticoError('PORTICO_ERR_HEADERS_ALREADY_SET', 'write() called before startResponse');
      }
      this.writeChunk(chunk);
    };
  }

  /** What `write()` does with a chunk; each server sends or queues it. */
  protected writeChunk(_chunk: BodyChunk): void {}

  #start(status: string, headers: Header[], excInfo: ExcInfo): WriteFn {
    if (excInfo !== undefined && excInfo !== null) {
      // Too late to change the status: hand the application its own error back.
      if (this.headersSent) throw excInfo;
    } else if (this.startCalled) {
      throw new PorticoError(
        'PORTICO_ERR_HEADERS_ALREADY_SET',
        'startResponse called a second time without excInfo',
      );
    }
    let code: number;
    let reason: string;
    if (status === lastStatus && typeof status === 'string') {
      code = lastCode;
      reason = lastReason;
    } else {
      code = parseStatus(status);
      reason = status.slice(4);
      lastStatus = status;
      lastCode = code;
      lastReason = reason;
    }
    assertValidHeaders(headers);
    const flat: string[] = [];
    let declared = -1;
    // Indexed rather than destructured: this runs for every header of every response.
    for (let i = 0; i < headers.length; i++) {
      const pair = headers[i] as Header;
      const name = pair[0];
      const value = pair[1];
      if (name.length === 14 && name.toLowerCase() === 'content-length') {
        if (!DIGITS.test(value)) {
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
    this.reason = reason;
    this.headers = flat;
    this.declaredLength = declared;
    this.startCalled = true;
    return this.write;
  }

  /**
   * How many of the next `length` bytes may go out: all of them, or what is left under a
   * declared Content-Length. Never more than declared, since the surplus would be read as
   * the next response; an overrun is logged.
   */
  protected room(length: number): number {
    const declared = this.declaredLength;
    if (declared === -1 || this.bytesSent + length <= declared) return length;
    this.log(
      new PorticoError(
        'PORTICO_ERR_CONTENT_LENGTH_MISMATCH',
        `body longer than the declared Content-Length ${declared}; truncated`,
      ),
    );
    return declared - this.bytesSent;
  }

  /**
   * True (and logged) when the body ended short of its declared Content-Length: the server
   * must then close the connection so the client cannot take the body for complete. A
   * HEAD response carries no body, so it is never short.
   */
  protected endedShort(): boolean {
    const declared = this.declaredLength;
    if (declared === -1 || this.bytesSent >= declared || this.environ.REQUEST_METHOD === 'HEAD') return false;
    this.log(
      new PorticoError(
        'PORTICO_ERR_CONTENT_LENGTH_MISMATCH',
        `body of ${this.bytesSent} bytes is shorter than the declared Content-Length ${declared}; connection closed`,
      ),
    );
    return true;
  }

  /**
   * Calls the body's `close()` exactly once. `early` (the body was not exhausted) also
   * calls the iterator's `return()`, so a generator's `finally` blocks run.
   */
  closeBody(early: boolean): void {
    if (this.bodyClosed) return;
    this.bodyClosed = true;
    if (early) {
      try {
        this.#settle(this.iterator?.return?.());
      } catch (error) {
        this.log(error);
      }
    }
    const body = this.body;
    const close = body?.close;
    if (typeof close === 'function') {
      // Called in place, without a closure: this runs once per response.
      try {
        this.#settle(close.call(body));
      } catch (error) {
        this.log(error);
      }
    }
  }

  /** Logs the failure of what a `return()` or `close()` returned, if it is a promise. */
  #settle(result: unknown): void {
    if (isPromiseLike(result)) Promise.resolve(result).catch((error: unknown) => this.log(error));
  }

  /** Logs to `tsgi.errors` with this request's line. */
  log(error: unknown): void {
    logError(this.errors, error, this.environ);
  }

  /** Logs a failure that happened before the headers were sent (it becomes a 500). */
  logAppFailure(error: unknown): void {
    this.log(
      hasCode(error, 'PORTICO_ERR_APP_FAILED')
        ? error
        : new PorticoError('PORTICO_ERR_APP_FAILED', 'application error', { cause: error }),
    );
  }
}
