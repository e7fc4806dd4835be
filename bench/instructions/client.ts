/**
 * A fixed number of requests, for instruction counts (`count.sh`): CONNS connections in
 * parallel, each sending its requests one after the other. Modes: `keep` (HTTP, one
 * kept-alive connection each), `close` (HTTP, a new connection per request, as a
 * `Connection: close` client or nginx's `proxy_pass` without upstream keep-alive), `uwsgi`
 * (a uwsgi packet per connection, as nginx's `uwsgi_pass` sends; TARGET is the socket path),
 * `api` (kept alive, the `api` workload's `POST /people/` with its 10-field JSON body).
 *
 * Usage: node bench/instructions/client.ts keep|close|uwsgi|api TARGET CONNS REQUESTS_PER_CONN [PATH]
 * (TARGET: a port for HTTP, a unix socket path for uwsgi; PATH the `GET` target of `keep` and
 * `close`, default `/`, e.g. W2's `/api/r99/42/`). Prints the responses counted.
 */
import net from 'node:net';
import { encodePacket } from '../../src/server/uwsgi/packet.ts';
import { API_BODY } from '../servers/api/spec.ts';

const [mode, target, conns, per] = [
  process.argv[2],
  process.argv[3] ?? '',
  Number(process.argv[4]),
  Number(process.argv[5]),
];
const requestPath = process.argv[6] ?? '/';
if (mode !== 'keep' && mode !== 'close' && mode !== 'uwsgi' && mode !== 'api')
  throw new Error('mode: keep, close, uwsgi or api');

const http = Buffer.from(
  mode === 'api'
    ? `POST /people/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(API_BODY)}\r\n\r\n${API_BODY}`
    : `GET ${requestPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n${mode === 'close' ? 'Connection: close\r\n' : ''}\r\n`,
  'latin1',
);
// What nginx's uwsgi_params send for `GET /`.
const uwsgi = encodePacket(
  Object.entries({
    QUERY_STRING: '',
    REQUEST_METHOD: 'GET',
    CONTENT_TYPE: '',
    CONTENT_LENGTH: '',
    REQUEST_URI: '/',
    PATH_INFO: '/',
    DOCUMENT_ROOT: '/usr/share/nginx/html',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '41234',
    SERVER_PORT: '8080',
    SERVER_NAME: 'localhost',
    HTTP_HOST: '127.0.0.1:8080',
    HTTP_USER_AGENT: 'wrk',
  }),
);
let responses = 0;

/** One connection carrying `count` requests (one for close and uwsgi); resolves when it closes. */
function connection(count: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = mode === 'uwsgi' ? net.connect(target) : net.connect(Number(target), '127.0.0.1');
    let buffer = '';
    let answered = 0;
    socket.on('connect', () => socket.write(mode === 'uwsgi' ? uwsgi : http));
    socket.on('data', (data: Buffer) => {
      buffer += data.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.slice(end + 4 + length);
        answered++;
        responses++;
        if (answered < count) socket.write(http);
        else if (mode === 'keep' || mode === 'api') socket.end();
      }
    });
    socket.on('end', () => socket.end());
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

await Promise.all(
  Array.from({ length: conns }, async () => {
    if (mode === 'keep' || mode === 'api') await connection(per);
    else for (let i = 0; i < per; i++) await connection(1);
  }),
);
process.stdout.write(`${responses}\n`);
