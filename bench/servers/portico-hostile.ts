/**
 * The server of the `hostile` bench: Portico on the engine named by `argv[3]` (`portico`
 * or `node`), short timeouts so that abuse ends within a bench run, and three routes:
 * `/` (a small answer), `/discard` (answers without reading the body) and `/big` (8 MiB
 * streamed in 64 KiB chunks, for a client that never reads). On SIGUSR2 it prints how long
 * its event loop stalled since the last one (bench/lib/stalls.ts).
 */
import { serve } from '../../src/server/index.ts';
import type { Application } from '../../src/tsgi/types.ts';
import { reportStallsOnSignal } from '../lib/stalls.ts';
import { announce, HOST, portFromArgs } from './common.ts';

const engine = process.argv[3] === 'node' ? 'node' : 'portico';
const chunk = Buffer.alloc(64 * 1024, 'x');

const app: Application = async (environ, start) => {
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

const server = await serve(app, {
  host: HOST,
  port: portFromArgs(),
  engine,
  headerTimeout: 5,
  keepaliveTimeout: 5,
  sendTimeout: 5,
  maxConnections: 0,
  errors: { write() {}, flush() {} },
});
reportStallsOnSignal();
announce(server.address.port, () => server.close(0));
