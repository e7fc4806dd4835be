import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AccessRecord, compileAccessLog } from '../../../src/appserver/index.ts';

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
