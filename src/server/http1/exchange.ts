/**
 * One request and its response on an HTTP/1.1 connection, as an {@link Exchange}.
 *
 * The response framing is decided when the head is written: the application's
 * Content-Length when it gave one; otherwise the chunked coding for an HTTP/1.1 client,
 * or the end of the connection for HTTP/1.0. HEAD, 1xx, 204 and 304 responses carry no
 * body. The head waits for the first body bytes so that a small response leaves in one
 * write (one system call, one TCP segment).
 *
 * @module
 */
import type { Socket } from 'node:net';
import type { Exchange, RequestHead } from '../engine.ts';
import { httpDate } from '../date.ts';
import { hasToken, type ParsedHead } from './head.ts';
import { whenDrained } from '../drained.ts';
import type { PassOutput } from '../write-batch.ts';

/** What an exchange needs from its connection. */
export interface ExchangeHost {
  readonly socket: Socket;
  /** The connection's output: what this pass of the event loop wrote, sent at its end. */
  readonly output: PassOutput;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** True while the request body is still arriving. */
  readonly bodyPending: boolean;
  /** True when the server is shutting down: every response closes its connection. */
  readonly draining: boolean;
  /** The response is complete; `keepAlive` says whether the connection may carry another. */
  responseDone(exchange: Http1Exchange, keepAlive: boolean): void;
  /** The response was cut short on purpose: the connection must close. */
  responseAborted(exchange: Http1Exchange): void;
}

const HEAD_PENDING = 0;
const HEAD_SENT = 1;
const ENDED = 2;
const ABORTED = 3;

// Small bodies are copied next to the head and sent in one write; larger ones are
// written beside it (a vectored write) rather than copied.
const COPY_LIMIT = 16 * 1024;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const NON_ASCII = /[\u0080-\uffff]/;
const NO_TRAILERS: readonly string[] = Object.freeze([]);

/** One request/response pair; it is its own {@link RequestHead}. */
export class Http1Exchange implements Exchange, RequestHead {
  readonly method: string;
  readonly target: string;
  readonly protocol: string;
  readonly rawHeaders: readonly string[];
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly body: AsyncIterable<Uint8Array>;
  readonly expectsContinue: boolean;
  readonly isHead: boolean;
  /** Set by the connection once a chunked body's trailer section has been read. */
  rawTrailers: readonly string[] = NO_TRAILERS;
  /** Whether the connection may carry another request after this one (the connection lowers it). */
  keepAlive: boolean;
  readonly #host: ExchangeHost;
  #state = HEAD_PENDING;
  #head: string | undefined;
  #headAscii = true;
  #chunked = false;
  #bodiless = false;
  #continued = false;
  #onAbort: (() => void)[] | undefined;

  constructor(host: ExchangeHost, head: ParsedHead, body: AsyncIterable<Uint8Array>, keepAlive: boolean) {
    this.#host = host;
    this.method = head.method;
    this.target = head.target;
    this.protocol = head.protocol;
    this.rawHeaders = head.rawHeaders;
    this.remoteAddress = host.remoteAddress;
    this.remotePort = host.remotePort;
    this.localAddress = host.localAddress;
    this.localPort = host.localPort;
    this.body = body;
    this.expectsContinue = head.expectsContinue;
    this.isHead = head.method === 'HEAD';
    this.keepAlive = keepAlive;
  }

  get head(): RequestHead {
    return this;
  }
  get secure(): boolean {
    return false;
  }
  /** The connection this exchange travels on (shared with the exchanges before and after it). */
  get connection(): Socket {
    return this.#host.socket;
  }
  /** Bytes written to the connection so far, those held for the end of the pass included. */
  get connectionBytesWritten(): number {
    return this.#host.output.bytesWritten;
  }
  get aborted(): boolean {
    return this.#state === ABORTED || (this.#state !== ENDED && this.#host.socket.destroyed);
  }

