/**
 * nginx → uwsgi_pass (TCP and unix socket) → Portico's uwsgi engine → the echo app, against
 * the same request sent to Portico's HTTP server directly: first the bare engines, then
 * the app server (`portico serve`, a master and two workers) with uwsgi_pass and
 * proxy_pass side by side.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { application as echo } from '../../examples/echo/app.ts';
import { serve, serveUwsgi, type TsgiServer, type UwsgiServer } from '../../src/server/index.ts';
import { type Portico, readStats, startPortico } from '../appserver/helpers.ts';
import { memoryErrors } from '../helpers/apps.ts';
import { application as hashApp } from './fixtures/hash-app.ts';
import {
  freePort,
  httpRequest,
  type Nginx,
  nginxSkip,
  nginxVersion,
  selfSignedCertificate,
  startNginx,
} from '../helpers/nginx.ts';

const MiB = 1024 * 1024;

const hashAppPath = fileURLToPath(new URL('./fixtures/hash-app.ts', import.meta.url));

const mounts = [
  { prefix: '/hash', app: hashApp },
  { prefix: '', app: echo },
];

const target = '/caf%C3%A9/a%20b?x=%41+b&y';
const request = {
  method: 'POST',
  headers: {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Custom': 'v',
    'X-Dup': ['1', '2'],
    Cookie: ['a=1', 'b=2'],
    'User-Agent': 'portico-test',
  },
  body: 'body ✓',
};

// Keys that must match exactly; what may differ is asserted separately below.
const SAME = [
  'REQUEST_METHOD',
  'PATH_INFO',
  'QUERY_STRING',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'SERVER_PROTOCOL',
  'REMOTE_ADDR',
  'tsgi.url_scheme',
  'body',
  'body_length',
];

async function environ(url: string): Promise<Record<string, string>> {
  const response = await httpRequest(url, request);
  assert.equal(response.status, 200, response.body.toString());
  return JSON.parse(response.body.toString());
}

function headerKeys(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => key.startsWith('HTTP_') && key !== 'HTTP_HOST'),
  );
}

describe('nginx in front, uwsgi_pass', { skip: nginxSkip() }, () => {
  let dir = '';
  let nginx: Nginx;
  let tlsPort = 0;
  let http: TsgiServer;
  let tcp: UwsgiServer;
  let unix: UwsgiServer;
  const errors = memoryErrors();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-uwsgi-it-'));
    const options = { errors, limitPost: 32 * MiB };
    http = await serve(mounts, { ...options, host: '127.0.0.1', port: 0 });
    tcp = await serveUwsgi(mounts, { ...options, uwsgi: { host: '127.0.0.1', port: 0 } });
    unix = await serveUwsgi(mounts, { ...options, uwsgi: { path: join(dir, 'app.sock'), mode: 0o660 } });
    const { cert, key } = await selfSignedCertificate(dir);
    tlsPort = await freePort();
    const tcpPort = (tcp.address as { port: number }).port;
    // The configuration of docs/deploy.md, with test ports and paths.
    nginx = await startNginx({
      http: `
    upstream portico_uwsgi {
        server 127.0.0.1:${tcpPort};
    }`,
      server: `
        listen 127.0.0.1:${tlsPort} ssl;
        ssl_certificate ${cert};
        ssl_certificate_key ${key};
        client_max_body_size 32m;

        location / {
            include uwsgi_params;
            uwsgi_pass portico_uwsgi;
        }
        location /unix/ {
            include uwsgi_params;
            uwsgi_param SCRIPT_NAME /unix;
            uwsgi_pass unix:${unix.address as string};
        }`,
    });
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all([http?.close(100), tcp?.close(100), unix?.close(100)]);
    await rm(dir, { recursive: true, force: true });
  });

  test('the same environ as direct HTTP (TCP uwsgi_pass)', async (t) => {
    t.diagnostic(`nginx ${await nginxVersion()}`);
    const direct = await environ(`${http.url}${target}`);
    const viaNginx = await environ(`${nginx.url}${target}`);
    for (const key of SAME) assert.equal(viaNginx[key], direct[key], key);
    assert.equal(viaNginx.PATH_INFO, '/café/a b');
    assert.equal(viaNginx.body, 'body ✓');
    assert.equal(viaNginx.REQUEST_URI, direct.REQUEST_URI);
    assert.equal(viaNginx.SCRIPT_NAME, '');
    // Every request header nginx forwards arrives as in direct HTTP, repeated ones joined alike.
    assert.deepEqual(headerKeys(viaNginx), headerKeys(direct));
    assert.equal(viaNginx.HTTP_X_DUP, '1, 2');
    assert.equal(viaNginx.HTTP_COOKIE, 'a=1; b=2');
    // What legitimately differs: Debian's uwsgi_params sends HTTP_HOST as $host (no port),
    // so SERVER_PORT falls back to the scheme's; REMOTE_PORT is the client's port at nginx.
    assert.equal(viaNginx.HTTP_HOST, '127.0.0.1');
    assert.equal(direct.HTTP_HOST, `127.0.0.1:${http.address.port}`);
    assert.equal(viaNginx.SERVER_PORT, '80');
    assert.notEqual(viaNginx.REMOTE_PORT, direct.REMOTE_PORT);
  });

  test('unix socket, with SCRIPT_NAME set by nginx: the prefix moves from PATH_INFO to SCRIPT_NAME', async () => {
    const direct = await environ(`${http.url}${target}`);
    const viaNginx = await environ(`${nginx.url}/unix${target}`);
    for (const key of SAME) assert.equal(viaNginx[key], direct[key], key);
    assert.equal(viaNginx.SCRIPT_NAME, '/unix');
    assert.equal(viaNginx.REQUEST_URI, `/unix${target}`);
    assert.deepEqual(headerKeys(viaNginx), headerKeys(direct));
  });

  test('TLS at nginx: HTTPS=on makes tsgi.url_scheme https', async () => {
    const env = await environ(`https://127.0.0.1:${tlsPort}/tls`);
    assert.equal(env['tsgi.url_scheme'], 'https');
    assert.equal(env.SERVER_PORT, '443');
  });

  test('a chunked upload arrives de-chunked, framed by CONTENT_LENGTH', async () => {
    const body = randomBytes(100_000);
    const response = await httpRequest(`${nginx.url}/hash`, {
      method: 'PUT',
      headers: { 'Transfer-Encoding': 'chunked' },
      body,
    });
    const result = JSON.parse(response.body.toString());
    assert.equal(result.length, body.length);
    assert.equal(result.contentLength, String(body.length));
    assert.equal(result.sha256, createHash('sha256').update(body).digest('hex'));
  });

  test('a 20 MB upload, TCP and unix: length and SHA-256 intact', async () => {
    const body = randomBytes(20 * MiB);
    const sha256 = createHash('sha256').update(body).digest('hex');
    for (const path of ['/hash', '/unix/hash']) {
      const response = await httpRequest(`${nginx.url}${path}`, { method: 'POST', body });
      assert.equal(response.status, 200, response.body.toString());
      assert.deepEqual(JSON.parse(response.body.toString()), {
        length: body.length,
        sha256,
        contentLength: String(body.length),
      });
    }
  });

  test('a streamed response without Content-Length arrives complete (nginx re-chunks it)', async () => {
    const response = await httpRequest(`${nginx.url}/stream?chunks=300&size=1000`);
    assert.equal(response.status, 200);
    assert.equal(response.headers['transfer-encoding'], 'chunked');
    assert.equal(response.headers['content-length'], undefined);
    assert.equal(response.body.length, 300_000);
    assert.ok(response.body.every((byte) => byte === 120));
  });

  test('a failure mid-stream reaches the client as a broken response, not a complete one', async () => {
    await assert.rejects(httpRequest(`${nginx.url}/fail/after`));
    assert.match(nginx.errorLog(), /reset by peer\) while reading upstream/);
  });
});

describe(
  'nginx in front of the app server (master, 2 workers): uwsgi_pass and proxy_pass',
  { skip: nginxSkip() },
  () => {
    let dir = '';
    let nginx: Nginx;
    let portico: Portico;
    let stats = '';

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'portico-master-it-'));
      const uwsgiPort = await freePort();
      const unix = join(dir, 'app.sock');
      portico = await startPortico(
        [
          'examples/echo/app.ts',
          '--mount',
          `/hash=${hashAppPath}`,
          '--workers',
          '2',
          '--uwsgi',
          `127.0.0.1:${uwsgiPort}`,
          '--uwsgi',
          unix,
          '--limit-post',
          '32m',
          '--stats',
          '127.0.0.1:0',
        ],
        { killAfterTest: false },
      );
      stats = (await portico.waitFor(/stats server on (\S+)/))[1] as string;
      nginx = await startNginx({
        http: `
    upstream portico_uwsgi {
        server 127.0.0.1:${uwsgiPort};
    }
    upstream portico_http {
        server ${portico.url.slice('http://'.length)};
        keepalive 8;
    }`,
        server: `
        client_max_body_size 32m;

        location / {
            include uwsgi_params;
            uwsgi_pass portico_uwsgi;
        }
        location /unix/ {
            include uwsgi_params;
            uwsgi_param SCRIPT_NAME /unix;
            uwsgi_pass unix:${unix};
        }
        location /proxy/ {
            proxy_pass http://portico_http/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }`,
      });
    });

    after(async () => {
      await nginx?.stop();
      if (portico !== undefined) {
        process.kill(portico.pid, 'SIGTERM');
        assert.equal((await portico.exited).code, 0);
      }
      await rm(dir, { recursive: true, force: true });
    });

    test('uwsgi_pass through the master gives the same environ as direct HTTP, from every worker', async () => {
      const direct = await environ(`${portico.url}${target}`);
      for (let i = 0; i < 4; i++) {
        const viaTcp = await environ(`${nginx.url}${target}`);
        const viaUnix = await environ(`${nginx.url}/unix${target}`);
        for (const key of SAME) {
          assert.equal(viaTcp[key], direct[key], key);
          assert.equal(viaUnix[key], direct[key], key);
        }
        assert.deepEqual(headerKeys(viaTcp), headerKeys(direct));
        assert.equal(viaTcp['tsgi.multiprocess'], true);
        assert.equal(viaUnix.SCRIPT_NAME, '/unix');
      }
      const document = await readStats(stats);
      assert.equal(document.workers.length, 2);
      assert.ok(
        document.workers.every((worker) => worker.requests >= 2),
        `requests per worker: ${document.workers.map((w) => w.requests).join(', ')}`,
      );
    });

    test('proxy_pass to the same master: X-Forwarded-For from the trusted nginx', async () => {
      const response = await httpRequest(`${nginx.url}/proxy/who`, {
        headers: { 'X-Forwarded-For': '203.0.113.7' },
      });
      const env = JSON.parse(response.body.toString());
      assert.equal(env.PATH_INFO, '/who');
      assert.equal(env.REMOTE_ADDR, '203.0.113.7');
    });

    test('a 20 MB upload through uwsgi_pass (TCP and unix) and proxy_pass: length and SHA-256 intact', async () => {
      const body = randomBytes(20 * MiB);
      const sha256 = createHash('sha256').update(body).digest('hex');
      for (const path of ['/hash', '/unix/hash', '/proxy/hash']) {
        const response = await httpRequest(`${nginx.url}${path}`, { method: 'POST', body });
        assert.equal(response.status, 200, `${path}: ${response.body.toString()}`);
        assert.deepEqual(JSON.parse(response.body.toString()), {
          length: body.length,
          sha256,
          contentLength: String(body.length),
        });
      }
    });
  },
);
