/**
 * A request body as the application reads it: an async iterator over the decoded bytes
 * the connection pushes in, with backpressure (the connection stops reading the socket
 * while too much is queued) and a failure when the body is cut short or malformed.
 *
 * @module
 */
import type { BufferedBody } from '../engine.ts';

/** What the body asks of its connection. */
export interface BodySource {
  /** Stop or restart reading the socket. */
  setReading(reading: boolean): void;
  /**
   * True when the bytes pushed in are reused once the push returns (reads into a shared
   * buffer, `reads.ts`): the body then copies every run it keeps.
   */
  readonly transientInput?: boolean;
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
  return bytes.length * 2 >= bytes.buffer.byteLength ? bytes : copyOf(bytes);
}

/** A copy of `bytes` in a buffer of its own. */
function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

const EMPTY = Buffer.alloc(0);

function view(input: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === input.length ? input : input.subarray(start, end);
}

/** How a {@link RequestBody} hands bytes to a reader. */
export interface RequestBodyOptions {
  /**
   * Wake a waiting reader for small runs on the next pass of the event loop, with all that
   * arrived by then, instead of at once. For an engine that pushes each chunk of a chunked
   * body separately and runs the reader's continuation after each push (node:http does):
   * woken at once, a reader of 1-byte chunks took one byte per wake-up. Large runs, and the
   * body's last bytes, still wake it at once.
   */
  wakeOnNextPass?: boolean;
}

type Waiter = {
  resolve: (result: IteratorResult<Uint8Array>) => void;
  reject: (error: Error) => void;
};

/** One request body; its own async iterator (it can be iterated once). */
export class RequestBody implements BufferedBody, AsyncIterator<Uint8Array> {
  readonly #source: BodySource;
  /** How a run is kept: copied when the input is reused, else as a view when that costs no more memory. */
  readonly #keep: (bytes: Buffer) => Buffer;
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
  /** Set when the tail holds bytes its queue entry does not show yet. */
  #tailDirty = false;
  /** Set when the application stopped reading: further bytes are dropped. */
  #abandoned = false;
  /** See {@link RequestBodyOptions.wakeOnNextPass}. */
  readonly #wakeOnNextPass: boolean;
  #wakeScheduled = false;

