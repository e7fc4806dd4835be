/**
 * Harakiri, the main thread's half: a table of the worker's in-flight requests in a
 * SharedArrayBuffer, read by a watchdog thread (`thread.ts`).
 *
 * Why a thread: a request that blocks the event loop (a CPU loop, a synchronous call)
 * also blocks every timer and IPC message of the worker, so neither the worker itself
 * nor its master can learn what it was doing. A `worker_threads` thread has its own
 * event loop; it reads the table through shared memory, and on expiry writes a raw
 * `504` to the stuck request's socket (its fd is in the table), reports to the master on
 * a dedicated pipe, and SIGKILLs the process. The master logs and respawns.
 *
 * Each slot is published with a sequence number (odd: in use, even: free) so the thread
 * never acts on a half-written slot.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { siblingModule } from '../entry.ts';

const META = 4; // per slot: [sequence, fd, headersSent, labelLength]
const LABEL_BYTES = 240;
const encoder = new TextEncoder();

/** The module the watchdog thread runs, relative to this one (see `entry.ts`). */
export const WATCHDOG_ENTRY = './thread';

/** The layout the watchdog thread needs to read the table. */
export interface HarakiriLayout {
  buffer: SharedArrayBuffer;
  slots: number;
  labelBytes: number;
}

/** The shared table of in-flight requests (main-thread side). */
export class HarakiriTable {
  readonly layout: HarakiriLayout;
  readonly #meta: Int32Array;
  readonly #starts: Float64Array;
  readonly #labels: Uint8Array;
  readonly #free: number[] = [];

  /** @param slots - requests tracked at once; beyond that, requests go untracked. */
  constructor(slots = 256) {
    const metaBytes = slots * META * 4;
    const buffer = new SharedArrayBuffer(metaBytes + slots * 8 + slots * LABEL_BYTES);
    this.#meta = new Int32Array(buffer, 0, slots * META);
    this.#starts = new Float64Array(buffer, metaBytes, slots);
    this.#labels = new Uint8Array(buffer, metaBytes + slots * 8, slots * LABEL_BYTES);
    for (let i = slots - 1; i >= 0; i--) this.#free.push(i);
    this.layout = { buffer, slots, labelBytes: LABEL_BYTES };
  }

  /** Records a request that started now; returns its slot, or -1 when the table is full. */
  acquire(fd: number, method: string, uri: string): number {
    const slot = this.#free.pop();
    if (slot === undefined) return -1;
    const base = slot * META;
    const { written } = encoder.encodeInto(
      `${method} ${uri}`,
      this.#labels.subarray(slot * LABEL_BYTES, (slot + 1) * LABEL_BYTES),
    );
    this.#meta[base + 1] = fd;
    this.#meta[base + 2] = 0;
    this.#meta[base + 3] = written;
    this.#starts[slot] = Date.now();
    Atomics.add(this.#meta, base, 1); // even → odd: published
    return slot;
  }

  /** Notes that the response has started: from then on a 504 would corrupt it. */
  markHeadersSent(slot: number): void {
    if (slot >= 0) Atomics.store(this.#meta, slot * META + 2, 1);
  }

  /** Frees the slot of a finished request. */
  release(slot: number): void {
    if (slot < 0) return;
    Atomics.add(this.#meta, slot * META, 1); // odd → even: free
    this.#free.push(slot);
  }
}

/** Starts the watchdog thread; it never keeps the process alive by itself. */
export function startWatchdog(table: HarakiriTable, harakiriMs: number, workerId: number): Worker {
  const thread = new Worker(siblingModule(import.meta.url, WATCHDOG_ENTRY), {
    workerData: { ...table.layout, harakiriMs, workerId },
  });
  thread.unref();
  return thread;
}
