/**
 * Closing a connection without losing the response on it.
 *
 * @module
 */
import type { Socket } from 'node:net';

/** How long a closing connection keeps reading (and dropping) what the peer still sends. */
const LINGER_MS = 5000;

/**
 * Ends `socket` after what was written (and `response`, if given): a FIN, not a close.
 * The caller keeps reading and dropping what the peer still sends, since closing a socket
 * with unread bytes makes the kernel send a reset, which can destroy the response before
 * the peer reads it. A peer that never closes is cut after {@link LINGER_MS}.
 */
export function endAndLinger(socket: Socket, response?: string): void {
  if (response === undefined) socket.end();
  else socket.end(response, 'latin1');
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
