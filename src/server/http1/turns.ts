/**
 * Fairness between connections that flood the worker with per-chunk work (1-byte chunks).
 *
 * A connection that used up its turn (see `Connection`'s `TURN_CHUNKS`) stops reading and
 * waits here; one waiting connection resumes per pass of the event loop, in arrival order.
 * Resuming each one in its own `setImmediate` let every flooder read again in the same
 * pass, so a well-behaved request waited behind one read of each of them (20 floods:
 * about 4 ms of decoding per pass); now it waits behind at most one. A lone flooder still
 * reads once per pass, as before, so a legitimate upload of small chunks loses nothing
 * when nobody else is waiting.
 *
 * Reads that reach connections outside their turn (the first read of a new connection,
 * all of them in the same pass) share one budget of chunks per pass ({@link chunksLeft}):
 * twenty floods opened at once used to decode ~11,000 chunks each before anything else ran.
 *
 * The budget is counted in chunks, the `portico` engine's unit of work. The `node` engine,
 * whose parser cannot count them for it, spends the time it gave node:http instead, at
 * {@link NS_PER_CHUNK} a chunk (src/server/node-feed.ts).
 */

/** What decoding one chunk costs the `portico` engine: the budget's rate for time spent. */
export const NS_PER_CHUNK = 25;

/** Served entries are cleared: see {@link next}. */
const waiting: ((() => void) | undefined)[] = [];
let head = 0;
let scheduled = false;

/** The chunks that may be decoded in one pass of the event loop outside a turn, and in a turn. */
export const PASS_CHUNKS = 4096;
/** Chunks decoded since the pass (or the turn) began. */
let spent = 0;

/** How many chunks a connection may decode now (the rest of its read waits for a turn). */
export function chunksLeft(): number {
  return spent < PASS_CHUNKS ? PASS_CHUNKS - spent : 0;
}

/** Counts chunks decoded against this pass's budget (it is renewed on the next pass). */
export function spendChunks(chunks: number): void {
  if (chunks === 0) return;
  spent += chunks;
  schedule();
}

function next(): void {
  scheduled = false;
  // A new pass: a fresh budget, first for the connection whose turn it is.
  spent = 0;
  const resume = waiting[head];
  if (resume === undefined) return;
  // Served: let it go now, not when the array is next trimmed (up to 1,024 turns later,
  // under a flood that never empties the queue), so its connection can be collected young.
  waiting[head] = undefined;
  head++;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  } else {
    // Under a steady flood the queue never empties: drop what was served now and then,
    // so the array stays as long as the number of waiting connections.
    if (head >= 1024) {
      waiting.splice(0, head);
      head = 0;
    }
    schedule();
  }
  resume();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(next);
}

/** Queues `resume` to run on a later pass of the event loop, after those queued before it. */
export function waitForTurn(resume: () => void): void {
  waiting.push(resume);
  schedule();
}

/** How many connections wait for a turn (for tests). */
export function waitingForTurn(): number {
  return waiting.length - head;
}
