/**
 * One HTTP/1.1 connection: bytes in, request heads parsed, bodies decoded, one exchange
 * at a time handed to the server, and the next request taken only once the previous
 * response has ended (pipelined requests wait in the buffer, in order).
 *
 * Timeouts are deadlines the engine's sweeper checks (one timer for all connections, not
 * one per request): `header-timeout` for a request head (and between the bytes of a
 * body the application is waiting for), `keepalive-timeout` for an idle connection.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';
import { reasonPhrase } from '../../tsgi/status.ts';
import { endAndLinger, LINGER_BYTES } from '../linger.ts';
import { PassOutput } from '../write-batch.ts';
import { rawPlainResponse } from '../plain-response.ts';
import { emptyBody, RequestBody } from './body.ts';
import { ChunkedDecoder } from './chunked.ts';
import { type ExchangeHost, Http1Exchange } from './exchange.ts';
import { HeadError, type ParsedHead, parseHead } from './head.ts';
import { giveStore, isShared, readIntoShared, takeStore } from './reads.ts';
import { chunksLeft, PASS_CHUNKS, spendChunks, waitForTurn } from './turns.ts';

/** What a connection needs from its engine. */
export interface ConnectionContext {
  readonly bufferSize: number;
  readonly headerTimeoutMs: number;
  readonly keepaliveTimeoutMs: number;
  readonly maxRequests: number;
  /** The most unread body bytes skipped to keep a connection alive; past it, it closes. */
  readonly discardLimit: number;
  readonly draining: boolean;
  onExchange(exchange: Http1Exchange): void;
  /** A request refused before it became an exchange: log it; the connection answers. */
  refused(connection: Connection, error: HeadError, what: string): void;
  closed(connection: Connection): void;
}

/**
 * Empty lines (CRLF) a client may send before a request line (RFC 9112 2.2 lets a server
 * ignore "at least one"); more is a 400, and none of them moves a deadline, so a client
 * trickling CRLFs cannot keep a connection open past keepalive-timeout.
 */
export const MAX_EMPTY_LINES = 4;
/** The end of a request head: the empty line. */
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
/** The smallest buffer kept to collect a request head that arrives in several reads. */
const STORE_MIN = 4096;
/** Chunks of an unread body skipped after its response (as the `node` engine does); past it, the connection closes. */
const DISCARD_CHUNKS = 4096;
/**
 * Chunks decoded on one connection before it lets the others have the event loop: a read
 * is cut there, and its rest waits for the connection's next turn (about 0.1 ms of work: ~25 ns a chunk).
 */
const TURN_CHUNKS = PASS_CHUNKS;

/** What a deadline does when it passes. */
const Deadline = { none: 0, idle: 1, head: 2, body: 3 } as const;
type DeadlineKind = (typeof Deadline)[keyof typeof Deadline];

/** One client connection. */
export class Connection implements ExchangeHost {
  readonly socket: Socket;
  readonly output: PassOutput;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** When the current deadline passes (ms since the epoch; 0: none), and what it means. */
  deadline = 0;
  /** Where the engine keeps this connection in its list (-1: not in it). */
  index = -1;
  /** The send-timeout's view of the output (`Watch`): bytes sent at the last check, and since when. */
  sent = 0;
  since = 0;
  deadlineKind: DeadlineKind = Deadline.none;
  readonly #context: ConnectionContext;
  /** Received bytes not yet parsed (the next requests). */
  #buffer: Buffer | undefined;
  /**
   * A buffer of ours that `#buffer` may be a view of, filled up to `#storeUsed`: a head
   * arriving in many reads is appended in place (amortised linear), not concatenated anew.
   */
  #store: Buffer | undefined;
  #storeUsed = 0;
  /** How far into `#buffer` the search for the end of the head has already looked. */
  #scanned = 0;
  /** Empty lines received since the last request started. */
  #emptyLines = 0;
  /** The exchange whose response has not ended yet. */
  #current: Http1Exchange | undefined;
  #served = 0;
  #closing = false;
  #clientEnded = false;
  #reading = true;
  #advancing = false;
  // The body being received: its remaining length or its decoder, and where it goes
  // (undefined once the exchange is over and the rest is being skipped).
  #bodyRemaining = 0;
  #decoder: ChunkedDecoder | undefined;
  #sink: RequestBody | undefined;
  #bodyPending = false;
  #discarded = 0;
  #discardedChunks = 0;
  /** Chunks decoded since the connection last yielded its turn (see {@link #yieldTurn}). */
  #turnChunks = 0;
  #yielding = false;
  /**
   * The rest of a read whose body decoding stopped at the turn's budget (a view of the
   * read; of {@link #holdStore} when reads come in the shared buffer): decoded on the next
   * turn, before the socket is read again.
   */
  #held: Buffer | undefined;
  /**
   * Where a held rest of a shared read is copied to (see `reads.ts`), reused from cut to cut,
   * and given back once the connection is idle (or closed).
   */
  #holdStore: Buffer | undefined;
  /** True when reads come in the shared buffer: what outlives a read is copied. */
  readonly transientInput: boolean;
  /** Bytes read and dropped while closing (a lingering close reads for a while, not forever). */
  #lingered = 0;

