/**
 * `tsgi.input` for the HTTP server: the shared buffering of {@link BufferedInput} over the
 * engine's body, plus what only a server on a socket must do.
 *
 * - `100 Continue` goes out when the application first reads (the PEP's recommended
 *   behaviour: a client that sent `Expect` may still get a 4xx without sending its body).
 * - `limit-post` is enforced as a chunked body arrives (a declared length was checked
 *   before the application was called).
 * - Trailers may not carry framing, routing, authentication or content metadata.
 */
import { PorticoError } from '../tsgi/errors.ts';
import { BufferedInput } from '../tsgi/input.ts';
import type { Exchange } from './engine.ts';

// Fields a trailer may not carry (RFC 9110 6.5.1): they must be known before the body, or
// a proxy and the application disagree about the request.
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
export class RequestInput extends BufferedInput {
  readonly #exchange: Exchange;
  readonly #limit: number;
  #source: AsyncIterator<Uint8Array> | undefined;
  #received = 0;

  constructor(exchange: Exchange, limit: number) {
    super();
    this.#exchange = exchange;
    this.#limit = limit;
  }

  /** The body's iterator, made on the first read (which is when `100 Continue` goes out). */
  #start(): AsyncIterator<Uint8Array> {
    if (this.#exchange.expectsContinue) this.#exchange.sendContinue();
    this.#source = this.#exchange.body[Symbol.asyncIterator]();
    return this.#source;
  }

  protected async pull(): Promise<Uint8Array | undefined> {
    const source = this.#source ?? this.#start();
    let next: IteratorResult<Uint8Array>;
    try {
      next = await source.next();
    } catch (error) {
      throw new PorticoError(
        'PORTICO_ERR_BAD_REQUEST',
        'the request body could not be read (malformed or cut short)',
        {
          cause: error,
        },
      );
    }
    return this.#accept(next.done ? undefined : next.value);
  }

  /** A chunk the engine already holds (a body that came with its head), without a promise. */
  protected override pullNow(): Uint8Array | undefined | null {
    const body = this.#exchange.body;
    if (!('takeNow' in body)) return null;
    if (this.#source === undefined) this.#start();
    const chunk = body.takeNow();
    return chunk === null ? null : this.#accept(chunk);
  }

  /** Checks a chunk against limit-post, or the trailers at the end (`undefined`). */
  #accept(chunk: Uint8Array | undefined): Uint8Array | undefined {
    if (chunk === undefined) {
      checkTrailers(this.#exchange.rawTrailers);
      return undefined;
    }
    this.#received += chunk.length;
    // limit-post 0 means no limit, as in uWSGI.
    if (this.#received > this.#limit && this.#limit > 0) {
      throw new PorticoError(
        'PORTICO_ERR_BODY_TOO_LARGE',
        `request body exceeds limit-post (${this.#limit} bytes)`,
      );
    }
    return chunk;
  }
}
