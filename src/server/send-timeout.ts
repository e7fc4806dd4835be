/**
 * `send-timeout`: a connection whose response makes no progress is closed.
 *
 * A client that asks for a response and never reads it fills the socket's buffers; the
 * response then waits for a drain that never comes, and the connection (with the
 * application's body iterator, suspended by backpressure) is held forever. uWSGI's
 * `socket-timeout` and nginx's `send_timeout` bound that wait; this is the same bound:
 * when bytes wait to be sent and none has left for `send-timeout` seconds, the
 * connection is reset (the response's body is closed as for a client that went away)
 * and the event logged, at most once a second. A client that reads slowly but steadily
 * is never cut: the clock restarts with every byte the kernel takes.
 *
 * One sweep every half second (a tenth of the timeout when shorter) looks at every
 * connection of the listener, so a connection is closed within the timeout plus half a
 * second; a connection with nothing waiting to be sent costs one property read.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { PorticoError } from '../tsgi/errors.ts';
import { escapeLogValue } from '../tsgi/log.ts';
import type { ErrorStream } from '../tsgi/types.ts';
import { rateLimited } from './capacity.ts';
import { addIndexed, type Indexed, removeIndexed } from './indexed-list.ts';

/** The parts of a `net.Socket` (and its libuv handle) that tell how far its output got. */
interface OutputState {
  /** Bytes handed to libuv so far (net.Socket's own counter). */
  _bytesDispatched?: number;
  /** Bytes libuv still holds (not yet taken by the kernel). */
  _handle?: { writeQueueSize?: number } | null;
}

/** A number that grows whenever the kernel takes bytes of the socket's output. */
function bytesSent(socket: Socket): number {
  const state = socket as unknown as OutputState;
  const dispatched = state._bytesDispatched;
  const queued = state._handle?.writeQueueSize;
  if (typeof dispatched === 'number' && typeof queued === 'number') return dispatched - queued;
  // Without Node's counters: what Writable has seen completed (coarser, never wrong).
  return (socket.bytesWritten ?? 0) - socket.writableLength;
}

/** Per connection: the output position last seen, and since when it has not moved (0: nothing waiting). */
export interface Watch {
  sent: number;
  since: number;
}

/** A tracked socket's watch, and where it is in the list. */
interface Tracked extends Watch, Indexed {
  readonly socket: Socket;
}
const TRACKED = Symbol('portico.sendTimeout');

/** Watches a listener's connections and closes those whose output stalls past the timeout. */
export class SendTimeout {
  readonly #ms: number;
  readonly #seconds: number;
  readonly #report: (error: PorticoError) => void;
  // Each entry found from its socket; not a Map: see indexed-list.ts.
  readonly #sockets: Tracked[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** One listener for every socket's 'close' (emitted once; `this` is the socket). */
  readonly #untrack: (this: Socket) => void;

  /** @param seconds - `send-timeout`; 0 turns the bound off. */
  constructor(seconds: number, errors: ErrorStream) {
    this.#seconds = seconds;
    this.#ms = seconds * 1000;
    this.#report = rateLimited(errors);
    const sockets = this.#sockets;
    this.#untrack = function (this: Socket) {
      const entry = (this as Socket & { [TRACKED]?: Tracked })[TRACKED];
      if (entry !== undefined) removeIndexed(sockets, entry);
    };
  }

  /** Starts watching `socket` (until it closes). */
  track(socket: Socket): void {
    if (this.#ms <= 0) return;
    const entry: Tracked = { socket, sent: 0, since: 0, index: -1 };
    addIndexed(this.#sockets, entry);
    (socket as Socket & { [TRACKED]?: Tracked })[TRACKED] = entry;
    socket.on('close', this.#untrack);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.sweep(Date.now()), this.sweepMs);
      this.#timer.unref();
    }
  }

  /** Stops the sweep (the listener closed, or nothing was left to watch at the last sweep). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Checks every watched connection; exposed for tests. */
  sweep(now: number): void {
    // Stopped here, not when the last connection closes: one connection at a time would
    // otherwise start and stop a timer per connection.
    const sockets = this.#sockets;
    if (sockets.length === 0) return this.stop();
    // Backwards: an entry removed meanwhile is replaced by the last, already visited.
    for (let i = sockets.length - 1; i >= 0; i--) {
      const entry = sockets[i] as Tracked;
      if (this.check(entry.socket, entry, now)) removeIndexed(sockets, entry);
    }
  }

  /** True when the bound is on (send-timeout above 0). */
  get enabled(): boolean {
    return this.#ms > 0;
  }

  /** How often an engine that sweeps its own connections should call {@link check}. */
  get sweepMs(): number {
    return Math.max(10, Math.min(500, this.#ms / 10));
  }

  /**
   * Checks one connection, for an engine that sweeps its own connections instead of
   * calling {@link track}: `watch` is that connection's state (start it at 0, 0). Resets
   * the connection and returns true when its output has stalled past the timeout.
   */
  check(socket: Socket, watch: Watch, now: number): boolean {
    if (socket.writableLength === 0 || socket.destroyed) {
      watch.since = 0;
      return false;
    }
    const sent = bytesSent(socket);
    if (watch.since === 0 || sent !== watch.sent) {
      watch.sent = sent;
      watch.since = now;
      return false;
    }
    if (now - watch.since < this.#ms) return false;
    const peer =
      socket.remoteAddress === undefined
        ? 'a unix-socket peer'
        : escapeLogValue(`${socket.remoteAddress}:${socket.remotePort ?? '?'}`);
    this.#report(
      new PorticoError(
        'PORTICO_ERR_SEND_TIMEOUT',
        `${peer} read nothing for ${this.#seconds} s (send-timeout) with ${socket.writableLength} bytes waiting: connection closed`,
      ),
    );
    // A reset, not a FIN: a FIN would queue behind the unsent bytes (the peer sees it only
    // after reading them), and the kernel would keep those for minutes on an orphan socket.
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy(); // not TCP (a unix socket): no reset to send
    }
    return true;
  }
}