  constructor(source: BodySource, options: RequestBodyOptions = {}) {
    this.#source = source;
    this.#wakeOnNextPass = options.wakeOnNextPass === true;
    this.#keep = source.transientInput === true ? copyOf : ownBytes;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  /** The connection decoded more body bytes. */
  push(bytes: Buffer): void {
    this.pushRange(bytes, 0, bytes.length);
  }

  /**
   * The connection decoded more body bytes: `input` from `start` to `end`. A small run
   * waiting in the queue is copied straight from `input`, with no view made of it. `last`:
   * these are the body's last bytes.
   */
  pushRange(input: Buffer, start: number, end: number, last = false): void {
    const length = end - start;
    if (this.#abandoned || this.#ended || length === 0) return;
    const waiter = this.#waiter;
    if (waiter !== undefined && (length >= SMALL || last || !this.#wakeOnNextPass)) {
      this.#waiter = undefined;
      // A small run goes into the tail like any other, not into a buffer of its own: a reader
      // keeping up with a flood of 1-byte chunks is handed one run per turn of the connection.
      let value: Buffer;
      if (length < SMALL && !last) {
        this.#gather(input, start, end);
        value = this.#takeTail();
      } else value = this.#keep(view(input, start, end));
      waiter.resolve({ done: false, value });
      return;
    }
    // The whole of a small body, arriving with its head: its own bytes, exactly (a tail
    // buffer gathers runs still to come, and there are none).
    if (last && this.#queue.length === 0) this.#queue.push(this.#keep(view(input, start, end)));
    else if (length < SMALL) this.#gather(input, start, end);
    else {
      // The tail is no longer the last entry: small runs after this one start a new one
      // (in the tail's room left, if any).
      this.#sealTail();
      this.#tailOpen = false;
      this.#queue.push(this.#keep(view(input, start, end)));
    }
    this.#queued += length;
    if (waiter !== undefined && !this.#wakeScheduled) {
      this.#wakeScheduled = true;
      setImmediate(this.#wake);
    }
    if (this.#queued > HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#source.setReading(false);
    }
  }

  /**
   * Appends a small run to the last queue entry when it is ours and has room, else starts
   * one: in the tail's room left after what was handed out, else in a new tail (a reader
   * taking each run as it comes must not cost a 16 KiB buffer per run). The queue's last
   * entry (a view of the tail) is not remade per run: {@link next} refreshes it
   * ({@link #sealTail}) before handing it out.
   */
  #gather(input: Buffer, start: number, end: number): void {
    const length = end - start;
    let tail = this.#tail;
    if (tail === undefined || this.#tailUsed + length > tail.length) {
      this.#sealTail();
      tail = Buffer.allocUnsafeSlow(TAIL_SIZE);
      this.#tail = tail;
      this.#tailUsed = 0;
      this.#tailStart = 0;
      this.#tailOpen = true;
      this.#queue.push(EMPTY);
    } else if (!this.#tailOpen) {
      // The bytes before `#tailUsed` were handed out (or queued): they are never written again.
      this.#tailStart = this.#tailUsed;
      this.#tailOpen = true;
      this.#queue.push(EMPTY);
    }
    if (length === 1) tail[this.#tailUsed] = input[start] as number;
    else input.copy(tail, this.#tailUsed, start, end);
    this.#tailUsed += length;
    this.#tailDirty = true;
  }

  /** Takes the queue's last entry, the tail's open one, off the queue (for a waiting reader). */
  #takeTail(): Buffer {
    this.#sealTail();
    this.#tailOpen = false;
    return this.#queue.pop() as Buffer;
  }

  /** Makes the queue's last entry show everything gathered in the tail so far. */
  #sealTail(): void {
    if (!this.#tailDirty) return;
    this.#tailDirty = false;
    const tail = this.#tail;
    if (tail !== undefined && this.#tailOpen) {
      this.#queue[this.#queue.length - 1] = tail.subarray(this.#tailStart, this.#tailUsed);
    }
  }

  /** Hands a reader that waited through the pass what was gathered meanwhile. */
  readonly #wake = (): void => {
    this.#wakeScheduled = false;
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    const bytes = this.#shift();
    if (bytes === undefined) return;
    this.#waiter = undefined;
    waiter.resolve({ done: false, value: bytes });
  };

  /** The body is complete. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    // Bytes gathered for a reader whose wake-up is still to come are its first.
    const bytes = waiter === undefined ? undefined : this.#shift();
    waiter?.resolve(bytes === undefined ? { done: true, value: undefined } : { done: false, value: bytes });
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
    const bytes = this.#shift();
    if (bytes !== undefined) return Promise.resolve({ done: false, value: bytes });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended || this.#abandoned) return Promise.resolve({ done: true, value: undefined });
    this.#resume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /**
   * What {@link next} would resolve to, when that needs no waiting: the next queued bytes,
   * or `undefined` at the end; `null` when they have not arrived yet, or when a failure is
   * to be reported (by `next`, which rejects with it).
   */
  takeNow(): Uint8Array | undefined | null {
    const bytes = this.#shift();
    if (bytes !== undefined) return bytes;
    if (this.#error !== undefined) return null;
    if (this.#ended || this.#abandoned) return undefined;
    return null;
  }

  /** The first queued entry, taken off the queue (the reading resumes below the low mark). */
  #shift(): Buffer | undefined {
    this.#sealTail();
    const bytes = this.#queue.shift();
    if (bytes === undefined) return undefined;
    // The entry being gathered into was handed out: the next small run starts a new one.
    if (this.#queue.length === 0) this.#tailOpen = false;
    this.#queued -= bytes.length;
    if (this.#queued < LOW_WATER) this.#resume();
    return bytes;
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
export const emptyBody: BufferedBody = Object.freeze({
  [Symbol.asyncIterator]: (): AsyncIterator<Uint8Array> => ({
    next: () => Promise.resolve({ done: true, value: undefined }),
  }),
  takeNow: () => undefined,
});