  sendContinue(): void {
    if (this.#continued || this.#state !== HEAD_PENDING || this.#head !== undefined) return;
    if (!this.#host.bodyPending) return;
    this.#continued = true;
    // After what the connection holds (an earlier response of this pass), and at once: the
    // client waits for it before it sends the body.
    const output = this.#host.output;
    output.write(CONTINUE, CONTINUE.length);
    output.flush();
  }

  writeHead(status: number, reason: string, headers: string[]): void {
    if (this.#state !== HEAD_PENDING || this.#head !== undefined) return;
    let head = `HTTP/1.1 ${status} ${reason}\r\n`;
    let hasLength = false;
    let hasDate = false;
    let close = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1] as string;
      head += `${name}: ${value}\r\n`;
      // The few fields the framing depends on, found by length first.
      const length = name.length;
      if (length === 14) hasLength ||= name.toLowerCase() === 'content-length';
      else if (length === 10) close ||= name.toLowerCase() === 'connection' && hasToken(value, 'close');
      else if (length === 4) hasDate ||= name.toLowerCase() === 'date';
    }
    this.#bodiless = this.isHead || status === 204 || status === 304 || status < 200;
    let keepAlive = this.keepAlive && !close && !this.#host.draining;
    if (!hasLength && !this.#bodiless) {
      if (this.protocol === 'HTTP/1.0') keepAlive = false;
      else {
        this.#chunked = true;
        head += 'Transfer-Encoding: chunked\r\n';
      }
    }
    // A client waiting for 100 Continue that never came may or may not send its body:
    // the connection's next bytes cannot be trusted to start a request.
    if (this.expectsContinue && !this.#continued && this.#host.bodyPending) keepAlive = false;
    if (!hasDate) head += `Date: ${httpDate()}\r\n`;
    if (!keepAlive && !close) head += 'Connection: close\r\n';
    else if (keepAlive && this.protocol === 'HTTP/1.0') head += 'Connection: keep-alive\r\n';
    this.keepAlive = keepAlive;
    this.#head = `${head}\r\n`;
    this.#headAscii = !NON_ASCII.test(head);
  }

  write(chunk: Uint8Array | string): boolean {
    if (this.#state >= ENDED) return true;
    return this.#emit(chunk, false);
  }

  drained(): Promise<void> {
    return whenDrained(this.#host.socket);
  }

  end(chunk?: Uint8Array | string): void {
    if (this.#state >= ENDED) return;
    this.#emit(chunk, true);
    if (this.#state === ABORTED) return;
    this.#state = ENDED;
    this.#host.responseDone(this, this.keepAlive);
  }

  abort(): void {
    if (this.#state >= ENDED) return;
    // Whatever the client is owed goes out; the connection then closes without the
    // rest (or the terminating chunk), so the client sees a truncated body.
    if (this.#head !== undefined) this.#emit(undefined, false);
    this.#state = ABORTED;
    this.#host.responseAborted(this);
  }

  onAbort(callback: () => void): void {
    (this.#onAbort ??= []).push(callback);
  }

  /** The client went away before the response ended (called by the connection). */
  clientGone(): void {
    if (this.#state >= ENDED) return;
    this.#state = ABORTED;
    const callbacks = this.#onAbort;
    this.#onAbort = undefined;
    if (callbacks !== undefined) for (const callback of callbacks) callback();
  }

  /**
   * Sends the pending head (if any), one body chunk in its framing (if any), and after
   * the last chunk the chunked terminator, in as few writes as possible.
   */
  #emit(chunk: Uint8Array | string | undefined, last: boolean): boolean {
    const socket = this.#host.socket;
    let prefix = '';
    let ascii = true;
    if (this.#head !== undefined) {
      prefix = this.#head;
      ascii = this.#headAscii;
      this.#head = undefined;
      this.#state = HEAD_SENT;
    }
    let data = this.#bodiless ? undefined : chunk;
    let length = 0;
    if (data !== undefined) {
      length = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      if (length === 0) data = undefined;
    }
    let suffix = '';
    if (this.#chunked) {
      if (data !== undefined) {
        prefix += `${length.toString(16)}\r\n`;
        suffix = '\r\n';
      }
      if (last) suffix += '0\r\n\r\n';
    }
    if (socket.destroyed) {
      // Gone before its 'close' event: stop the body now, or a producer that is never
      // told could spin on writes that each report a full buffer.
      this.clientGone();
      return true;
    }
    const output = this.#host.output;
    if (data === undefined) {
      const text = prefix + suffix;
      if (text.length === 0) return output.ready;
      // Held strings go out as UTF-8: a head with obs-text (bytes 0x80-0xff) goes as its bytes.
      return output.write(ascii ? text : Buffer.from(text, 'latin1'), text.length);
    }
    // The head and framing are ASCII: their lengths are their byte counts.
    if (typeof data === 'string' && ascii) {
      return output.write(prefix + data + suffix, prefix.length + length + suffix.length);
    }
    if (length <= COPY_LIMIT) {
      const out = Buffer.allocUnsafe(prefix.length + length + suffix.length);
      out.write(prefix, 0, 'latin1');
      if (typeof data === 'string') out.write(data, prefix.length, 'utf8');
      else out.set(data, prefix.length);
      if (suffix.length > 0) out.write(suffix, prefix.length + length, 'latin1');
      return output.write(out, out.length);
    }
    // A large chunk is sent at once, after what is held (the prefix with it), not copied;
    // the suffix waits for the pass (with the next chunk's prefix, when one comes).
    if (prefix.length > 0) output.write(Buffer.from(prefix, 'latin1'), prefix.length);
    let ok = output.write(data, length);
    if (suffix.length > 0) ok = output.write(suffix, suffix.length);
    return ok;
  }
}