  constructor(socket: Socket, context: ConnectionContext) {
    this.socket = socket;
    this.output = new PassOutput(socket);
    this.#context = context;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
    socket.setNoDelay(true);
    this.transientInput = readIntoShared(socket, (bytes) => this.#onRead(bytes));
    if (!this.transientInput) socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onClose());
    // Resets and writes after the peer left end in 'close'; there is nothing to report.
    socket.on('error', () => {});
    // A connection that never sends a byte is dropped after header-timeout.
    this.#setDeadline(Deadline.idle, context.headerTimeoutMs);
  }

  get bodyPending(): boolean {
    return this.#bodyPending;
  }
  get draining(): boolean {
    return this.#context.draining;
  }
  /** True when no request is in progress: the connection can be closed without losing one. */
  get idle(): boolean {
    return this.#current === undefined && this.#buffer === undefined && !this.#bodyPending;
  }

  /** Stops or restarts reading the socket (the body's backpressure). */
  setReading(reading: boolean): void {
    if (reading === this.#reading) return;
    this.#reading = reading;
    if (reading) {
      if (this.#yielding) {
        // Its turn comes round.
      } else if (this.#held !== undefined) {
        // Not now: this may be the application asking for more from inside the body's `next()`.
        this.#yielding = true;
        waitForTurn(this.#resumeTurn);
      } else this.socket.resume();
      if (this.#bodyPending && this.#sink !== undefined) {
        this.#setDeadline(Deadline.body, this.#context.headerTimeoutMs);
      }
    } else {
      this.socket.pause();
      // The application is slow, not the client: no deadline runs while paused.
      if (this.deadlineKind === Deadline.body) this.#setDeadline(Deadline.none, 0);
    }
  }

  /** The sweeper found the deadline passed. */
  expire(): void {
    const kind = this.deadlineKind;
    this.#setDeadline(Deadline.none, 0);
    if (kind === Deadline.idle) this.destroy();
    else if (kind === Deadline.head) {
      this.#refuse(new HeadError(408, 'request head not received in time'), '');
    } else if (kind === Deadline.body) {
      this.#bodyFailed('the request body stalled past header-timeout');
    }
  }

  /** Closes the connection now if it is idle; else it closes after its current response. */
  closeIfIdle(): void {
    if (this.idle) this.destroy();
  }

  destroy(): void {
    this.#closing = true;
    // What a response of this pass left for the client goes before the close.
    this.output.flush();
    this.socket.destroy();
  }

  responseDone(exchange: Http1Exchange, keepAlive: boolean): void {
    if (exchange !== this.#current) return;
    this.#current = undefined;
    if (!keepAlive || this.#closing || this.#clientEnded || this.#context.draining) {
      this.#closeGracefully();
      return;
    }
    if (this.#bodyPending) {
      // The application did not read the whole body: skip the rest, within a bound.
      this.#sink?.abandon();
      this.#sink = undefined;
      this.#discarded = 0;
      this.#discardedChunks = 0;
      if (this.#decoder === undefined && this.#bodyRemaining > this.#context.discardLimit) {
        this.#closeGracefully();
        return;
      }
      this.#setDeadline(Deadline.body, this.#context.headerTimeoutMs);
      this.setReading(true);
      return;
    }
    if (!this.#advancing) {
      this.setReading(true);
      this.#advance();
    }
  }

  responseAborted(exchange: Http1Exchange): void {
    if (exchange !== this.#current) return;
    this.#current = undefined;
    this.#closing = true;
    this.#sink?.abandon();
    this.output.flush();
    this.socket.destroySoon();
  }

  #setDeadline(kind: DeadlineKind, ms: number): void {
    this.deadlineKind = kind;
    this.deadline = kind === Deadline.none ? 0 : Date.now() + ms;
  }

  #onData(chunk: Buffer): void {
    if (this.#closing) return;
    this.#take(chunk);
  }

  /** A read in the shared buffer: what is kept of it past this call is copied out. */
  #onRead(bytes: Buffer): void {
    if (this.#closing) {
      // Dropped. Once the socket is ended, what `endAndLinger` does for a socket read by
      // `'data'` events: a peer that keeps sending is cut.
      if (this.socket.writableEnded) {
        this.#lingered += bytes.length;
        if (this.#lingered > LINGER_BYTES) this.socket.destroy();
      }
      return;
    }
    this.#take(bytes);
    const held = this.#held;
    if (held !== undefined && isShared(held)) this.#held = this.#keepHeld(held);
    const buffer = this.#buffer;
    if (buffer !== undefined && isShared(buffer)) {
      // A head still incomplete, or pipelined requests: into a store of the connection's own.
      const store = Buffer.allocUnsafeSlow(Math.max(STORE_MIN, buffer.length * 2));
      buffer.copy(store, 0);
      this.#store = store;
      this.#storeUsed = buffer.length;
      this.#buffer = store.subarray(0, buffer.length);
    }
  }

  /**
   * Copies the rest of a read cut at its turn's budget: into the connection's hold store, the
   * same one from cut to cut (a flooding connection cuts every read), unless the buffered
   * next request is a view of it. (When a read comes, no held rest is left: the socket is not
   * read while there is one.)
   */
  #keepHeld(held: Buffer): Buffer {
    let store = this.#holdStore;
    if (store === undefined || store.length < held.length || this.#buffer?.buffer === store.buffer) {
      store = takeStore();
      this.#holdStore = store;
    }
    held.copy(store, 0);
    return store.subarray(0, held.length);
  }

  /** Gives the hold store back for other connections, unless something still shows its bytes. */
  #releaseHold(): void {
    const store = this.#holdStore;
    if (store === undefined) return;
    this.#holdStore = undefined;
    if (this.#held?.buffer !== store.buffer && this.#buffer?.buffer !== store.buffer) giveStore(store);
  }

  /** Received bytes: the body's, while one is pending, then the next requests. */
  #take(chunk: Buffer): void {
    let offset = 0;
    if (this.#bodyPending) {
      offset = this.#feedBody(chunk, 0);
      if (offset < 0) return;
      if (this.#bodyPending) {
        // Decoding stopped at the turn's budget: the rest waits for the next turn.
        if (offset < chunk.length) this.#held = chunk.subarray(offset);
        return;
      }
      if (offset === chunk.length) {
        // A body skipped after its response just ended: the connection is idle again.
        if (this.#current === undefined) this.#advance();
        return;
      }
    }
    this.#append(offset === 0 ? chunk : chunk.subarray(offset));
    this.#advance();
  }

  /** Adds received bytes after those still buffered. */
  #append(rest: Buffer): void {
    const buffer = this.#buffer;
    if (buffer === undefined) {
      this.#buffer = rest;
      return;
    }
    const store = this.#store;
    const total = buffer.length + rest.length;
    if (
      store !== undefined &&
      buffer.buffer === store.buffer &&
      buffer.byteOffset + buffer.length === store.byteOffset + this.#storeUsed &&
      this.#storeUsed + rest.length <= store.length
    ) {
      rest.copy(store, this.#storeUsed);
      this.#storeUsed += rest.length;
      this.#buffer = store.subarray(buffer.byteOffset - store.byteOffset, this.#storeUsed);
      return;
    }
    // A buffer of its own (never a pooled slab), twice what is needed so appends are amortised.
    const next = Buffer.allocUnsafeSlow(Math.max(STORE_MIN, total * 2));
    buffer.copy(next, 0);
    rest.copy(next, buffer.length);
    this.#store = next;
    this.#storeUsed = total;
    this.#buffer = next.subarray(0, total);
  }

  /** Drops what `#buffer` holds before `from` (the scan position follows). */
  #consume(buffer: Buffer, from: number): void {
    this.#buffer = from < buffer.length ? buffer.subarray(from) : undefined;
    this.#scanned = Math.max(0, this.#scanned - from);
    if (this.#buffer === undefined) {
      this.#store = undefined;
      this.#storeUsed = 0;
    }
  }

  /** Parses and dispatches buffered requests while none is in progress. */
  #advance(): void {
    this.#advancing = true;
    try {
      while (this.#current === undefined && !this.#bodyPending && !this.#closing) {
        const buffer = this.#buffer;
        if (buffer === undefined) {
          // Nothing is held or buffered: no byte of the hold store is needed any more.
          this.#releaseHold();
          // Only a request slot opening starts the idle deadline; empty lines do not move it.
          if (this.#emptyLines === 0) this.#setDeadline(Deadline.idle, this.#context.keepaliveTimeoutMs);
          if (this.#clientEnded) this.#closeGracefully();
          return;
        }
        // RFC 9112 2.2: a few empty lines before a request line are skipped.
        let start = 0;
        while (buffer[start] === 13 && buffer[start + 1] === 10) {
          start += 2;
          if (++this.#emptyLines > MAX_EMPTY_LINES) {
            return this.#refuse(new HeadError(400, 'too many empty lines before the request line'), '');
          }
        }
        if (start > 0) {
          this.#consume(buffer, start);
          continue;
        }
        // The end of the head. A whole head in hand (the usual case) is found with one search;
        // a bare LF inside it is refused by parseHead, as no line may hold one. Otherwise each
        // LF is looked at once, across reads: every LF must follow a CR (a bare LF is refused
        // at once, not after header-timeout).
        let end = buffer.indexOf(HEAD_END, this.#scanned > 3 ? this.#scanned - 3 : 0);
        let lf = end === -1 ? buffer.indexOf(10, this.#scanned) : -1;
        while (lf !== -1) {
          if (lf === 0 || buffer[lf - 1] !== 13) {
            return this.#refuse(
              new HeadError(400, 'a line of the request head not ended by CRLF'),
              buffer.toString('latin1', 0, Math.min(lf, 80)),
            );
          }
          if (lf >= 3 && buffer[lf - 2] === 10) {
            end = lf - 3;
            break;
          }
          lf = buffer.indexOf(10, lf + 1);
        }
        const limit = this.#context.bufferSize;
        if (end === -1) {
          this.#scanned = buffer.length;
          if (buffer.length > limit) {
            return this.#refuse(new HeadError(431, 'the request head is larger than buffer-size'), '');
          }
          if (this.#clientEnded) return this.#refuse(new HeadError(400, 'an incomplete request head'), '');
          if (this.deadlineKind !== Deadline.head) {
            // The first head's time runs from the accept (a slowloris sending its first byte
            // late gains nothing); a later head's from its first byte.
            if (this.#served === 0 && this.deadlineKind === Deadline.idle) this.deadlineKind = Deadline.head;
            else this.#setDeadline(Deadline.head, this.#context.headerTimeoutMs);
          }
          return;
        }
        if (end > limit)
          return this.#refuse(new HeadError(431, 'the request head is larger than buffer-size'), '');
        this.#scanned = 0;
        this.#consume(buffer, end + 4);
        const head = parseHead(buffer.toString('latin1', 0, end));
        if (head instanceof HeadError)
          return this.#refuse(head, buffer.toString('latin1', 0, Math.min(end, 80)));
        if (head.method === 'CONNECT') {
          return this.#refuse(
            new HeadError(405, 'CONNECT is not supported (this is an origin server, not a proxy)'),
            'CONNECT',
          );
        }
        this.#start(head);
      }
      // Pipelined requests pile up behind a slow response: stop reading past a bound.
      if (
        this.#current !== undefined &&
        !this.#bodyPending &&
        (this.#buffer?.length ?? 0) > this.#context.bufferSize
      ) {
        this.setReading(false);
      }
    } finally {
      this.#advancing = false;
    }
  }

  /** Starts one exchange: its body from the bytes in hand, then the application. */
  #start(head: ParsedHead): void {
    const served = ++this.#served;
    this.#emptyLines = 0;
    const keepAlive = head.keepAlive && served < this.#context.maxRequests && !this.#context.draining;
    let body: AsyncIterable<Uint8Array> = emptyBody;
    if (head.framing !== 'none') {
      const sink = new RequestBody(this);
      body = sink;
      this.#sink = sink;
      this.#bodyPending = true;
      if (head.framing === 'chunked') {
        this.#decoder = new ChunkedDecoder(this.#context.bufferSize);
        this.#bodyRemaining = 0;
      } else {
        this.#decoder = undefined;
        this.#bodyRemaining = head.contentLength;
      }
    }
    const exchange = new Http1Exchange(this, head, body, keepAlive);
    this.#current = exchange;
    if (this.#bodyPending) {
      this.#setDeadline(Deadline.body, this.#context.headerTimeoutMs);
      const buffer = this.#buffer;
      if (buffer !== undefined) {
        this.#buffer = undefined;
        const offset = this.#feedBody(buffer, 0);
        if (offset >= 0 && offset < buffer.length) {
          // The rest is the next request's, or (stopped at the turn's budget) this body's.
          if (this.#bodyPending) this.#held = buffer.subarray(offset);
          else this.#buffer = buffer.subarray(offset);
        } else {
          this.#store = undefined;
          this.#storeUsed = 0;
        }
      }
    } else {
      this.#setDeadline(Deadline.none, 0);
    }
    this.#context.onExchange(exchange);
  }

  /** Feeds body bytes from `start`; returns where the body ended in `chunk`, or -1 after a failure. */
  #feedBody(chunk: Buffer, start: number): number {
    if (this.deadlineKind === Deadline.body) {
      this.#setDeadline(Deadline.body, this.#context.headerTimeoutMs);
    }
    const decoder = this.#decoder;
    if (decoder === undefined) {
      const take = Math.min(this.#bodyRemaining, chunk.length - start);
      if (take > 0) this.#sinkRange(chunk, start, start + take, take === this.#bodyRemaining);
      this.#bodyRemaining -= take;
      if (this.#bodyRemaining === 0) this.#bodyFinished();
      return start + take;
    }
    const chunksBefore = decoder.chunks;
    const budget = Math.min(TURN_CHUNKS - this.#turnChunks, chunksLeft());
    const end = decoder.push(chunk, start, this.#onBodyRange, chunksBefore + budget);
    // Per-chunk work is the costly kind (a flood of 1-byte chunks is ~11,000 per read).
    const chunks = decoder.chunks - chunksBefore;
    this.#turnChunks += chunks;
    spendChunks(chunks);
    if (this.#sink === undefined) {
      this.#discardedChunks += chunks;
      if (this.#discardedChunks > DISCARD_CHUNKS) {
        this.destroy();
        return -1;
      }
    }
    // Yield once the turn is used up, or when the pass's budget cut this read short.
    if (this.#turnChunks >= TURN_CHUNKS || (chunks >= budget && !decoder.done)) this.#yieldTurn();
    if (end instanceof HeadError) {
      this.#bodyFailed(`malformed chunked body: ${end.message}`);
      return -1;
    }
    if (decoder.done) {
      // The body belongs to the current exchange (none once skipped after its response).
      const exchange = this.#current;
      if (exchange !== undefined) exchange.rawTrailers = decoder.trailers;
      this.#bodyFinished();
    }
    return this.#closing ? -1 : end;
  }

  readonly #onBodyRange = (input: Buffer, start: number, end: number): void =>
    this.#sinkRange(input, start, end);

  #sinkRange(input: Buffer, start: number, end: number, last = false): void {
    const sink = this.#sink;
    if (sink !== undefined) sink.pushRange(input, start, end, last);
    else {
      this.#discarded += end - start;
      if (this.#discarded > this.#context.discardLimit) this.destroy();
    }
  }

  /**
   * Fairness: a connection that made the worker decode many chunks stops reading until
   * the event loop has served the others (and timers), then resumes when its turn comes
   * round (`turns.ts`: one such connection per pass of the loop). Without it libuv reads up
   * to 32 times from one socket per pass, and a chunk flood on a few connections delays
   * every other client by the whole flood. The read that used the turn up was cut where
   * it did ({@link #held}): a whole read of 1-byte chunks is ~11,000 of them, and twenty
   * connections' first reads, all in one pass, held the loop for tens of milliseconds.
   */
  #yieldTurn(): void {
    this.#turnChunks = 0;
    if (this.#yielding || !this.#reading || this.#closing) return;
    this.#yielding = true;
    this.socket.pause();
    waitForTurn(this.#resumeTurn);
  }

  readonly #resumeTurn = (): void => {
    this.#yielding = false;
    if (!this.#reading || this.socket.destroyed) return;
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined && !this.#closing) {
      this.#take(held);
      // Cut again (or paused): the socket stays paused until the rest is decoded.
      if (this.#yielding || !this.#reading || this.#held !== undefined) return;
    }
    // Also when closing: a lingering close reads (and drops) what the client still sends.
    this.socket.resume();
  };

  #bodyFinished(): void {
    this.#bodyPending = false;
    this.#decoder = undefined;
    this.#sink?.end();
    this.#sink = undefined;
    if (this.deadlineKind === Deadline.body) this.#setDeadline(Deadline.none, 0);
  }

  /** The body cannot be completed: the reader fails, and the connection closes after the response. */
  #bodyFailed(reason: string): void {
    this.#bodyPending = false;
    this.#decoder = undefined;
    const sink = this.#sink;
    this.#sink = undefined;
    this.#buffer = undefined;
    this.#held = undefined;
    this.#releaseHold();
    const current = this.#current;
    if (current !== undefined) current.keepAlive = false;
    if (sink !== undefined) sink.fail(new PorticoError('PORTICO_ERR_BAD_REQUEST', reason));
    // Nothing after a broken body can be trusted to start a request.
    if (current === undefined) this.#closeGracefully();
    else this.#closing = true;
  }

  /** Answers a request that never became an exchange, and closes. */
  #refuse(error: HeadError, what: string): void {
    this.#buffer = undefined;
    this.#store = undefined;
    this.#context.refused(this, error, what);
    this.#closeGracefully(rawResponse(error));
  }

  /** Ends the connection after what was written; `#onData` drops what still comes (see {@link endAndLinger}). */
  #closeGracefully(response?: string): void {
    if (this.#closing && response === undefined && this.socket.writableEnded) return;
    this.#closing = true;
    this.#setDeadline(Deadline.none, 0);
    const socket = this.socket;
    if (!this.#reading) {
      this.#reading = true;
      socket.resume();
    }
    // What the responses of this pass left for the client goes before the end.
    this.output.flush();
    if (!socket.destroyed) endAndLinger(socket, response);
  }

  /**
   * The client sent FIN. Like `node:http`, a response still in progress is given up: a
   * client that half-closes and still waits is rare, one that went away is not, and a
   * response waiting on something (a long poll) would otherwise hold the connection.
   */
  #onEnd(): void {
    this.#clientEnded = true;
    if (this.#bodyPending) this.#bodyFailed('the client closed the connection before the end of the body');
    const current = this.#current;
    if (current !== undefined) {
      this.#current = undefined;
      this.#closing = true;
      current.clientGone();
      this.output.flush();
      this.socket.destroySoon();
    } else if (!this.#closing) this.#advance();
  }

  #onClose(): void {
    this.#closing = true;
    this.#held = undefined;
    this.#buffer = undefined;
    this.#releaseHold();
    this.#setDeadline(Deadline.none, 0);
    if (this.#bodyPending) {
      this.#bodyPending = false;
      this.#sink?.fail(
        new PorticoError('PORTICO_ERR_BAD_REQUEST', 'the connection closed before the end of the body'),
      );
    }
    const current = this.#current;
    this.#current = undefined;
    current?.clientGone();
    this.#context.closed(this);
  }
}

/** The raw response for a refusal (the request never reached the application). */
function rawResponse(error: HeadError): string {
  return rawPlainResponse(error.status, `${reasonPhrase(error.status)}: ${error.message}.`);
}
