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
 * A socket is corked on its first write of a pass and uncorked, with every other socket
 * corked in that pass, by one `setImmediate` (after the I/O phase that produced the
 * responses). `end()` uncorks by itself; {@link flushNow} is for a socket about to be destroyed.
 *
 * @module
 */
import type { Socket } from 'node:net';

const held: Socket[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // A socket corked again while this runs (a write from a 'drain' listener) waits for the next pass.
  const sockets = held.splice(0, held.length);
  for (const socket of sockets) flushNow(socket);
}

/** Holds `socket`'s writes until the end of this pass of the event loop (once per pass). */
export function holdForPass(socket: Socket): void {
  if (socket.writableCorked > 0) return;
  socket.cork();
  held.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

/** Sends what `socket` holds now (before destroying it, which would drop it). */
export function flushNow(socket: Socket): void {
  while (socket.writableCorked > 0) socket.uncork();
}
