/**
 * Fairness on the `node` engine: node:http's parser is given each socket read in slices,
 * within the turns the `portico` engine's connections take (http1/turns.ts), instead of
 * consuming the socket itself.
 *
 * node:http hands a whole read (up to 64 KiB) to llhttp in one call, and llhttp calls into
 * JavaScript for every chunk of a chunked body; nothing stops it half-way. A read of 1-byte
 * chunks is ~11,000 calls, 10–20 ms, and libuv reads a busy socket up to 32 times a pass:
 * twenty connections streaming such bodies held the worker for hundreds of milliseconds at
 * a time (bench `hostile`: a well-behaved client's p99 at 537× idle). Here the engine reads
 * the socket (into the shared buffer, http1/reads.ts) and calls node:http's own `'data'`
 * listener (the parse path node:http takes for any stream it cannot consume) with slices of
 * the read. Inside a chunked body each slice is sized by what the last one cost, and the
 * time spent counts against the connection's turn and the pass (at `NS_PER_CHUNK`, what the
 * `portico` engine spends decoding a chunk); once they are used up, the rest of the read
 * waits for the connection's next turn. Outside chunked bodies slices are whole reads cut at
 * {@link SLICE_BYTES}, and nothing is counted: a head, or a body of a few large pieces, costs
 * node:http little per byte.
 *
 * node:http's `'end'` listener is called from here too, so that the end of the stream never
 * overtakes bytes still held. When node:http pauses the socket (responses piling up behind
 * pipelined requests, or a body the application is not reading), the rest waits until it
 * resumes; once it lets go of the socket (`socket.parser` null: a CONNECT, a closed
 * connection), nothing more is given.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { readIntoShared } from './http1/reads.ts';
import { chunksLeft, NS_PER_CHUNK, PASS_CHUNKS, spendChunks, waitForTurn } from './http1/turns.ts';
/** The most a slice holds outside a chunked body (a read's first slice, a head, pipelined requests). */
const SLICE_BYTES = 4096;
/** The least a slice holds inside a chunked body, however costly the last one was. */
const MIN_SLICE_BYTES = 256;
/** A connection's first guess at node:http's cost per byte of a chunked body (ns). */
const FIRST_NS_PER_BYTE = 50;

/** What node:http's parser needs from its socket (its fields, from `_http_server.js`). */
type ParsedSocket = Socket & {
  /** node:http's parser while it owns the socket; null once it let go. */
  parser?: { incoming?: ParsedRequest | null } | null;
  /** Set by node:http while responses pile up behind pipelined requests. */
  _paused?: boolean;
  _handle?: { _consumed?: boolean } | null;
};

/** The request node:http is parsing (an `IncomingMessage`). */
interface ParsedRequest {
  complete: boolean;
  headers: Record<string, string | string[] | undefined>;
}

type Listener = (...args: unknown[]) => void;

/**
 * Before node:http's connection listener: reads `socket` into the shared buffer and keeps
 * node:http from consuming it. Returns the feeder to {@link SlicedFeed.takeOver} once
 * node:http has set the socket up, or undefined (nothing changed) where this Node lacks
 * what it needs.
 */
export function prepareSlicedFeed(socket: Socket): SlicedFeed | undefined {
  const parsed = socket as ParsedSocket;
  if (parsed._handle === null || parsed._handle === undefined) return undefined;
  const feed = new SlicedFeed(parsed, socket.listenerCount('data'), socket.listenerCount('end'));
  if (!readIntoShared(socket, (bytes) => feed.onRead(bytes))) return undefined;
  parsed._handle._consumed = true;
  return feed;
}

/** One connection's feed of node:http's parser. */
export class SlicedFeed {
  readonly #socket: ParsedSocket;
  #onData: Listener | undefined;
  #onEnd: Listener | undefined;
  /** Bytes read and not yet given (an owned copy). */
  #held: Buffer | undefined;
  /** The socket is paused by this feed (its turn used up), not by node:http. */
  #ownPause = false;
  #waiting = false;
  #endPending = false;
  /** Units spent since this connection last yielded its turn. */
  #turnUnits = 0;
  #nsPerByte = FIRST_NS_PER_BYTE;
  /** The size of the last slice given inside a chunked body. */
  #sliceBytes = SLICE_BYTES;

  /** How many `'data'` and `'end'` listeners the socket had before node:http's (net's own). */
  readonly #dataBefore: number;
  readonly #endBefore: number;

  constructor(socket: ParsedSocket, dataBefore: number, endBefore: number) {
    this.#socket = socket;
    this.#dataBefore = dataBefore;
    this.#endBefore = endBefore;
  }

