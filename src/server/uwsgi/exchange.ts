/**
 * One uwsgi request and its response, as an {@link Exchange}: the body is read off the
 * socket up to `CONTENT_LENGTH`, the response goes back as raw HTTP/1.1 bytes.
 *
 * The response is never chunked: nginx's uwsgi module copies the bytes through without
 * de-chunking, so chunk framing would reach the client as body. A response carries the
 * application's Content-Length or ends when the connection closes, which it always does:
 * a uwsgi connection serves exactly one request.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';
import type { CloseWatcher, Exchange, RequestHead } from '../engine.ts';
import { whenDrained } from '../drained.ts';
import { endAndLinger } from '../linger.ts';

/** The request body: the bytes after the vars block, then the socket, bounded by the declared length. */
class UwsgiBody implements AsyncIterable<Uint8Array> {
  readonly #exchange: UwsgiExchange;
  readonly #socket: Socket;
  readonly #length: number;
  readonly #timeoutMs: number;
  #rest: Buffer;
  #remaining: number;
  #wake: (() => void) | undefined;

  constructor(exchange: UwsgiExchange, socket: Socket, length: number, rest: Buffer, timeoutMs: number) {
    this.#exchange = exchange;
    this.#socket = socket;
    this.#length = length;
    this.#timeoutMs = timeoutMs;
    // Bytes past CONTENT_LENGTH would belong to no request: a uwsgi connection carries one.
    this.#rest = rest.subarray(0, length);
    this.#remaining = length - this.#rest.length;
  }

  /** True once every declared byte has been handed out or is already in hand. */
  get complete(): boolean {
    return this.#remaining === 0;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#rest.length > 0) {
      const first = this.#rest;
      this.#rest = Buffer.alloc(0);
      yield first;
    }
    if (this.#remaining === 0) return;
    const socket = this.#socket;
    const wake = () => this.#wake?.();
    socket.on('readable', wake);
    socket.on('end', wake);
    socket.on('close', wake);
    try {
      while (this.#remaining > 0) {
        const chunk = socket.destroyed ? null : (socket.read() as Buffer | null);
        if (chunk === null) {
          if (socket.readableEnded || socket.destroyed) throw this.#truncated();
          await this.#wait();
          continue;
        }
        const part = chunk.length > this.#remaining ? chunk.subarray(0, this.#remaining) : chunk;
        this.#remaining -= part.length;
        yield part;
      }
    } finally {
      socket.off('readable', wake);
      socket.off('end', wake);
      socket.off('close', wake);
    }
    this.#exchange.bodyDone();
  }

  #wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        reject(
          new PorticoError(
            'PORTICO_ERR_REQUEST_TIMEOUT',
            `no request body bytes for ${this.#timeoutMs / 1000} s (${this.#length - this.#remaining} of ${this.#length} received)`,
          ),
        );
      }, this.#timeoutMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #truncated(): PorticoError {
    return new PorticoError(
      'PORTICO_ERR_UWSGI_PROTOCOL',
      `request body cut short: ${this.#length - this.#remaining} of ${this.#length} bytes (CONTENT_LENGTH) received`,
    );
  }
}

/** True when `text` is all ASCII (a loop over flat strings: cheaper here than a regex over the joined head). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The last response head made, and what it was made from: an application answers with the
 * same status and headers again and again (only a Content-Length may differ), and comparing
 * them costs a fraction of building the head anew. Exact: the head depends on nothing else.
 */
const lastHead = { status: 0, reason: '', headers: [] as string[], text: '', ascii: true };

function sameHead(status: number, reason: string, headers: readonly string[]): boolean {
  const last = lastHead;
  if (status !== last.status || reason !== last.reason || headers.length !== last.headers.length) {
    return false;
  }
  for (let i = 0; i < headers.length; i++) if (headers[i] !== last.headers[i]) return false;
  return true;
}

/** Builds the head for `status`, `reason`, `headers` into {@link lastHead}. */
function makeHead(status: number, reason: string, headers: readonly string[]): void {
  let text = `HTTP/1.1 ${status} ${reason}\r\n`;
  let ascii = isAscii(reason);
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    text += `${name}: ${value}\r\n`;
    if (ascii) ascii = isAscii(name) && isAscii(value);
  }
  lastHead.status = status;
  lastHead.reason = reason;
  lastHead.headers = headers.slice();
  lastHead.text = `${text}\r\n`;
  lastHead.ascii = ascii;
}

/** The held head once written. */
const SENT = '';

/** An {@link Exchange} over one uwsgi connection. */
export class UwsgiExchange implements Exchange {
  readonly head: RequestHead;
  readonly rawTrailers: readonly string[] = [];
  // nginx answers `Expect: 100-continue` itself before it forwards anything.
  readonly expectsContinue = false;
  readonly isHead: boolean;
  readonly socket: Socket;
  readonly #socket: Socket;
  readonly #tcp: boolean;
  /** Set once the response was ended or aborted: nothing more goes out. */
  #done = false;
  #ended = false;
  /** HEAD, 1xx, 204 and 304 responses have no body, whatever the application yields. */
  #bodyless = false;
  /** The response head, held until the first body bytes; {@link SENT} once written. */
  #head: string | undefined = undefined;
  #headAscii = true;
  #closeWatcher: CloseWatcher | undefined = undefined;
  /** The body reader, made when the application first asks for it. */
  #body: UwsgiBody | undefined = undefined;
  readonly #contentLength: number;
  readonly #rest: Buffer;
  readonly #bodyTimeoutMs: number;

