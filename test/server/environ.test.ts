import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestHead } from '../../src/server/engine.ts';
import { buildEnviron, type EnvironDefaults, parseTarget } from '../../src/server/environ.ts';
import { fileWrapper } from '../../src/server/file-wrapper.ts';
import { ProxyTrust } from '../../src/server/forwarded.ts';
import type { RequestInput } from '../../src/server/input.ts';
import { hasCode } from '../../src/tsgi/errors.ts';
import { memoryErrors } from '../helpers/apps.ts';

function head(rawHeaders: string[], overrides: Partial<RequestHead> = {}): RequestHead {
  return {
    method: 'GET',
    target: '/p?q=1',
    protocol: 'HTTP/1.1',
    rawHeaders,
    remoteAddress: '10.0.0.9',
    remotePort: 5555,
    localAddress: '127.0.0.1',
    localPort: 8000,
    secure: false,
    ...overrides,
  };
}

function defaults(allow: string[] = []): EnvironDefaults {
  return {
    errors: memoryErrors(),
    fileWrapper,
    multiprocess: false,
    proxyTrust: new ProxyTrust(allow),
    limitRequestFieldSize: 8190,
  };
}

const input = {} as RequestInput;

function environFor(rawHeaders: string[], overrides: Partial<RequestHead> = {}, allow: string[] = []) {
  const h = head(rawHeaders, overrides);
  const target = parseTarget(h.method, h.target);
  assert.ok(target);
  return buildEnviron(h, target, '', '/p', input, defaults(allow));
}

test('parseTarget splits origin-form targets and keeps the query raw', () => {
  assert.deepEqual(parseTarget('GET', '/a%20b?x=%41&y#frag'), { rawPath: '/a%20b', query: 'x=%41&y' });
  assert.deepEqual(parseTarget('GET', '/'), { rawPath: '/', query: '' });
  assert.deepEqual(parseTarget('GET', '///keeping_slashes'), { rawPath: '///keeping_slashes', query: '' });
});

test('parseTarget accepts absolute-form and OPTIONS *, refuses other forms', () => {
  assert.deepEqual(parseTarget('GET', 'http://example.com/foo?q=1'), {
    rawPath: '/foo',
    query: 'q=1',
    authority: 'example.com',
  });
  assert.deepEqual(parseTarget('GET', 'https://example.com'), {
    rawPath: '/',
    query: '',
    authority: 'example.com',
  });
  assert.deepEqual(parseTarget('GET', 'http://u:p@example.com:81/x'), {
    rawPath: '/x',
    query: '',
    authority: 'example.com:81',
  });
  assert.equal(parseTarget('GET', 'http://a b/x'), undefined);
  assert.equal(parseTarget('GET', 'http://a:port/x'), undefined);
  assert.deepEqual(parseTarget('OPTIONS', '*'), { rawPath: '*', query: '' });
  assert.equal(parseTarget('GET', '*'), undefined);
  assert.equal(parseTarget('GET', 'foo/bar'), undefined);
  assert.equal(parseTarget('GET', 'example.com:443'), undefined);
});

test('the CGI keys and the tsgi keys are all there', () => {
  const env = environFor(['Host', 'example.com:8080', 'Content-Type', 'text/plain', 'Content-Length', '3']);
  assert.equal(env.REQUEST_METHOD, 'GET');
  assert.equal(env.QUERY_STRING, 'q=1');
  assert.equal(env.REQUEST_URI, '/p?q=1');
  assert.equal(env.SERVER_NAME, 'example.com');
  assert.equal(env.SERVER_PORT, '8080');
  assert.equal(env.SERVER_PROTOCOL, 'HTTP/1.1');
  assert.equal(env.REMOTE_ADDR, '10.0.0.9');
  assert.equal(env.CONTENT_TYPE, 'text/plain');
  assert.equal(env.CONTENT_LENGTH, '3');
  assert.equal(env.HTTP_CONTENT_TYPE, undefined);
  assert.equal(env.HTTP_CONTENT_LENGTH, undefined);
  assert.deepEqual(env['tsgi.version'], [1, 0]);
  assert.equal(env['tsgi.url_scheme'], 'http');
  assert.equal(env['tsgi.run_once'], false);
  assert.equal(typeof env['tsgi.file_wrapper'], 'function');
});

test('CONTENT_LENGTH is absent when the request has none; SERVER_NAME falls back to the socket', () => {
  const env = environFor([], { protocol: 'HTTP/1.0' });
  assert.equal('CONTENT_LENGTH' in env, false);
  assert.equal(env.SERVER_NAME, '127.0.0.1');
  assert.equal(env.SERVER_PORT, '8000');
});

test('repeated headers are joined with ", " and cookies with "; "', () => {
  const env = environFor(['Host', 'h', 'Accept', 'a', 'accept', 'b', 'Cookie', 'x=1', 'Cookie', 'y=2']);
  assert.equal(env.HTTP_ACCEPT, 'a, b');
  assert.equal(env.HTTP_COOKIE, 'x=1; y=2');
});

test('header names with an underscore are dropped', () => {
  const env = environFor(['Host', 'h', 'X-User', 'alice', 'X_User', 'mallory']);
  assert.equal(env.HTTP_X_USER, 'alice');
});

test('a second Host header is a bad request', () => {
  assert.throws(
    () => environFor(['Host', 'a.example', 'Host', 'evil.example']),
    (error) => hasCode(error, 'PORTICO_ERR_BAD_REQUEST'),
  );
});

test('X-Forwarded-* is ignored from untrusted peers', () => {
  const env = environFor(['Host', 'h', 'X-Forwarded-For', '1.2.3.4', 'X-Forwarded-Proto', 'https'], {}, [
    '127.0.0.1',
  ]);
  assert.equal(env.REMOTE_ADDR, '10.0.0.9');
  assert.equal(env['tsgi.url_scheme'], 'http');
});

test('X-Forwarded-* from a trusted peer sets the client, the scheme and the host', () => {
  const env = environFor(
    [
      'Host',
      'internal',
      'X-Forwarded-For',
      '1.2.3.4, 10.0.0.7',
      'X-Forwarded-Proto',
      'https',
      'X-Forwarded-Host',
      'www.example.com',
    ],
    {},
    ['10.0.0.0/8'],
  );
  // 10.0.0.7 is itself a trusted proxy, so the client is the next hop to the left.
  assert.equal(env.REMOTE_ADDR, '1.2.3.4');
  assert.equal(env['tsgi.url_scheme'], 'https');
  assert.equal(env.HTTP_HOST, 'www.example.com');
  assert.equal(env.SERVER_NAME, 'www.example.com');
  assert.equal(env.SERVER_PORT, '443');
});

test('contradictory scheme headers from a trusted peer are refused', () => {
  assert.throws(
    () => environFor(['Host', 'h', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Ssl', 'off'], {}, ['*']),
    (error) => hasCode(error, 'PORTICO_ERR_BAD_REQUEST'),
  );
});

test('ProxyTrust answers each address on its own, one after another (the last answer is kept)', () => {
  const trust = new ProxyTrust(['10.0.0.0/8']);
  const answers = ['10.1.2.3', '10.1.2.3', '192.0.2.1', '192.0.2.1', `10.1.2.${'3'}`, '', '10.9.9.9'].map(
    (a) => trust.trusts(a),
  );
  assert.deepEqual(answers, [true, true, false, false, true, false, true]);
});
