/**
 * A request body as the application reads it: an async iterator over the decoded bytes
 * the connection pushes in, with backpressure (the connection stops reading the socket
 * while too much is queued) and a failure when the body is cut short or malformed.
 *
 * @module
 */

/** What the body asks of its connection. */
export interface BodySource {
  /** Stop or restart reading the socket. */
  setReading(reading: boolean): void;
}

// Queued bytes above which the socket is paused, and below which it is resumed.
const HIGH_WATER = 64 * 1024;
const LOW_WATER = 16 * 1024;

type Waiter = {
  resolve: (result: IteratorResult<Uint8Array>) => void;
  reject: (error: Error) => void;
};

/** One request body; its own async iterator (it can be iterated once). */
export class RequestBody implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  readonly #source: BodySource;
  readonly #queue: Buffer[] = [];
  #queued = 0;
  #waiter: Waiter | undefined;
  #ended = false;
  #error: Error | undefined;
  #paused = false;
  /** Set when the application stopped reading: further bytes are dropped. */
  #abandoned = false;

  constructor(source: BodySource) {
    this.#source = source;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  /** The connection decoded more body bytes. */
  push(bytes: Buffer): void {
    if (this.#abandoned || this.#ended || bytes.length === 0) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value: bytes });
      return;
    }
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#queued > HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#source.setReading(false);
    }
  }

  /** The body is complete. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
  }

  /** The body cannot be completed (malformed, cut short, timed out). */
  fail(error: Error): void {
    if (this.#ended || this.#error !== undefined) return;
    this.#error = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** The exchange is over: drop what is queued and anything still to come. */
  abandon(): void {
    this.#abandoned = true;
    this.#queue.length = 0;
    this.#queued = 0;
    // A read already waiting would otherwise never settle: nothing feeds this body now.
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
    this.#resume();
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    const bytes = this.#queue.shift();
    if (bytes !== undefined) {
      this.#queued -= bytes.length;
      if (this.#queued < LOW_WATER) this.#resume();
      return Promise.resolve({ done: false, value: bytes });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended || this.#abandoned) return Promise.resolve({ done: true, value: undefined });
    this.#resume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.abandon();
    return Promise.resolve({ done: true, value: undefined });
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#source.setReading(true);
  }
}

/** The body of a request that has none. */
export const emptyBody: AsyncIterable<Uint8Array> = Object.freeze({
  [Symbol.asyncIterator]: (): AsyncIterator<Uint8Array> => ({
    next: () => Promise.resolve({ done: true, value: undefined }),
  }),
});
