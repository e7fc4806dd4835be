/**
 * nginx → proxy_pass (an upstream with keepalive) → Portico's HTTP server: forwarded
 * headers honoured from an allowed proxy and ignored from any other, connections reused,
 * a large upload intact.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { application as echo } from '../../examples/echo/app.ts';
import { serve, type TsgiServer } from '../../src/server/index.ts';
import type { Application } from '../../src/tsgi/types.ts';
import { memoryErrors } from '../helpers/apps.ts';
import {
  freePort,
  httpRequest,
  type Nginx,
  nginxSkip,
  selfSignedCertificate,
  startNginx,
} from '../helpers/nginx.ts';

const MiB = 1024 * 1024;

const hashApp: Application = async (environ, start) => {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of environ['tsgi.input']) {
    hash.update(chunk);
    length += chunk.length;
  }
  start('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify({ length, sha256: hash.digest('hex') })];
};

const mounts = [
  { prefix: '/hash', app: hashApp },
  { prefix: '', app: echo },
];

/** The location block of docs/deploy.md. */
function proxyLocation(path: string, upstream: string): string {
  return `
        location ${path} {
            proxy_pass http://${upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
        }`;
}

describe('nginx in front, proxy_pass with keepalive', { skip: nginxSkip() }, () => {
  let dir = '';
  let nginx: Nginx;
  let tlsPort = 0;
  let trusted: TsgiServer;
  let untrusted: TsgiServer;
  let connections = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-proxy-it-'));
    const options = { errors: memoryErrors(), limitPost: 32 * MiB, host: '127.0.0.1', port: 0 };
    // The default forwarded-allow-ips (127.0.0.1, ::1) trusts the local nginx.
    trusted = await serve(mounts, options);
    trusted.listener.on('connection', () => (connections += 1));
    untrusted = await serve(mounts, { ...options, forwardedAllowIps: ['10.0.0.0/8'] });
    const { cert, key } = await selfSignedCertificate(dir);
    tlsPort = await freePort();
    nginx = await startNginx({
      http: `
    upstream portico_http {
        server 127.0.0.1:${trusted.address.port};
        keepalive 8;
        keepalive_timeout 60s;
    }
    upstream portico_untrusting {
        server 127.0.0.1:${untrusted.address.port};
        keepalive 8;
    }`,
      server: `
        listen 127.0.0.1:${tlsPort} ssl;
        ssl_certificate ${cert};
        ssl_certificate_key ${key};
        client_max_body_size 32m;
${proxyLocation('/', 'portico_http')}
${proxyLocation('/untrusted/', 'portico_untrusting')}`,
    });
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all([trusted?.close(100), untrusted?.close(100)]);
    await rm(dir, { recursive: true, force: true });
  });

  const spoof = { 'X-Forwarded-For': '203.0.113.7', Host: 'app.example:8443' };

  test('from an allowed proxy: client address, scheme and host come from X-Forwarded-*', async () => {
    const env = JSON.parse(
      (await httpRequest(`https://127.0.0.1:${tlsPort}/who`, { headers: spoof })).body.toString(),
    );
    // nginx appended its own peer (127.0.0.1, trusted): the rightmost untrusted hop is the client.
    assert.equal(env.HTTP_X_FORWARDED_FOR, '203.0.113.7, 127.0.0.1');
    assert.equal(env.REMOTE_ADDR, '203.0.113.7');
    assert.equal(env['tsgi.url_scheme'], 'https');
    assert.equal(env.HTTP_HOST, 'app.example');
    assert.equal(env.SERVER_NAME, 'app.example');
    assert.equal(env.SERVER_PORT, '443');
  });

  test('from a proxy outside forwarded-allow-ips: the headers are plain headers and change nothing', async () => {
    const response = await httpRequest(`https://127.0.0.1:${tlsPort}/untrusted/who`, { headers: spoof });
    const env = JSON.parse(response.body.toString());
    assert.equal(env.REMOTE_ADDR, '127.0.0.1');
    assert.equal(env.HTTP_X_FORWARDED_FOR, '203.0.113.7, 127.0.0.1');
    assert.equal(env.HTTP_X_FORWARDED_PROTO, 'https');
    assert.equal(env['tsgi.url_scheme'], 'http');
    assert.equal(env.SERVER_PORT, '80');
  });

  test('the upstream connection is kept alive and reused', async () => {
    const before = connections;
    for (let i = 0; i < 10; i++) assert.equal((await httpRequest(`${nginx.url}/ping`)).status, 200);
    assert.ok(connections - before <= 1, `${connections - before} new upstream connections for 10 requests`);
  });

  test('a 20 MB upload: length and SHA-256 intact', async () => {
    const body = randomBytes(20 * MiB);
    const response = await httpRequest(`${nginx.url}/hash`, { method: 'POST', body });
    assert.equal(response.status, 200, response.body.toString());
    assert.deepEqual(JSON.parse(response.body.toString()), {
      length: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
  });
});
