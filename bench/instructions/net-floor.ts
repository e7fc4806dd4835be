/**
 * The floor under the uwsgi path: a bare `net.createServer` that answers every connection's
 * first bytes with a fixed `200 {"hello":"world"}` and closes, parsing nothing. What
 * `node:net` costs per connection, for `count.sh uwsgi` next to `portico serve --uwsgi`.
 *
 * Usage: node bench/instructions/net-floor.ts SOCKET [finish|end]
 * - `finish` (default): end() and destroy once the response is handed to the kernel (what
 *   the uwsgi engine does on a unix socket);
 * - `end`: end() and wait for the peer to close.
 */
import net from 'node:net';

const [path, close = 'finish'] = [process.argv[2], process.argv[3]];
if (path === undefined || (close !== 'finish' && close !== 'end')) {
  throw new Error('usage: net-floor.ts SOCKET [finish|end]');
}
const body = '{"hello":"world"}';
const response = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;

function destroy(this: net.Socket): void {
  this.destroy();
}

const server = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.once('data', () => {
    if (close === 'finish') socket.on('finish', destroy);
    socket.end(response, 'latin1');
  });
});
server.listen({ path, backlog: 1024 });
process.on('SIGINT', () => server.close(() => process.exit(0)));
