/**
 * Harakiri, the watchdog thread (see `table.ts`). Runs in a `worker_threads` thread
 * of each worker process, whose event loop keeps turning while the worker's main loop is
 * blocked. When a request has been in flight longer than harakiri it:
 *
 * 1. writes `504 Gateway Timeout` (`Connection: close`) straight to that request's
 *    socket fd, unless its response had already started; other in-flight requests whose
 *    response had not started get `502 Bad Gateway`, since the process dies under them;
 * 2. reports the request to the master on fd 4 (one JSON line), or logs it on standard
 *    error if there is no master;
 * 3. SIGKILLs its own process: nothing the stuck code does can delay that.
 *
 * @module
 */
import { fstatSync, writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { HARAKIRI_REPORT_FD, type HarakiriReport } from '../messages.ts';
import { type HarakiriLayout, labelRange, META, metaIndex, slotViews } from './layout.ts';

const layout = workerData as HarakiriLayout & { harakiriMs: number; workerId: number };
const { slots, labelBytes, harakiriMs, workerId } = layout;
const { meta, starts, labels } = slotViews(layout);
const decoder = new TextDecoder();

function rawResponse(status: string, text: string): Buffer {
  const body = `${status}\n\n${text}\n`;
  return Buffer.from(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const timeout = rawResponse(
  '504 Gateway Timeout',
  `The request ran longer than the server's harakiri limit (${harakiriMs / 1000} s) and was stopped.`,
);
const collateral = rawResponse(
  '502 Bad Gateway',
  'The worker serving this request was stopped because another request ran too long.',
);

/** A consistent read of a slot in use, or undefined when it is free or changing. */
function readSlot(slot: number) {
  const sequenceAt = metaIndex(slot, META.sequence);
  const sequence = Atomics.load(meta, sequenceAt);
  if (sequence % 2 === 0) return undefined;
  const { start } = labelRange(slot, labelBytes);
  const value = {
    sequence,
    fd: meta[metaIndex(slot, META.fd)] as number,
    headersSent: Atomics.load(meta, metaIndex(slot, META.headersSent)) === 1,
    label: decoder.decode(
      labels.subarray(start, start + (meta[metaIndex(slot, META.labelLength)] as number)),
    ),
    start: starts[slot] as number,
  };
  return Atomics.load(meta, sequenceAt) === sequence ? value : undefined;
}

function answer(slot: number, fd: number, sequence: number, response: Buffer): boolean {
  if (fd < 0 || Atomics.load(meta, metaIndex(slot, META.sequence)) !== sequence) return false;
  try {
    writeSync(fd, response);
    return true;
  } catch {
    return false; // the client left, or the socket buffer is full: the kill closes it anyway
  }
}

function reportPipe(): boolean {
  try {
    return fstatSync(HARAKIRI_REPORT_FD).isFIFO() || fstatSync(HARAKIRI_REPORT_FD).isSocket();
  } catch {
    return false;
  }
}

function check(): void {
  const now = Date.now();
  let expired = -1;
  let oldest = Infinity;
  for (let slot = 0; slot < slots; slot++) {
    const entry = readSlot(slot);
    if (entry !== undefined && now - entry.start >= harakiriMs && entry.start < oldest) {
      oldest = entry.start;
      expired = slot;
    }
  }
  if (expired === -1) return;
  const stuck = readSlot(expired);
  if (stuck === undefined) return;
  const answered = !stuck.headersSent && answer(expired, stuck.fd, stuck.sequence, timeout);
  let others = 0;
  for (let slot = 0; slot < slots; slot++) {
    const entry = slot === expired ? undefined : readSlot(slot);
    if (entry === undefined) continue;
    others++;
    if (!entry.headersSent) answer(slot, entry.fd, entry.sequence, collateral);
  }
  const space = stuck.label.indexOf(' ');
  const report: HarakiriReport = {
    t: 'harakiri',
    method: stuck.label.slice(0, space),
    uri: stuck.label.slice(space + 1),
    age_ms: now - stuck.start,
    others,
    answered,
  };
  try {
    if (reportPipe()) writeSync(HARAKIRI_REPORT_FD, `${JSON.stringify(report)}\n`);
    else {
      writeSync(
        2,
        `${new Date().toISOString()} portico[worker ${workerId} ${process.pid}] error: PORTICO_ERR_HARAKIRI: "${stuck.label}" ran ${report.age_ms} ms (harakiri ${harakiriMs} ms); killing the process\n`,
      );
    }
  } finally {
    process.kill(process.pid, 'SIGKILL');
  }
}

setInterval(check, Math.max(20, Math.min(200, harakiriMs / 5)));
