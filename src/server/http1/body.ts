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
// Runs shorter than this are copied into a buffer of the body's own: a view would keep the
// whole socket read it came from alive (1-byte chunks would hold 64 KiB each), and one
// queue entry per tiny chunk would cost more than its bytes.
const SMALL = 4096;
const TAIL_SIZE = 16 * 1024;

/**
 * `bytes` as a buffer that holds no more memory than it shows: a view into a much larger
 * backing store (a socket read) is copied out.
 */
export function ownBytes(bytes: Buffer): Buffer {
  if (bytes.length * 2 >= bytes.buffer.byteLength) return bytes;
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

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
  /** The buffer small runs are gathered in; the last queue entry is a view of it while `#tailOpen`. */
  #tail: Buffer | undefined;
  #tailUsed = 0;
  #tailStart = 0;
  #tailOpen = false;
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
      waiter.resolve({ done: false, value: ownBytes(bytes) });
      return;
    }
    if (bytes.length < SMALL) this.#gather(bytes);
    else this.#queue.push(ownBytes(bytes));
    this.#queued += bytes.length;
    if (this.#queued > HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#source.setReading(false);
    }
  }

  /** Appends a small run to the last queue entry when it is ours and has room, else starts one. */
  #gather(bytes: Buffer): void {
    let tail = this.#tail;
    if (tail === undefined || !this.#tailOpen || this.#tailUsed + bytes.length > tail.length) {
      tail = Buffer.allocUnsafeSlow(TAIL_SIZE);
      this.#tail = tail;
      this.#tailUsed = 0;
      this.#tailStart = 0;
      this.#tailOpen = true;
      bytes.copy(tail, 0);
      this.#tailUsed = bytes.length;
      this.#queue.push(tail.subarray(0, bytes.length));
      return;
    }
    bytes.copy(tail, this.#tailUsed);
    this.#tailUsed += bytes.length;
    this.#queue[this.#queue.length - 1] = tail.subarray(this.#tailStart, this.#tailUsed);
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
    this.#tail = undefined;
    this.#tailOpen = false;
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
      // The entry being gathered into was handed out: the next small run starts a new one.
      if (this.#queue.length === 0 && this.#tailOpen) {
        this.#tailOpen = false;
        this.#tail = undefined;
      }
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
