/**
 * The application of the `hostile` bench, served by `portico serve` (bench/hostile.ts gives
 * it short timeouts, so that abuse ends within a bench run). Three routes: `/` (a small
 * answer, after reading the body), `/discard` (answers without reading the body) and `/big`
 * (8 MiB streamed in 64 KiB chunks, for a client that never reads). Loaded in the worker,
 * it also reports on SIGUSR2 how long the worker's event loop stalled since the last one
 * (bench/lib/stalls.ts).
 */
import type { Application } from '../../src/tsgi/types.ts';
import { reportStallsOnSignal } from '../lib/stalls.ts';

const chunk = Buffer.alloc(64 * 1024, 'x');

export const application: Application = async (environ, start) => {
  const path = environ.PATH_INFO;
  if (path === '/big') {
    start('200 OK', [['Content-Type', 'application/octet-stream']]);
    return (function* () {
      for (let i = 0; i < 128; i++) yield chunk;
    })();
  }
  if (path !== '/discard') await environ['tsgi.input'].read();
  start('200 OK', [['Content-Type', 'text/plain']]);
  return ['ok'];
};

reportStallsOnSignal();
