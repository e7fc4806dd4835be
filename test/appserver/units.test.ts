import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  type AccessRecord,
  cheaperDecision,
  compileAccessLog,
  envName,
  FIFO_COMMANDS,
  OPTIONS,
} from '../../src/appserver/index.ts';
import { existsSync } from 'node:fs';
import { siblingModule } from '../../src/appserver/entry.ts';
import { HarakiriTable } from '../../src/appserver/harakiri.ts';

const record: AccessRecord = {
  method: 'GET',
  uri: '/a?b=1',
  proto: 'HTTP/1.1',
  status: 200,
  addr: '127.0.0.1',
  headers: { host: 'example.test', 'user-agent': 'ua', 'x-forwarded-for': '10.0.0.1' },
  rsize: 150,
  hsize: 100,
  startMs: Date.UTC(2026, 9, 10, 13, 55, 36),
  micros: 2500,
  pid: 42,
  wid: 3,
};

test('access log: presets, uWSGI variables, headers by CGI name, JSON lines', () => {
  assert.equal(
    compileAccessLog('combined')(record),
    '127.0.0.1 - - [10/Oct/2026:13:55:36 +0000] "GET /a?b=1 HTTP/1.1" 200 50 "-" "ua"\n',
  );
  assert.equal(
    compileAccessLog(
      '%(method) %(uri) %(status) %(msecs)ms %(size)/%(rsize) %(var.HTTP_X_FORWARDED_FOR) w%(wid)',
    )(record),
    'GET /a?b=1 200 3ms 50/150 10.0.0.1 w3\n',
  );
  const json = JSON.parse(compileAccessLog('json')(record)) as Record<string, unknown>;
  assert.deepEqual(
    [json.method, json.status, json.size, json.host, json.wid],
    ['GET', 200, 50, 'example.test', 3],
  );
  assert.throws(() => compileAccessLog('%(nope)'), /unknown variable %\(nope\)/);
});

test('cheaper: add a step above the busy mark, remove one below the idle mark, within bounds', () => {
  const policy = { min: 1, max: 4, step: 2, busynessMax: 50, busynessMin: 25 };
  assert.equal(cheaperDecision(policy, 2, [0.9, 0.7]), 2);
  assert.equal(cheaperDecision(policy, 3, [0.9, 0.7, 0.8]), 1, 'capped at max');
  assert.equal(cheaperDecision(policy, 4, [1, 1, 1, 1]), 0);
  assert.equal(cheaperDecision(policy, 2, [0.1, 0.2]), -1);
  assert.equal(cheaperDecision(policy, 1, [0]), 0, 'never below min');
  assert.equal(cheaperDecision(policy, 2, [0.3, 0.4]), 0);
  assert.equal(cheaperDecision(policy, 2, []), 0);
});

test('harakiri table: slots publish and free, and a full table tracks nothing more', () => {
  const table = new HarakiriTable(2);
  const a = table.acquire(10, 'GET', '/a');
  const b = table.acquire(11, 'POST', '/b');
  assert.deepEqual([a >= 0, b >= 0, a !== b], [true, true, true]);
  assert.equal(table.acquire(12, 'GET', '/c'), -1);
  const meta = new Int32Array(table.layout.buffer, 0, 8);
  assert.equal((meta[a * 4] as number) % 2, 1, 'in use: odd sequence');
  table.markHeadersSent(a);
  assert.equal(meta[a * 4 + 2], 1);
  table.release(a);
  assert.equal((meta[a * 4] as number) % 2, 0, 'free: even sequence');
  assert.equal(table.acquire(13, 'GET', '/d'), a);
});

test('docs/appserver.md lists every option with its environment variable, and every FIFO command', () => {
  const doc = readFileSync(new URL('../../docs/appserver.md', import.meta.url), 'utf8');
  for (const option of OPTIONS) {
    assert.ok(doc.includes(`\`--${option.name}`), `--${option.name} documented`);
    assert.ok(doc.includes(`\`${envName(option.name)}\``), `${envName(option.name)} documented`);
  }
  for (const letter of Object.keys(FIFO_COMMANDS)) assert.ok(doc.includes(`\`${letter}\``), `FIFO ${letter}`);
});

test('the worker entry and the harakiri thread: .ts next to the sources, .js next to the installed dist/', () => {
  assert.equal(
    siblingModule('file:///srv/portico/src/appserver/master.ts', 'worker-main'),
    '/srv/portico/src/appserver/worker-main.ts',
  );
  assert.equal(
    siblingModule('file:///srv/app/node_modules/portico/dist/appserver/master.js', 'worker-main'),
    '/srv/app/node_modules/portico/dist/appserver/worker-main.js',
  );
  assert.equal(
    siblingModule('file:///srv/my%20app/node_modules/portico/dist/appserver/harakiri.js', 'harakiri-thread'),
    '/srv/my app/node_modules/portico/dist/appserver/harakiri-thread.js',
    'a file path, not a URL path: a space stays a space',
  );
  // In this checkout: the files exist, and the build emits their .js twins into dist/.
  for (const name of ['worker-main', 'harakiri-thread']) {
    const path = siblingModule(new URL('../../src/appserver/master.ts', import.meta.url).href, name);
    assert.ok(existsSync(path), path);
  }
  const build = JSON.parse(readFileSync(new URL('../../tsconfig.build.json', import.meta.url), 'utf8')) as {
    include: string[];
    compilerOptions: { outDir: string; rootDir: string };
  };
  assert.deepEqual(
    [build.include, build.compilerOptions.rootDir, build.compilerOptions.outDir],
    [['src'], 'src', 'dist'],
  );
  const bin = readFileSync(new URL('../../bin/portico.js', import.meta.url), 'utf8');
  assert.match(bin, /installed \? '\.\.\/dist\/cli\/main\.js' : '\.\.\/src\/cli\/main\.ts'/);
});
