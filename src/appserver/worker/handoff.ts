/**
 * `--accept master` out of file descriptors: a connection node:cluster hands over that the
 * worker cannot receive is acknowledged (and so closed by the master), or the worker would
 * never be handed another one.
 *
 * With round-robin scheduling the master accepts, sends each connection's descriptor to a
 * worker over the IPC channel, and waits for the worker's acknowledgement before it hands
 * that worker the next one (Node's `RoundRobinHandle.handoff`). A worker at its
 * `ulimit -n` cannot receive the descriptor (the kernel truncates the control message):
 * Node's channel sees the `newconn` message without its handle and answers
 * `NODE_HANDLE_NACK`, which the master only acts on for handles it keeps a copy of to
 * retransmit — a raw TCP handle (`net.Native`, what round-robin sends) has none (Node 24:
 * no `postSend` for that type). So no retransmission comes, the `newconn` message never
 * reaches cluster's worker side, no acknowledgement is sent, and the master keeps the
 * worker "busy" for good: alive, never handed a connection again, even once descriptors
 * are free (and the master never closes the connection it holds).
 *
 * The worker answers for cluster: an acknowledgement with `accepted: true`, which makes
 * the master close its copy of the connection (the client sees it closed, as with
 * libuv's own EMFILE handling on an accepting socket) and hand this worker the next one.
 * The reply uses cluster's internal message shape (`{cmd: 'NODE_CLUSTER', ack: seq}`),
 * which `test/server/fd-limit.test.ts` checks against the Node version in use.
 *
 * @module
 */

import { PorticoError } from '../../tsgi/errors.ts';
import { logError } from '../../tsgi/log.ts';
import type { ErrorStream } from '../../tsgi/types.ts';

/** Node's internal wrapper of a message sent with a handle. */
interface HandleMessage {
  cmd?: unknown;
  msg?: { cmd?: unknown; act?: unknown; seq?: unknown };
}

/**
 * Installs the acknowledgement in this (worker) process; each lost connection is logged as
 * `PORTICO_ERR_ACCEPT_FAILED` on `errors`, at most once a second.
 */
export function acknowledgeLostHandoffs(errors: ErrorStream): void {
  let last = 0;
  let lost = 0;
  const onLost = () => {
    lost++;
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    logError(
      errors,
      new PorticoError(
        'PORTICO_ERR_ACCEPT_FAILED',
        `${lost} connection${lost === 1 ? '' : 's'} handed over by the master could not be received (out of file descriptors: raise ulimit -n, or lower --max-connections); closed`,
      ),
    );
    lost = 0;
  };
  if (typeof process.send !== 'function') return;
  // 'internalMessage' is the event Node's IPC channel emits for its own (NODE_*) messages.
  (process as NodeJS.EventEmitter).on('internalMessage', (message: HandleMessage, handle: unknown) => {
    if (handle || message === null || typeof message !== 'object' || message.cmd !== 'NODE_HANDLE') return;
    const inner = message.msg;
    if (inner?.cmd !== 'NODE_CLUSTER' || inner.act !== 'newconn' || typeof inner.seq !== 'number') return;
    if (process.connected) process.send?.({ cmd: 'NODE_CLUSTER', ack: inner.seq, accepted: true });
    onLost();
  });
}