  /**
   * After node:http's connection listener: takes its `'data'` and `'end'` listeners off
   * the socket, to call them from here. Returns false when they are not where they should
   * be: they stay, and node:http gets each read whole, as a copy ({@link onRead}).
   */
  takeOver(): boolean {
    const socket = this.#socket;
    const added = (event: string, before: number) => socket.listeners(event).slice(before) as Listener[];
    const [onData, ...otherData] = added('data', this.#dataBefore);
    const [onEnd, ...otherEnds] = added('end', this.#endBefore);
    if (onData === undefined || onEnd === undefined || otherData.length > 0 || otherEnds.length > 0) {
      return false;
    }
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    this.#onData = onData;
    this.#onEnd = onEnd;
    socket.on('end', () => {
      if (this.#held === undefined) onEnd();
      else this.#endPending = true;
    });
    // node:http resumes the socket once its responses drained or the body is read: the
    // bytes held go first, in a turn.
    socket.on('resume', () => {
      if (this.#held === undefined) return;
      this.#pause();
      this.#queue();
    });
    return true;
  }

  /** A read's bytes, valid during this call only. */
  onRead(bytes: Buffer): void {
    if (this.#onData === undefined) {
      // node:http's listeners were not found (another Node): it gets the bytes as it would
      // from a stream it cannot consume, a copy (the shared buffer is overwritten next read).
      this.#socket.emit('data', Buffer.from(bytes));
      return;
    }
    if (this.#held !== undefined) {
      // Read before the held bytes were given (node:http resumed meanwhile): after them.
      this.#held = Buffer.concat([this.#held, bytes]);
      this.#pause();
      return;
    }
    const given = this.#give(bytes);
    if (given < bytes.length) this.#hold(Buffer.from(bytes.subarray(given)));
  }

  /** Gives `bytes` to node:http, slice by slice, until it stops taking or the turn is used up. */
  #give(bytes: Buffer): number {
    const socket = this.#socket;
    const onData = this.#onData as Listener;
    let offset = 0;
    while (offset < bytes.length) {
      if (this.#letGo()) return bytes.length;
      if (this.#pausedByNode()) return offset;
      const incoming = socket.parser?.incoming;
      const inChunkedBody =
        incoming !== null && incoming !== undefined && !incoming.complete && isChunked(incoming);
      if (!inChunkedBody) {
        const end = Math.min(bytes.length, offset + SLICE_BYTES);
        onData(bytes.subarray(offset, end));
        offset = end;
        continue;
      }
      const units = Math.min(PASS_CHUNKS - this.#turnUnits, chunksLeft());
      if (units <= 0) return offset;
      // What the budget buys at the last slice's cost, but at most twice the last slice: one
      // cheap slice (node:http paused inside it) must not make the next one a whole read.
      const size = Math.max(
        MIN_SLICE_BYTES,
        Math.min(2 * this.#sliceBytes, Math.floor((units * NS_PER_CHUNK) / this.#nsPerByte)),
      );
      const end = Math.min(bytes.length, offset + size);
      this.#sliceBytes = end - offset;
      const started = process.hrtime.bigint();
      onData(bytes.subarray(offset, end));
      const spentNs = Number(process.hrtime.bigint() - started);
      this.#nsPerByte = Math.max(0.01, spentNs / (end - offset));
      const spent = Math.ceil(spentNs / NS_PER_CHUNK);
      this.#turnUnits += spent;
      spendChunks(spent);
      offset = end;
    }
    return offset;
  }

  /**
   * True when node:http paused the socket: for pipelined requests (`_paused`), or for a body
   * the application is not reading (a plain `pause()`, told from this feed's own by
   * {@link #ownPause}).
   */
  #pausedByNode(): boolean {
    const socket = this.#socket;
    return socket._paused === true || (!this.#ownPause && socket.isPaused());
  }

  /** True when node:http no longer parses this socket: what is left is dropped. */
  #letGo(): boolean {
    const socket = this.#socket;
    if (socket.parser !== null && socket.parser !== undefined && !socket.destroyed) return false;
    this.#held = undefined;
    this.#endPending = false;
    return true;
  }

  /** Keeps `rest` for later: until node:http resumes, or the connection's next turn. */
  #hold(rest: Buffer): void {
    this.#held = rest;
    if (this.#pausedByNode()) return;
    this.#pause();
    this.#queue();
  }

  /**
   * Stops reading until the bytes held are given. Every time, not once: node:http's request
   * stream resumes the socket whenever its reader wants more (`readStart` in
   * `_http_incoming.js`), this feed's pause or not.
   */
  #pause(): void {
    this.#ownPause = true;
    this.#socket.pause();
  }

  #queue(): void {
    if (this.#waiting) return;
    this.#waiting = true;
    this.#turnUnits = 0;
    waitForTurn(this.#resumeTurn);
  }

  readonly #resumeTurn = (): void => {
    this.#waiting = false;
    this.#turnUnits = 0;
    const held = this.#held;
    if (this.#letGo() || held === undefined) return this.#release();
    if (this.#socket._paused === true) return;
    this.#held = undefined;
    const given = this.#give(held);
    if (given < held.length) {
      this.#held = held.subarray(given);
      // Node's pause ends with a 'resume'; a used-up turn, with the next one.
      if (!this.#pausedByNode()) this.#queue();
      return;
    }
    if (this.#endPending) {
      this.#endPending = false;
      (this.#onEnd as Listener)();
      return;
    }
    this.#release();
  };

  /** Ends this feed's own pause: the socket reads again (unless node:http paused it). */
  #release(): void {
    if (!this.#ownPause) return;
    this.#ownPause = false;
    if (this.#socket._paused !== true && !this.#socket.destroyed) this.#socket.resume();
  }
}

function isChunked(request: ParsedRequest): boolean {
  const coding = request.headers['transfer-encoding'];
  return coding !== undefined;
}
