/**
 * Responses written during one pass of the event loop leave together, at its end.
 *
 * A write to a socket whose peer is asleep wakes the peer: on a virtual machine that is an
 * interrupt sent between CPUs and an exit to the hypervisor on both sides, tens of
 * microseconds of CPU (far more than the write). When every response left the moment it was
 * ready, a worker answering requests one after another woke its client once per response;
 * when they leave together, the first one wakes it and the rest arrive while it runs — and it
 * answers with a batch in turn. Pipelined responses on one connection leave in one system
 * call. The wait is the rest of the pass: the requests that were ready at the same time.
 *
 * Only a busy server holds. Below saturation, held responses leave in bursts, their clients
 * answer in bursts, and the next requests queue behind each other: paced at 40,000 rps,
 * `hello`'s p99 was 1.1 ms held against 0.6 ms sent at once (docs/server.md has the command). So the event loop's utilization
 * is read every {@link BUSY_SAMPLE_MS} ms, and a connection's first write of a pass goes at
 * once unless the loop was busy at least {@link BUSY_UTILIZATION} of that time.
 *
 * Each connection keeps what it wrote in the pass in a {@link PassOutput} of its own (one
 * string, or a few parts), sent with one `socket.write()` by one `setImmediate` for every
 * connection (after the I/O phase that produced the responses). This is what `cork()` /
 * `uncork()` did, without the stream's per-write bookkeeping: a corked `Writable` queues an
 * entry per write and replays them through its buffer on `uncork()`, a cost paid by every
 * response. Large writes, and a pass's output past {@link PASS_LIMIT}, go at once.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Bytes held for the end of a pass at most: past it they are sent at once. */
export const PASS_LIMIT = 16 * 1024;

const held: PassOutput[] = [];
let scheduled = false;

/** How often (ms) the event loop's utilization is read. */
export const BUSY_SAMPLE_MS = 20;
/** The share of that time the loop must have been running for writes to be held. */
export const BUSY_UTILIZATION = 0.8;
let busy = true;
let policy: 'load' | 'always' = 'load';
let lastUse: EventLoopUtilization | undefined;
let sampler: NodeJS.Timeout | undefined;

function sampleBusy(): void {
  const now = performance.eventLoopUtilization();
  busy =
    policy === 'always' || performance.eventLoopUtilization(now, lastUse).utilization >= BUSY_UTILIZATION;
  lastUse = now;
}

/**
 * `'load'` (the default): writes are held while the event loop is busy; `'always'`: every
 * write is held to the end of its pass (for tests of the holding itself).
 */
export function setHoldPolicy(next: 'load' | 'always'): void {
  policy = next;
  busy = true;
}

function flushAll(): void {
  scheduled = false;
  // Output written while this runs (a write from a 'drain' listener) waits for the next pass.
  const outputs = held.splice(0, held.length);
  for (const output of outputs) output.flush();
}

/**
 * What one connection wrote during this pass of the event loop, sent at its end. Strings are
 * sent as UTF-8 (as `socket.write(string)` does); the order of writes is kept. Whoever ends
 * or destroys the socket calls {@link flush} first.
 */
export class PassOutput {
  readonly socket: Socket;
  /** The first part held (the only one, usually), or undefined when nothing is held. */
  #first: string | Uint8Array | undefined = undefined;
  /** The parts after the first, when there are several. */
  #rest: (string | Uint8Array)[] | undefined = undefined;
  #bytes = 0;
  /** Bytes handed over so far, held ones included (the socket's `bytesWritten` lags by those). */
  #total = 0;

  constructor(socket: Socket) {
    this.socket = socket;
  }

  /** The bytes written to the connection so far, those still held for the pass included. */
  get bytesWritten(): number {
    return this.#total;
  }

  /** False when the socket's buffer is full: the writer waits for its 'drain'. */
  get ready(): boolean {
    return !this.socket.writableNeedDrain;
  }

  /**
   * Holds `chunk` (`bytes` long: a string's UTF-8 length) until the end of the pass, or
   * sends it with what is held when that would pass {@link PASS_LIMIT}. Returns false when
   * the socket's buffer is full (wait for 'drain').
   */
  write(chunk: string | Uint8Array, bytes: number): boolean {
    this.#total += bytes;
    if (sampler === undefined) {
      sampler = setInterval(sampleBusy, BUSY_SAMPLE_MS);
      sampler.unref();
    }
    const socket = this.socket;
    if (!busy && this.#first === undefined && !socket.destroyed && !socket.writableEnded)
      return socket.write(chunk);
    if (this.#bytes + bytes > PASS_LIMIT) return this.#sendWith(chunk);
    this.#bytes += bytes;
    if (this.#first === undefined) {
      this.#first = chunk;
      held.push(this);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAll);
      }
    } else (this.#rest ??= []).push(chunk);
    return !socket.writableNeedDrain;
  }

  /** Sends what is held now (before the socket is ended or destroyed). */
  flush(): void {
    const output = this.#take();
    if (output !== undefined) this.socket.write(output);
  }

  /** Sends what is held and `chunk` after it, at once. */
  #sendWith(chunk: string | Uint8Array): boolean {
    const socket = this.socket;
    if (this.#first === undefined) return socket.write(chunk);
    // Still in the list of outputs to flush: that flush will find nothing held.
    const output = this.#take();
    if (output === undefined) return false;
    // Two writes in one system call (a vectored write), the large chunk not copied.
    socket.cork();
    socket.write(output);
    const ok = socket.write(chunk);
    socket.uncork();
    return ok;
  }

  /**
   * What is held, as one string or buffer, and nothing held after; undefined when nothing
   * was, or when the socket is gone (or was ended by a path that did not flush): then the
   * bytes have nowhere to go.
   */
  #take(): string | Uint8Array | undefined {
    const first = this.#first;
    if (first === undefined) return undefined;
    const rest = this.#rest;
    this.#first = undefined;
    this.#rest = undefined;
    this.#bytes = 0;
    if (this.socket.destroyed || this.socket.writableEnded) return undefined;
    return rest === undefined ? first : joined(first, rest);
  }
}

/** Several held parts as one string (all strings) or one buffer. */
function joined(first: string | Uint8Array, rest: (string | Uint8Array)[]): string | Uint8Array {
  if (typeof first === 'string' && rest.every((part) => typeof part === 'string')) {
    return first + rest.join('');
  }
  const buffers = [first, ...rest].map((part) => (typeof part === 'string' ? Buffer.from(part) : part));
  return Buffer.concat(buffers);
}
