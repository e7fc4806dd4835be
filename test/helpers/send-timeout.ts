/**
 * Fixtures for `send-timeout`: an application with a large streamed body that records how
 * much of it was pulled and whether it was closed, and a client that never reads.
 */
import { after } from 'node:test';
import { connect, type Socket } from 'node:net';
import type { Application } from '../../src/tsgi/types.ts';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** 32 MiB in 64 KiB chunks, from a generator: `state.pulled` counts chunks taken, `state.closed` its end. */
export function bigBody(): { app: Application; chunks: number; state: { pulled: number; closed: boolean } } {
  const chunks = 512;
  const state = { pulled: 0, closed: false };
  const app: Application = (_environ, start) => {
    start('200 OK', [['Content-Type', 'application/octet-stream']]);
    return (function* () {
      try {
        for (let i = 0; i < chunks; i++) {
          state.pulled++;
          yield CHUNK;
        }
      } finally {
        state.closed = true;
      }
    })();
  };
  return { app, chunks, state };
}

/** A client that sends `request` and never reads; `closedWithin` starts reading and waits for the end. */
export interface NeverReader {
  readonly socket: Socket;
  /** Starts reading (dropping the bytes) and resolves whether the connection ended within `ms`. */
  closedWithin(ms: number): Promise<boolean>;
}

/** Connects, sends `request` (bytes), and reads nothing. */
export function neverReader(port: number, request: string | Uint8Array): Promise<NeverReader> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.pause();
      socket.write(request);
      after(() => socket.destroy());
      let closed = false;
      socket.once('close', () => (closed = true));
      resolve({
        socket,
        closedWithin(ms) {
          if (closed) return Promise.resolve(true);
          socket.resume();
          return new Promise((done) => {
            const timer = setTimeout(() => done(false), ms);
            socket.once('close', () => {
              clearTimeout(timer);
              done(true);
            });
          });
        },
      });
    });
    socket.once('error', reject);
  });
}
