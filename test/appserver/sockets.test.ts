/**
 * The app server's other listeners: a uwsgi unix socket shared by the workers, and
 * static-map in front of the application.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { uwsgiRequest, WORKED_EXAMPLE } from '../server/uwsgi/client.ts';
import { get, startPortico } from './helpers.ts';

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
