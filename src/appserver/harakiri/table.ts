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
import {
  createLayout,
  type HarakiriLayout,
  labelRange,
  META,
  metaIndex,
  slotViews,
  type SlotViews,
} from './layout.ts';

const encoder = new TextEncoder();

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

  /** Records a request that started now; returns its slot, or -1 when the table is full. */
  acquire(fd: number, method: string, uri: string): number {
    const slot = this.#free.pop();
    if (slot === undefined) return -1;
    const { meta, starts, labels } = this.#views;
    const { start, end } = labelRange(slot, this.layout.labelBytes);
    const { written } = encoder.encodeInto(`${method} ${uri}`, labels.subarray(start, end));
    meta[metaIndex(slot, META.fd)] = fd;
    meta[metaIndex(slot, META.headersSent)] = 0;
    meta[metaIndex(slot, META.labelLength)] = written;
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
