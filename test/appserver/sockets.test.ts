/**
 * The app server's listeners over real sockets: several HTTP and uwsgi sockets (TCP and
 * unix) served by every worker, the listen backlog, static-map, and the uwsgi refusals —
 * each closing one connection, logged, while the workers live on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePacket, type UwsgiVar } from '../../src/server/uwsgi/packet.ts';
import { parseResponses } from '../helpers/raw-http.ts';
import { uwsgiRequest, WORKED_EXAMPLE } from '../server/uwsgi/client.ts';
import { eventually, get, readStats, startPortico } from './helpers.ts';

const uwsgiGet = (uri: string, extra: UwsgiVar[] = []): Buffer =>
  encodePacket([
    ['REQUEST_METHOD', 'GET'],
    ['REQUEST_URI', uri],
    ['SERVER_PROTOCOL', 'HTTP/1.1'],
    ['HTTP_HOST', 'example.test'],
    ...extra,
  ]);

/** The one response in `data`, parsed. */
function only(data: Buffer) {
  const responses = parseResponses(data, {});
  assert.equal(responses.length, 1, data.toString('latin1'));
  return responses[0] as NonNullable<(typeof responses)[0]>;
}

/** The sockets of the ready line: `on URL, URL (master pid`. */
function readyUrls(stdout: string): string[] {
  const match = / on (\S.*?) \(master pid/.exec(stdout);
  assert.ok(match, stdout);
  return (match[1] as string).split(', ');
}

/** A GET over HTTP on a unix socket, one connection per request. */
function unixGet(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

/** The accept queue length the kernel gave the socket listening on `port` (`ss`'s Send-Q), if `ss` exists. */
function kernelBacklog(port: number): number | undefined {
  const result = spawnSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  const fields = result.stdout.trim().split(/\s+/);
  return fields.length >= 3 ? Number(fields[2]) : undefined;
}

test('--uwsgi and --static-map: both served by every worker, next to HTTP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-sockets-'));
  writeFileSync(join(dir, 'hello.txt'), 'static hello\n');
  const socket = join(dir, 'app.sock');
  writeFileSync(socket, ''); // not a socket: the master must refuse it, not delete it
  const refused = await startPortico(['examples/echo/app.ts', '--uwsgi', socket]).catch((e: Error) => e);
  assert.match(String(refused), /the path exists and is not a socket/);

  const sock2 = join(dir, 'app2.sock');
  const portico = await startPortico([
    'examples/echo/app.ts',
    '--workers',
    '2',
    '--uwsgi',
    sock2,
    '--static-map',
    `/static=${dir}`,
  ]);
  const file = await get(`${portico.url}/static/hello.txt`);
  assert.deepEqual([file.status, file.body], [200, 'static hello\n']);
  assert.equal((await get(`${portico.url}/other`)).status, 200, 'the app still serves the rest');
  for (let i = 0; i < 3; i++) {
    const result = await uwsgiRequest(sock2, WORKED_EXAMPLE);
    assert.match(result.data.toString('latin1'), /^HTTP\/1\.[01] 200 /);
  }
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});

test('several HTTP and uwsgi sockets, TCP and unix, each served by every worker, with the listen backlog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-many-'));
  const httpSock = join(dir, 'http.sock');
  const uwsgiSock = join(dir, 'uwsgi.sock');
  const portico = await startPortico([
    'examples/echo/app.ts',
    '--workers',
    '2',
    // Round-robin, so that both workers are seen to serve every socket.
    '--accept',
    'master',
    '--http',
    '127.0.0.1:0',
    '--http',
    httpSock,
    '--uwsgi',
    '127.0.0.1:0',
    '--socket', // uWSGI's spelling of --uwsgi, repeated
    `unix:${uwsgiSock}`,
    '--chmod-socket',
    '600',
    '--listen',
    '77',
    '--access-log',
    '--access-log-format',
    'wid=%(wid) uri=%(uri) status=%(status) size=%(size)',
  ]);
  const urls = readyUrls(portico.stdout());
  const tcpUwsgi = urls.find((url) => url.startsWith('uwsgi://')) as string;
  const uwsgiPort = Number(/:(\d+)$/.exec(tcpUwsgi)?.[1]);
  const httpPorts = urls
    .filter((url) => url.startsWith('http://'))
    .map((url) => Number(/:(\d+)$/.exec(url)?.[1]));
  assert.equal(urls.length, 5, urls.join(' '));
  assert.equal(urls[1], `http+unix:${httpSock}`, "in the order given: the helper's --http comes last");
  assert.equal(urls.at(-1), `uwsgi+unix:${uwsgiSock}`);
  for (const path of [httpSock, uwsgiSock]) assert.equal(statSync(path).mode & 0o777, 0o600, path);

  // Four requests per socket, each on a new connection: round-robin gives each worker two.
  const rounds = 4;
  for (let i = 0; i < rounds; i++) {
    for (const [n, port] of httpPorts.entries()) {
      const response = await get(`http://127.0.0.1:${port}/h${n}/${i}`, { headers: { Connection: 'close' } });
      assert.equal(response.status, 200);
    }
    const overUnix = await unixGet(httpSock, `/hu/${i}`);
    assert.equal(overUnix.status, 200);
    assert.equal(JSON.parse(overUnix.body).PATH_INFO, `/hu/${i}`);
    for (const [name, where] of [
      ['ut', uwsgiPort],
      ['uu', uwsgiSock],
    ] as const) {
      const response = only((await uwsgiRequest(where, uwsgiGet(`/${name}/${i}`))).data);
      assert.equal(response.status, 200);
      assert.equal(JSON.parse(response.body.toString()).PATH_INFO, `/${name}/${i}`);
    }
  }
  // The access log covers uwsgi requests too (they are tracked like HTTP ones).
  await portico.waitFor(new RegExp(`uri=/uu/${rounds - 1} status=200`), 5000, 'stdout');
  for (const prefix of ['h0', 'h1', 'hu', 'ut', 'uu']) {
    const wids = new Set(
      [
        ...portico.stdout().matchAll(new RegExp(`^wid=(\\d) uri=/${prefix}/\\d status=200 size=[1-9]`, 'gm')),
      ].map((m) => m[1]),
    );
    assert.deepEqual([...wids].sort(), ['1', '2'], `both workers served ${prefix}`);
  }
  const backlog = kernelBacklog(httpPorts[0] as number);
  if (backlog !== undefined) {
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    assert.equal(backlog, Math.min(77, somaxconn), 'the master listens with --listen as its backlog');
    assert.equal(kernelBacklog(uwsgiPort), Math.min(77, somaxconn));
  }
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});

