/**
 * Harakiri, the main thread's half: a table of the worker's in-flight requests in a
 * SharedArrayBuffer, read by a watchdog thread (`thread.ts`); the layout of that memory is in `layout.ts`.
 *
 * Why a thread: a request that blocks the event loop (a CPU loop, a synchronous call)
 * also blocks every timer and IPC message of the worker, so neither the worker itself
 * nor its master can learn what it was doing. A `worker_threads` thread has its own
 * event loop; it reads the table through shared memory, and on expiry writes a raw
 * `504` to the stuck request's socket (its fd is in the table), reports to the master on
 * a dedicated pipe, and SIGKILLs the process. The master logs and respawns.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import { siblingModule } from '../entry.ts';
import { createLayout, type HarakiriLayout, META, metaIndex, slotViews, type SlotViews } from './layout.ts';

const encoder = new TextEncoder();

/** Copies ASCII `text` into `bytes` from `at`, cut at `end`; returns where it stopped, or -1 at a non-ASCII character. */
function copyAscii(text: string, bytes: Uint8Array, at: number, end: number): number {
  for (let i = 0; i < text.length && at < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return -1;
    bytes[at++] = code;
  }
  return at;
}

/** The module the watchdog thread runs, relative to this one (see `entry.ts`). */
export const WATCHDOG_ENTRY = './thread';

/** The shared table of in-flight requests (main-thread side). */
export class HarakiriTable {
  readonly layout: HarakiriLayout;
  readonly #views: SlotViews;
  readonly #free: number[] = [];

  /** @param slots - requests tracked at once; beyond that, requests go untracked. */
  constructor(slots = 256) {
    this.layout = createLayout(slots);
    this.#views = slotViews(this.layout);
    for (let i = slots - 1; i >= 0; i--) this.#free.push(i);
  }

  /**
   * Records a request that started now; returns its slot, or -1 when the table is full.
   * A few stores into shared memory: an ASCII label (the usual request line) is copied a
   * character at a time, so nothing is allocated; any other is encoded as UTF-8.
   */
  acquire(fd: number, method: string, uri: string): number {
    const slot = this.#free.pop();
    if (slot === undefined) return -1;
    const { meta, starts, labels } = this.#views;
    const start = slot * this.layout.labelBytes;
    const end = start + this.layout.labelBytes;
    let at = copyAscii(method, labels, start, end);
    if (at >= 0 && at < end) labels[at++] = 32;
    if (at >= 0) at = copyAscii(uri, labels, at, end);
    const length =
      at >= 0 ? at - start : encoder.encodeInto(`${method} ${uri}`, labels.subarray(start, end)).written;
    meta[metaIndex(slot, META.fd)] = fd;
    meta[metaIndex(slot, META.headersSent)] = 0;
    meta[metaIndex(slot, META.labelLength)] = length;
    starts[slot] = Date.now();
    Atomics.add(meta, metaIndex(slot, META.sequence), 1); // even → odd: published
    return slot;
  }

  /** Notes that the response has started: from then on a 504 would corrupt it. */
  markHeadersSent(slot: number): void {
    if (slot >= 0) Atomics.store(this.#views.meta, metaIndex(slot, META.headersSent), 1);
  }

  /** Frees the slot of a finished request. */
  release(slot: number): void {
    if (slot < 0) return;
    Atomics.add(this.#views.meta, metaIndex(slot, META.sequence), 1); // odd → even: free
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
