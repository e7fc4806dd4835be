/**
 * The harakiri table's memory layout, described once for both sides: the worker's main
 * thread writes it (`table.ts`), the watchdog thread reads it (`thread.ts`). Both build
 * their views with {@link slotViews} from the same {@link HarakiriLayout}, so an offset
 * cannot drift between them.
 *
 * One SharedArrayBuffer holds three arrays, each indexed by slot:
 *
 * | array    | type           | per slot                                            |
 * | -------- | -------------- | --------------------------------------------------- |
 * | `meta`   | `Int32Array`   | {@link META_FIELDS} ints: sequence, fd, headersSent, labelLength |
 * | `starts` | `Float64Array` | the request's start, `Date.now()` milliseconds      |
 * | `labels` | `Uint8Array`   | `labelBytes` bytes: `METHOD URI` in UTF-8, truncated |
 *
 * The sequence is odd while the slot is in use and even while it is free; the writer bumps
 * it after filling the slot and again on release, so a reader that sees the same odd
 * sequence before and after reading knows the slot was whole.
 *
 * @module
 */

/** The fields of a slot's `meta` entry, by index. */
export const META = {
  /** Odd: in use; even: free. Changed with `Atomics.add` only. */
  sequence: 0,
  /** The request's socket file descriptor, or -1: where the thread writes its 504/502. */
  fd: 1,
  /** 1 once the response has started (a raw 504 would then corrupt it), else 0. */
  headersSent: 2,
  /** Bytes of the slot's label in use. */
  labelLength: 3,
} as const;

/** Int32 fields per slot in `meta`. */
export const META_FIELDS = 4;

/** Bytes reserved per slot for the `METHOD URI` label. */
export const LABEL_BYTES = 240;

/** What the watchdog thread is given to read the table (sent as `workerData`). */
export interface HarakiriLayout {
  buffer: SharedArrayBuffer;
  slots: number;
  labelBytes: number;
}

/** The typed views of one table, shared by the writer and the reader. */
export interface SlotViews {
  meta: Int32Array;
  starts: Float64Array;
  labels: Uint8Array;
}

/** Allocates the buffer of a table of `slots` slots. */
export function createLayout(slots: number, labelBytes = LABEL_BYTES): HarakiriLayout {
  return { buffer: new SharedArrayBuffer(slots * (META_FIELDS * 4 + 8 + labelBytes)), slots, labelBytes };
}

/** The views over a table's buffer, the same on both threads. */
export function slotViews({ buffer, slots, labelBytes }: HarakiriLayout): SlotViews {
  const metaBytes = slots * META_FIELDS * 4;
  return {
    meta: new Int32Array(buffer, 0, slots * META_FIELDS),
    starts: new Float64Array(buffer, metaBytes, slots),
    labels: new Uint8Array(buffer, metaBytes + slots * 8, slots * labelBytes),
  };
}

/** Index of `field` of `slot` in `meta`. */
export function metaIndex(slot: number, field: (typeof META)[keyof typeof META]): number {
  return slot * META_FIELDS + field;
}

/** The bytes of `slot`'s label area in `labels`. */
export function labelRange(slot: number, labelBytes: number): { start: number; end: number } {
  return { start: slot * labelBytes, end: (slot + 1) * labelBytes };
}
