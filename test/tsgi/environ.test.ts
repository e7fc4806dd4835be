import assert from 'node:assert/strict';
import { test } from 'node:test';
import { environFromParts } from '../../src/tsgi/environ.ts';
import type { InputStream } from '../../src/tsgi/types.ts';
import { validate } from '../../src/tsgi/validate.ts';

const input: InputStream = {
  read: async () => new Uint8Array(0),
  readLine: async () => new Uint8Array(0),
  async *[Symbol.asyncIterator]() {},
};
const errors = { write() {}, flush() {} };

const parts = {
  method: 'POST',
  pathInfo: '/a b',
  query: 'x=1',
  requestUri: '/a%20b?x=1',
  serverName: 'example.test',
  serverPort: '443',
  scheme: 'https' as const,
  input,
  errors,
};

test('the CGI keys and the tsgi.* keys, with their defaults', () => {
  const environ = environFromParts({ ...parts, headers: [['Host', 'example.test']], remoteAddr: '10.0.0.1' });
  assert.deepEqual(
    [
      environ.REQUEST_METHOD,
      environ.SCRIPT_NAME,
      environ.PATH_INFO,
      environ.QUERY_STRING,
      environ.REQUEST_URI,
    ],
    ['POST', '', '/a b', 'x=1', '/a%20b?x=1'],
  );
  assert.deepEqual(
    [environ.SERVER_NAME, environ.SERVER_PORT, environ.SERVER_PROTOCOL, environ.REMOTE_ADDR],
    ['example.test', '443', 'HTTP/1.1', '10.0.0.1'],
  );
  assert.deepEqual(environ['tsgi.version'], [1, 0]);
  assert.equal(environ['tsgi.url_scheme'], 'https');
  assert.equal(environ['tsgi.input_terminated'], true);
  assert.equal('tsgi.file_wrapper' in environ, false);
  assert.equal('REMOTE_ADDR' in environFromParts({ ...parts, headers: [] }), false);
});

test('headers: CGI keys, repeated fields joined, "_" names dropped, Host defaulted', () => {
  const environ = environFromParts({
    ...parts,
    headers: [
      ['Content-Type', 'text/plain'],
      ['Accept', 'a'],
      ['accept', 'b'],
      ['X_User', 'spoof'],
      ['X-User', 'real'],
    ],
    defaultHost: 'example.test:8443',
  });
  assert.equal(environ.CONTENT_TYPE, 'text/plain');
  assert.equal(environ.HTTP_ACCEPT, 'a, b');
  assert.equal(environ.HTTP_X_USER, 'real');
  assert.equal(environ.HTTP_HOST, 'example.test:8443');
  const withHost = environFromParts({ ...parts, headers: [['Host', 'given']], defaultHost: 'other' });
  assert.equal(withHost.HTTP_HOST, 'given');
});

test('what it builds passes the TSGI validator', async () => {
  const environ = environFromParts({ ...parts, headers: [['Host', 'example.test']] });
  const app = validate((_environ, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return ['ok'];
  });
  const body = await app(environ, () => () => {});
  for await (const _ of body as AsyncIterable<unknown>) void _;
});