test('only --uwsgi: no HTTP port is opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-only-'));
  const sock = join(dir, 'app.sock');
  const portico = await startPortico(['examples/echo/app.ts', '--uwsgi', sock], { http: false });
  assert.deepEqual(readyUrls(portico.stdout()), [`uwsgi+unix:${sock}`]);
  assert.equal(portico.url, `uwsgi+unix:${sock}`);
  const response = only((await uwsgiRequest(sock, uwsgiGet('/only'))).data);
  assert.equal(response.status, 200);
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});

test('uwsgi refusals under the master: logged, one connection closed, the workers live on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-refuse-'));
  const sock = join(dir, 'app.sock');
  const portico = await startPortico([
    'examples/echo/app.ts',
    '--workers',
    '2',
    '--uwsgi',
    '127.0.0.1:0',
    '--uwsgi',
    sock,
    // Loopback is not allowed on TCP; unix-socket peers always are.
    '--uwsgi-allow',
    '10.0.0.0/8',
    '--buffer-size',
    '1k',
    '--stats',
    '127.0.0.1:0',
    // The workers accept from the shared sockets themselves (uWSGI's way).
    '--accept',
    'workers',
  ]);
  const statsAddress = (await portico.waitFor(/stats server on (\S+)/))[1] as string;
  const pids = async () => (await readStats(statsAddress)).workers.map((w) => w.pid).sort();
  const before = await pids();
  assert.equal(before.length, 2);
  const uwsgiPort = Number(/uwsgi:\/\/127\.0\.0\.1:(\d+)/.exec(portico.stdout())?.[1]);

  // An HTTP client on the uwsgi socket: an explicit 400, and a log line saying why.
  const asHttp = await uwsgiRequest(sock, Buffer.from('GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  assert.ok(asHttp.closed);
  assert.equal(only(asHttp.data).status, 400);
  assert.match(only(asHttp.data).body.toString(), /This is a uwsgi socket, not HTTP/);
  await portico.waitFor(/PORTICO_ERR_UWSGI_HTTP_REQUEST: an HTTP request \("GET \/x HTTP\/1\.1/);

  const bad: [string, Buffer, RegExp, boolean][] = [
    ['a malformed packet', Buffer.from([0, 5, 0, 0, 0, 0, 1, 0, 65]), /PORTICO_ERR_UWSGI_PROTOCOL/, false],
    [
      'a vars block over --buffer-size',
      uwsgiGet('/big', [['HTTP_COOKIE', 'c'.repeat(2000)]]),
      /PORTICO_ERR_HEADERS_TOO_LARGE/,
      false,
    ],
    [
      'a truncated body',
      encodePacket(
        [
          ['REQUEST_METHOD', 'POST'],
          ['REQUEST_URI', '/cut'],
          ['CONTENT_LENGTH', '10'],
        ],
        'abc',
      ),
      /cut short: 3 of 10 bytes/,
      true,
    ],
  ];
  for (const [name, bytes, logged, endAfter] of bad) {
    const { closed, data } = await uwsgiRequest(sock, bytes, { endAfter });
    assert.ok(closed, `${name}: connection closed`);
    assert.doesNotMatch(data.toString('latin1'), /^HTTP\/1\.1 200/, name);
    await portico.waitFor(logged);
  }

  // A TCP peer outside --uwsgi-allow: dropped unanswered, and logged with its address.
  const refused = await uwsgiRequest(uwsgiPort, uwsgiGet('/refused'));
  assert.ok(refused.closed);
  assert.equal(refused.data.length, 0);
  await portico.waitFor(/PORTICO_ERR_UWSGI_PEER_REFUSED: .*\(from 127\.0\.0\.1:\d+\)/);

  // The same two workers serve on, over uwsgi and HTTP.
  assert.equal(only((await uwsgiRequest(sock, uwsgiGet('/after'))).data).status, 200);
  assert.equal((await get(`${portico.url}/after`)).status, 200);
  assert.deepEqual(await eventually(async () => pids()), before);
  assert.doesNotMatch(portico.stderr(), /PORTICO_ERR_WORKER_DIED/);
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});
