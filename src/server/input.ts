/**
 * `tsgi.input`: the request body as an async byte stream with end-of-file simulated at the
 * end of this request's body (so a read never waits on the next pipelined request).
 *
 * Nothing is read from the socket until the application asks, so an unread body costs
 * nothing, and `100 Continue` goes out only when the application first reads (the PEP's
 * recommended behaviour: a client that sent `Expect` may still get a 4xx without sending
 * its body).
 */
import { PorticoError } from '../tsgi/errors.ts';
import type { InputStream } from '../tsgi/types.ts';
import type { Exchange } from './engine.ts';

const EMPTY = new Uint8Array(0);

// Fields a trailer may not carry (RFC 9110 6.5.1): framing, routing, authentication and
// content metadata must be known before the body, or a proxy and the app disagree.
const FORBIDDEN_TRAILERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'content-type',
  'content-encoding',
  'content-range',
  'trailer',
  'authorization',
  'cookie',
  'expect',
  'te',
]);

function checkTrailers(raw: readonly string[]): void {
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (FORBIDDEN_TRAILERS.has(name)) {
      throw new PorticoError('PORTICO_ERR_BAD_REQUEST', `the ${name} field is not allowed in a trailer`);
    }
  }
}

/** The request body of one exchange, bounded by `limitPost`. */
export class RequestInput implements InputStream {
  readonly #exchange: Exchange;
  readonly #limit: number;
  #source: AsyncIterator<Uint8Array> | undefined;
  #pending: Uint8Array = EMPTY;
  #received = 0;
  #done = false;

  constructor(exchange: Exchange, limit: number) {
    this.#exchange = exchange;
    this.#limit = limit;
  }

  /** True once the whole body has been read. */
  get done(): boolean {
    return this.#done && this.#pending.length === 0;
  }

  async read(size?: number): Promise<Uint8Array> {
    if (size === undefined || size < 0) return this.#readAll();
    if (size === 0) return EMPTY;
    if (this.#pending.length === 0 && !(await this.#fill())) return EMPTY;
    return this.#take(size);
  }

  async readLine(size?: number): Promise<Uint8Array> {
    const max = size === undefined || size < 0 ? Number.POSITIVE_INFINITY : size;
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < max) {
      if (this.#pending.length === 0 && !(await this.#fill())) break;
      const newline = this.#pending.indexOf(10);
      const want = Math.min(newline === -1 ? this.#pending.length : newline + 1, max - length);
      const part = this.#take(want);
      parts.push(part);
      length += part.length;
      if (newline !== -1 && want === newline + 1) break;
    }
    return concat(parts, length);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.#pending.length === 0 && !(await this.#fill())) return;
      yield this.#take(this.#pending.length);
    }
  }

  async #readAll(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of this) {
      parts.push(chunk);
      length += chunk.length;
    }
    return concat(parts, length);
  }

  #take(size: number): Uint8Array {
    const pending = this.#pending;
    if (size >= pending.length) {
      this.#pending = EMPTY;
      return pending;
    }
    this.#pending = pending.subarray(size);
    return pending.subarray(0, size);
  }

  /** Pulls the next chunk off the engine; false at end of body. */
  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    if (this.#source === undefined) {
      if (this.#exchange.expectsContinue) this.#exchange.sendContinue();
      this.#source = this.#exchange.body[Symbol.asyncIterator]();
    }
    let next: IteratorResult<Uint8Array>;
    try {
      next = await this.#source.next();
    } catch (error) {
      this.#done = true;
      throw new PorticoError(
        'PORTICO_ERR_BAD_REQUEST',
        'the request body could not be read (malformed or cut short)',
        {
          cause: error,
        },
      );
    }
    if (next.done) {
      this.#done = true;
      checkTrailers(this.#exchange.rawTrailers);
      return false;
    }
    this.#received += next.value.length;
    if (this.#received > this.#limit) {
      // A chunked body has no declared length, so limit-post is enforced as it arrives.
      this.#done = true;
      throw new PorticoError(
        'PORTICO_ERR_BODY_TOO_LARGE',
        `request body exceeds limit-post (${this.#limit} bytes)`,
      );
    }
    this.#pending = next.value;
    return true;
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  return Buffer.concat(parts, length);
}
