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
 */
const waiting: (() => void)[] = [];
let head = 0;
let scheduled = false;

function next(): void {
  scheduled = false;
  const resume = waiting[head];
  if (resume === undefined) return;
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