  /**
   * @param socket - the connection, paused, with the packet already read off it.
   * @param rest - bytes that arrived after the vars block: the start of the body.
   * @param bodyTimeoutMs - longest wait for the next body bytes.
   */
  constructor(
    socket: Socket,
    head: RequestHead,
    contentLength: number,
    rest: Buffer,
    bodyTimeoutMs: number,
    tcp: boolean,
  ) {
    this.socket = socket;
    this.#socket = socket;
    this.#tcp = tcp;
    this.head = head;
    this.isHead = head.method === 'HEAD';
    this.#contentLength = contentLength;
    this.#rest = rest;
    this.#bodyTimeoutMs = bodyTimeoutMs;
    if (rest.length >= contentLength) this.bodyDone();
  }

  get body(): UwsgiBody {
    return (this.#body ??= new UwsgiBody(
      this,
      this.#socket,
      this.#contentLength,
      this.#rest,
      this.#bodyTimeoutMs,
    ));
  }

  /** True once every declared body byte has been read or is in hand. */
  get #bodyComplete(): boolean {
    const body = this.#body;
    return body === undefined ? this.#rest.length >= this.#contentLength : body.complete;
  }

  get aborted(): boolean {
    return this.#socket.destroyed && !this.#ended;
  }

  /**
   * Called once the whole body is in hand: from then on the socket is read and the bytes
   * discarded, so that the peer closing (nginx dropping a request whose client left) is
   * seen at once, as on an HTTP connection.
   */
  bodyDone(): void {
    const socket = this.#socket;
    // A flowing socket with no 'data' listener reads and drops what comes: no listener
    // needed. The usual case (a request without a body, or with all of it in the first
    // read) was never paused, and costs nothing here.
    if (socket.destroyed || socket.readableFlowing === true) return;
    socket.resume();
  }

  sendContinue(): void {}

  writeHead(status: number, reason: string, headers: string[]): void {
    if (this.#done || this.#head !== undefined || !this.#socket.writable) return;
    this.#bodyless = this.isHead || status < 200 || status === 204 || status === 304;
    if (!sameHead(status, reason, headers)) makeHead(status, reason, headers);
    // Held until the first body bytes (or the end), so that a small response leaves in
    // one write, as on the HTTP engine.
    this.#head = lastHead.text;
    this.#headAscii = lastHead.ascii;
  }

  write(chunk: Uint8Array | string): boolean {
    if (this.#done || !this.#socket.writable) return true;
    if (this.#bodyless) {
      this.#flushHead();
      return true;
    }
    return this.#send(chunk);
  }

  /** Writes the held head, if any, on its own. */
  #flushHead(): void {
    const head = this.#head;
    if (head === undefined || head === SENT) return;
    this.#head = SENT;
    this.#socket.write(head, 'latin1');
  }

  /** Writes `chunk`, with the held head in front of it when there is one. */
  #send(chunk: Uint8Array | string): boolean {
    const socket = this.#socket;
    const head = this.#head;
    if (head === undefined || head === SENT) return socket.write(chunk);
    this.#head = SENT;
    if (typeof chunk === 'string' && this.#headAscii) return socket.write(head + chunk);
    socket.cork();
    socket.write(head, 'latin1');
    const ok = socket.write(chunk);
    socket.uncork();
    return ok;
  }

  drained(): Promise<void> {
    return whenDrained(this.#socket);
  }

  end(chunk?: Uint8Array | string): void {
    if (this.#done) return;
    this.#done = true;
    this.#ended = true;
    const socket = this.#socket;
    if (!socket.writable) return;
    if (chunk !== undefined && !this.#bodyless) this.#send(chunk);
    else this.#flushHead();
    if (this.#tcp || !this.#bodyComplete) return closeGracefully(socket);
    // On a unix socket with the whole body read, nothing more is owed or expected: the
    // socket is closed as soon as the response is handed to the kernel. What the peer has
    // not read yet stays readable (unix sockets have no reset that discards it), and no
    // linger timer is needed for a peer that would never close its side.
    socket.on('finish', destroyOnFinish);
    socket.end();
  }

  /**
   * Cuts the connection after a failure. Over TCP with a reset, not a FIN: for a response
   * without Content-Length a FIN would tell nginx the body is complete, a reset makes it
   * report the error and cut the client's connection too.
   */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    const socket = this.#socket;
    if (socket.destroyed) return;
    // What the peer is owed goes out first (a head held for the body, if any).
    if (socket.writable) this.#flushHead();
    const cut = () => {
      if (socket.destroyed) return;
      if (this.#tcp) socket.resetAndDestroy();
      else socket.destroy();
    };
    if (socket.writableLength === 0) cut();
    else socket.once('drain', cut);
  }

  watchClose(watcher: CloseWatcher): void {
    this.#closeWatcher = watcher;
  }

  /** The engine saw the socket close. */
  socketClosed(): void {
    this.#closeWatcher?.socketClosed();
  }

  onAbort(callback: () => void): void {
    this.#socket.once('close', () => {
      if (!this.#ended) callback();
    });
  }
}

function discard(): void {}

/** A 'finish' listener shared by every socket (`this` is the socket). */
function destroyOnFinish(this: Socket): void {
  this.destroy();
}

/** Ends the response and drops what the peer still sends until it closes (see {@link endAndLinger}). */
export function closeGracefully(socket: Socket, response?: string): void {
  socket.removeAllListeners('readable');
  socket.on('data', discard);
  socket.resume();
  endAndLinger(socket, response);
}
