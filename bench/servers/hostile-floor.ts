/**
 * The floor of the `hostile` bench (`--engines floor`): what any Node server pays under the
 * 1-byte-chunk floods, with none of an HTTP server's work. Bare `node:net`: every request
 * head is answered `200 ok` on sight (kept alive); after a `POST`, the rest of the
 * connection is only counted, never decoded: a `POST /discard` is reset after 24 KiB (what
 * the engines decode of an unread body, 4,096 1-byte chunks, before they close), a `POST /`
 * is drained for as long as it lasts. Its good-client p99 is the least a Node server on this
 * machine can show under the same attack. On SIGUSR2 it reports its stalls
 * (bench/lib/stalls.ts), and it announces itself as `portico serve` does, so the bench
 * reads its pid and port the same way.
 */
import net from 'node:net';
import { reportStallsOnSignal } from '../lib/stalls.ts';

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
/** Bytes of an unread body counted before a reset (4,096 chunks of `1\r\nx\r\n`). */
const DISCARD_BYTES = 24 * 1024;

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let pending = '';
  /** After a POST: the bytes left before the reset (Infinity: drained for ever). */
  let draining: number | undefined;
  socket.on('data', (bytes: Buffer) => {
    if (draining !== undefined) {
      if ((draining -= bytes.length) <= 0) socket.destroy();
      return;
    }
    pending += bytes.toString('latin1');
    for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
      const head = pending.slice(0, end);
      pending = pending.slice(end + 4);
      socket.write(OK);
      if (head.startsWith('POST')) {
        draining = head.startsWith('POST /discard') ? DISCARD_BYTES - pending.length : Infinity;
        pending = '';
        if (draining <= 0) socket.destroy();
        return;
      }
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as net.AddressInfo;
  process.stdout.write(`worker 1 (pid ${process.pid}) ready\nserving on http://127.0.0.1:${port}\n`);
});
reportStallsOnSignal();
process.on('SIGTERM', () => process.exit(0));
