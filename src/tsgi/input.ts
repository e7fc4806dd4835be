/**
 * `tsgi.input` over any source of chunks: the buffering, `read(size)`, `readLine` and async
 * iteration every server needs, written once. A server supplies only {@link BufferedInput.pull}.
 *
 * @module
 */
import type { InputStream } from './types.ts';

const EMPTY = new Uint8Array(0);

/** The first block a body read whole is gathered in. */
const MIN_BLOCK = 4096;
/** Blocks grow with the body (each as large as all before it) up to this size. */
const MAX_BLOCK = 1024 * 1024;

/**
 * Bytes copied into blocks that grow with what they hold, up to {@link MAX_BLOCK}; every
 * block but the last is full.
 */
class Blocks {
  readonly #blocks: Uint8Array[] = [];
  #last: Uint8Array | undefined;
  #used = 0;
  length = 0;

  append(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      let last = this.#last;
      if (last === undefined || this.#used === last.length) {
        last = new Uint8Array(Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, this.length, chunk.length - at)));
        this.#blocks.push(last);
        this.#last = last;
        this.#used = 0;
      }
      const take = Math.min(last.length - this.#used, chunk.length - at);
      last.set(take === chunk.length ? chunk : chunk.subarray(at, at + take), this.#used);
      this.#used += take;
      at += take;
      this.length += take;
    }
  }

  /** Everything in one array: the only block (cut to size), or the blocks joined. */
  joined(): Uint8Array {
    const blocks = this.#blocks;
    const last = this.#last;
    if (last === undefined) return EMPTY;
    const used = this.#used;
    if (blocks.length === 1) return last.length - used > 4096 ? last.slice(0, used) : last.subarray(0, used);
    blocks[blocks.length - 1] = last.subarray(0, used);
    return concatBytes(blocks, this.length);
  }
}

