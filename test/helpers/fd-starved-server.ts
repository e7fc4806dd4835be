/**
 * A server for the EMFILE test: run under a small `ulimit -n`, it serves on a free port,
 * prints the port, and exits when its standard input closes. The engine is argv[2].
 */
import { serve } from '../../src/server/index.ts';

const engine = process.argv[2] === 'node' ? 'node' : 'portico';
const server = await serve(
  (_environ, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return ['ok'];
  },
  { host: '127.0.0.1', port: 0, engine, maxConnections: 0 },
);
process.stdout.write(`${server.address.port}\n`);
// The work an app server's heartbeat does: rss() opens a file, and must not throw out of a timer.
setInterval(() => {
  try {
    process.memoryUsage.rss();
  } catch {
    // As the worker does: keep the last reading.
  }
}, 50).unref();
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
