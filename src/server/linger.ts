/**
 * Closing a connection without losing the response on it.
 *
 * @module
 */
import type { Socket } from 'node:net';

/** How long a closing connection keeps reading (and dropping) what the peer still sends. */
const LINGER_MS = 5000;
/**
 * How much it reads before giving up: enough for a client to notice the response and stop
 * (nginx's lingering close reads in the same spirit), not a flood's worth of CPU.
 */
export const LINGER_BYTES = 1024 * 1024;

/**
 * Ends `socket` after what was written (and `response`, if given): a FIN, not a close.
 * The caller keeps reading and dropping what the peer still sends, since closing a socket
 * with unread bytes makes the kernel send a reset, which can destroy the response before
 * the peer reads it. A peer that never closes is cut after {@link LINGER_MS}, one that keeps
 * sending after {@link LINGER_BYTES}. The linger starts once the response has left (the
 * socket's `'finish'`).
 */
export function endAndLinger(socket: Socket, response?: string): void {
  if (response === undefined) socket.end();
  else socket.end(response, 'latin1');
  // The linger runs from the moment everything was sent (a large last write may take a
  // slow reader a while; send-timeout bounds a reader that takes nothing).
  let timer: NodeJS.Timeout | undefined;
  const linger = () => {
    timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
  };
  if (socket.writableFinished) linger();
  else socket.once('finish', linger);
  socket.once('close', () => {
    clearTimeout(timer);
    socket.off('finish', linger);
  });
  let drained = 0;
  socket.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_BYTES) socket.destroy();
  });
}