/** Joins chunks into one array (no copy for a single chunk). */
export function concatBytes(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The request body as an {@link InputStream}. Nothing is pulled from the source until the
 * application reads, so an unread body costs nothing.
 */
export abstract class BufferedInput implements InputStream {
  #pending: Uint8Array = EMPTY;
  #done = false;
  /** Set while a pull is awaited: nothing may be taken synchronously meanwhile. */
  #pulling = false;

  /** The next chunk of the body, or `undefined` at its end. Called only when the buffer is empty. */
  protected abstract pull(): Promise<Uint8Array | undefined>;

  /**
   * What {@link BufferedInput.pull} would resolve to, when the source has it without waiting
   * (a chunk, `undefined` at the end), else `null`. The default never has it: a source
   * that buffers overrides it, and {@link BufferedInput.readNow} then needs no promise.
   */
  protected pullNow(): Uint8Array | undefined | null {
    return null;
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

  /**
   * What `read(size)` would resolve to, when that needs no waiting: bytes already buffered,
   * or a chunk the source has at hand ({@link BufferedInput.pullNow}); an empty array at the
   * end. `null` when the bytes must be waited for (nothing is consumed then): use `read`.
   * A failure of the source is thrown, as `read` would reject with it.
   */
  readNow(size: number): Uint8Array | null {
    if (size === 0) return EMPTY;
    if (size < 0) return this.#readAllNow();
    if (this.#pending.length === 0) {
      const filled = this.#fillNow();
      if (filled === null) return null;
      if (!filled) return EMPTY;
    }
    return this.#take(size);
  }

  /** The rest of the body if all of it is at hand; else null, with what was taken put back. */
  #readAllNow(): Uint8Array | null {
    const parts: Uint8Array[] = [];
    let length = 0;
    while (true) {
      if (this.#pending.length === 0) {
        const filled = this.#fillNow();
        if (filled === false) break;
        if (filled === null) {
          if (length > 0) this.#pending = concatBytes(parts, length);
          return null;
        }
      }
      length += this.#pending.length;
      parts.push(this.#take(this.#pending.length));
    }
    return concatBytes(parts, length);
  }

  async readLine(size?: number): Promise<Uint8Array> {
    const max = size === undefined || size < 0 ? Number.POSITIVE_INFINITY : size;
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < max) {
      if (this.#pending.length === 0 && !(await this.#fill())) break;
      const newline = this.#pending.indexOf(10);
      const want = Math.min(newline === -1 ? this.#pending.length : newline + 1, max - length);
      parts.push(this.#take(want));
      length += want;
      if (newline !== -1 && want === newline + 1) break;
    }
    return concatBytes(parts, length);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.#pending.length === 0 && !(await this.#fill())) return;
      yield this.#take(this.#pending.length);
    }
  }

  /**
   * The rest of the body in one array. Chunks are copied into blocks that grow to
   * {@link MAX_BLOCK}, joined once at the end, so memory stays proportional to the bytes
   * however many chunks they came in: a list of a million 1-byte chunks would cost a hundred
   * times more, and every chunk that is a view of a larger read would keep that read alive.
   * Not one buffer doubled as it fills: each doubling of a large body allocated, and the
   * system zero-filled page by page, a buffer twice its size in one go (milliseconds for
   * megabytes, with every other connection waiting).
   *
   * A plain loop, not `for await` over this stream: what the source has at hand is taken
   * without a promise ({@link BufferedInput.pullNow}), and only a wait costs one. Through the
   * async iterator each chunk cost half a dozen promises and their results: under twenty
   * connections streaming 1-byte chunks, three quarters of the worker's allocation.
   */
  async #readAll(): Promise<Uint8Array> {
    let first: Uint8Array | undefined;
    let blocks: Blocks | undefined;
    while (true) {
      if (this.#pending.length === 0) {
        const filled = this.#fillNow() ?? (await this.#fill());
        if (!filled) break;
      }
      const chunk = this.#take(this.#pending.length);
      if (blocks === undefined) {
        if (first === undefined) {
          // A body in one chunk is returned as it came, without a copy.
          first = chunk;
          continue;
        }
        blocks = new Blocks();
        blocks.append(first);
      }
      blocks.append(chunk);
    }
    return blocks?.joined() ?? first ?? EMPTY;
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

  /** {@link BufferedInput.#fill} without waiting: true, false at the end, null when it would wait. */
  #fillNow(): boolean | null {
    while (!this.#done) {
      if (this.#pulling) return null;
      let chunk: Uint8Array | undefined | null;
      try {
        chunk = this.pullNow();
      } catch (error) {
        this.#done = true;
        throw error;
      }
      if (chunk === null) return null;
      const filled = this.#took(chunk);
      if (filled !== null) return filled;
    }
    return false;
  }

  /** A pulled chunk: true once buffered, false at the end, null for an empty one (pull again). */
  #took(chunk: Uint8Array | undefined): boolean | null {
    if (chunk === undefined) {
      this.#done = true;
      return false;
    }
    if (chunk.length === 0) return null;
    this.#pending = chunk;
    return true;
  }

  async #fill(): Promise<boolean> {
    while (!this.#done) {
      let chunk: Uint8Array | undefined;
      this.#pulling = true;
      try {
        chunk = await this.pull();
      } catch (error) {
        this.#done = true;
        throw error;
      } finally {
        this.#pulling = false;
      }
      const filled = this.#took(chunk);
      if (filled !== null) return filled;
    }
    return false;
  }
}

/** `tsgi.input` over a web `ReadableStream` (or no body at all). */
export class StreamInput extends BufferedInput {
  readonly #stream: ReadableStream<Uint8Array> | null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(stream: ReadableStream<Uint8Array> | null) {
    super();
    this.#stream = stream;
  }

  protected async pull(): Promise<Uint8Array | undefined> {
    if (this.#stream === null) return undefined;
    this.#reader ??= this.#stream.getReader();
    const step = await this.#reader.read();
    if (!step.done) return step.value;
    this.#reader.releaseLock();
    return undefined;
  }
}
