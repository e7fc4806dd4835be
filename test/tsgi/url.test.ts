import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePathInfo, quotePath, reconstructUrl } from '../../src/tsgi/url.ts';
import { makeEnviron } from '../helpers/tsgi.ts';

test('decodePathInfo decodes UTF-8 escapes and keeps what is not valid UTF-8 escaped', () => {
  const cases: [string, string][] = [
    ['/plain/path', '/plain/path'],
    ['/a%20b', '/a b'],
    ['/caf%C3%A9', '/caf\u00e9'],
    ['/caf%c3%a9', '/caf\u00e9'],
    ['/%E2%82%ACx', '/\u20acx'],
    ['/%F0%9F%98%80', '/\u{1f600}'],
    ['/%2F/%25/%3F', '///%/?'],
    ['/%FF', '/%FF'],
    ['/%ff', '/%ff'],
    ['/%C3', '/%C3'],
    ['/%C3x', '/%C3x'],
    ['/%C3%A9%FF%41', '/\u00e9%FFA'],
    ['/%E2%82', '/%E2%82'],
    ['/%ED%A0%80', '/%ED%A0%80'],
    ['/%C0%AF', '/%C0%AF'],
    ['/%F4%90%80%80', '/%F4%90%80%80'],
    ['/%zz/%/%4', '/%zz/%/%4'],
    ['/%%41', '/%A'],
    ['%', '%'],
  ];
  for (const [raw, decoded] of cases) assert.equal(decodePathInfo(raw), decoded, raw);
});

test('quotePath escapes what a path cannot hold and keeps kept escapes', () => {
  assert.equal(quotePath('/a b/caf\u00e9'), '/a%20b/caf%C3%A9');
  assert.equal(quotePath("/-._~!$&'()*+,;=:@/"), "/-._~!$&'()*+,;=:@/");
  assert.equal(quotePath('/?#"<>\\^`{|}'), '/%3F%23%22%3C%3E%5C%5E%60%7B%7C%7D');
  assert.equal(quotePath('/%FF/%zz/%'), '/%FF/%25zz/%25');
  assert.equal(quotePath('/\u{1f600}'), '/%F0%9F%98%80');
  assert.equal(quotePath('/\ud800'), '/%EF%BF%BD');
  for (const raw of ['/a%20b', '/caf%C3%A9', '/%FF%C3%A9', '/x%3Fy'])
    assert.equal(quotePath(decodePathInfo(raw)), raw);
});

test('reconstructUrl follows the spec algorithm', () => {
  const environ = makeEnviron({
    SCRIPT_NAME: '/mount point',
    PATH_INFO: '/caf\u00e9',
    QUERY_STRING: 'a=1&b=%20',
    HTTP_HOST: 'example.com:8080',
  });
  assert.equal(reconstructUrl(environ), 'http://example.com:8080/mount%20point/caf%C3%A9?a=1&b=%20');
  assert.equal(reconstructUrl(environ, { query: false }), 'http://example.com:8080/mount%20point/caf%C3%A9');
  const noHost = makeEnviron({ HTTP_HOST: undefined, SERVER_NAME: 'srv', SERVER_PORT: '8000' });
  assert.equal(reconstructUrl(noHost), 'http://srv:8000/');
  const defaultPort = makeEnviron({
    HTTP_HOST: undefined,
    SERVER_NAME: 'srv',
    SERVER_PORT: '443',
    'tsgi.url_scheme': 'https',
  });
  assert.equal(reconstructUrl(defaultPort), 'https://srv/');
  const emptyPath = makeEnviron({ SCRIPT_NAME: '/app', PATH_INFO: '' });
  assert.equal(reconstructUrl(emptyPath), 'http://example.com/app');
  const asterisk = makeEnviron({ REQUEST_METHOD: 'OPTIONS', PATH_INFO: '*' });
  assert.equal(reconstructUrl(asterisk), 'http://example.com');
});

// --- toFetchHandler: the environ ----------------------------------------------------------

test('paths without escapes come back unchanged', () => {
  assert.equal(decodePathInfo('/a/b c'), '/a/b c');
});

test('escapes decode as UTF-8', () => {
  assert.equal(decodePathInfo('/caf%C3%A9/%E2%82%AC'), '/café/€');
  assert.equal(decodePathInfo('/a%2Fb'), '/a/b');
});

test('bytes that are not UTF-8 stay percent-encoded, valid neighbours decode', () => {
  assert.equal(decodePathInfo('/x%FFy'), '/x%FFy');
  assert.equal(decodePathInfo('/%E2%82%AC%FF%E2%82%AC'), '/€%FF€');
  assert.equal(decodePathInfo('/%C3'), '/%C3');
});

test('malformed escapes stay literal', () => {
  assert.equal(decodePathInfo('/%zz'), '/%zz');
  assert.equal(decodePathInfo('/100%'), '/100%');
  assert.equal(decodePathInfo('/%4'), '/%4');
});

test('raw non-ASCII bytes in the target (read as latin-1) decode as UTF-8', () => {
  assert.equal(decodePathInfo('/\u00c3\u00a0%20k'), '/à k');
  assert.equal(decodePathInfo('/\u00ff'), '/%FF');
});
