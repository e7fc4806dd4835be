/**
 * What a listener does when it runs out of room: more connections than `max-connections`,
 * or no file descriptor left to accept one with (EMFILE / ENFILE).
 *
 * Node reports a failed accept as an `'error'` event on the server, and a server without a
 * listener for it throws: the process (a worker, with every request in flight) would die
 * of a client flood. libuv already copes (it closes the connections it cannot take, with a
 * reserved descriptor, and keeps accepting); the error is only reported, at most once a second.
 *
 * @module
 */
import type { Server, Socket } from 'node:net';
import { PorticoError } from '../tsgi/errors.ts';
import { logError } from '../tsgi/log.ts';
import type { ErrorStream } from '../tsgi/types.ts';
import { endAndLinger } from './linger.ts';
import { rawPlainResponse } from './plain-response.ts';

const REPORT_EVERY_MS = 1000;

/** Reports at most one error a second (a flood must not become a flood of log lines). */
export function rateLimited(errors: ErrorStream): (error: PorticoError) => void {
  let last = 0;
  let dropped = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < REPORT_EVERY_MS) {
      dropped++;
      return;
    }
    last = now;
    if (dropped > 0) error.message += ` (and ${dropped} more since the last report)`;
    dropped = 0;
    logError(errors, error);
  };
}

/**
 * Keeps `server` alive through failed accepts. Errors that are not about accepting (a
 * failed listen, say) are left to whoever else listens, or thrown as before.
 */
export function surviveAcceptErrors(server: Server, errors: ErrorStream): void {
  const report = rateLimited(errors);
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall === 'accept') {
      report(
        new PorticoError(
          'PORTICO_ERR_ACCEPT_FAILED',
          `cannot accept a connection: ${error.code ?? error.message} (raise ulimit -n, or lower --max-connections)`,
        ),
      );
      return;
    }
    if (server.listenerCount('error') === 1) throw error;
  });
}

/**
 * `max-connections` for an engine that counts its own connections: {@link admit} answers a
 * connection past `max` (0: no bound) with a 503 and a close, and says whether it did; the
 * engine calls {@link release} when an admitted connection closes. No listener is added
 * per connection.
 */
export class ConnectionBound {
  readonly #max: number;
  readonly #report: (error: PorticoError) => void;
  #open = 0;

  constructor(max: number, errors: ErrorStream) {
    this.#max = max;
    this.#report = rateLimited(errors);
  }

  /** Counts `socket` in, or answers it 503 (then returns false and the caller leaves it alone). */
  admit(socket: Socket): boolean {
    const max = this.#max;
    if (max <= 0) return true;
    if (this.#open < max) {
      this.#open++;
      return true;
    }
    socket.on('error', ignore);
    // Read and drop what the client sends, so the close is a FIN after the 503, not a reset.
    socket.resume();
    endAndLinger(socket, rawPlainResponse(503, 'Service Unavailable: too many connections.'));
    this.#report(
      new PorticoError(
        'PORTICO_ERR_TOO_MANY_CONNECTIONS',
        `${max} connections open (max-connections): ${socket.remoteAddress ?? '?'} answered 503`,
      ),
    );
    return false;
  }

  /** An admitted connection closed. */
  release(): void {
    if (this.#max > 0) this.#open--;
  }
}

function ignore(): void {}

/**
 * Counts `server`'s connections and answers each one past `max` (0: no bound) with a 503
 * and a close, before any other `'connection'` listener sees it. Returns a predicate
 * telling the engine's own listener to leave a refused socket alone.
 */
export function boundConnections(
  server: Server,
  max: number,
  errors: ErrorStream,
): (socket: Socket) => boolean {
  if (max <= 0) return () => false;
  const refused = new WeakSet<Socket>();
  const bound = new ConnectionBound(max, errors);
  // One function for every socket (not a closure, nor a `once` wrapper, per connection):
  // 'close' is emitted once.
  const closed = () => bound.release();
  server.prependListener('connection', (socket: Socket) => {
    if (bound.admit(socket)) socket.on('close', closed);
    else refused.add(socket);
  });
  return (socket) => refused.has(socket);
}
