/**
 * Waiting for room in a writable (a socket, a `node:http` response): the one wait every
 * engine's `Exchange.drained()` needs.
 *
 * @module
 */
import type { Writable } from 'node:stream';

/** Resolves when `stream` can take more bytes, or is gone (then writing is moot). */
export function whenDrained(stream: Writable): Promise<void> {
  if (stream.destroyed || !stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
