import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../../../src/tsgi/errors.ts';
import { encodePacket, HEADER_SIZE, type UwsgiVar } from '../../../src/server/uwsgi/packet.ts';
import { requestFromBlock, requestFromVars } from '../../../src/server/uwsgi/request.ts';
import { WORKED_VARS } from './client.ts';

const socket = { remoteAddress: '127.0.0.1', remotePort: 5000, localAddress: '127.0.0.1', localPort: 3031 };

/** What the engine's one-pass `requestFromBlock` makes of `vars` (or the error it throws). */
function fromBlock(vars: readonly UwsgiVar[]) {
  const packet = encodePacket(vars);
  return requestFromBlock(packet, HEADER_SIZE, packet.length, socket);
}

/** The head from `vars`; every test also checks that both readers agree, errors included. */
function head(vars: UwsgiVar[]) {
  let expected;
  try {
    expected = requestFromVars(vars, socket);
  } catch (error) {
    assert.throws(() => fromBlock(vars), error as Error);
    throw error;
  }
  assert.deepEqual(fromBlock(vars), expected);
  return expected.head;
}

describe('vars to request head', () => {
  test('the worked example', () => {
    const { head: h, contentLength } = requestFromVars(WORKED_VARS, socket);
    assert.equal(contentLength, 5);
    assert.equal(h.method, 'POST');
    assert.equal(h.target, '/echo?x=1');
    assert.equal(h.protocol, 'HTTP/1.1');
    assert.deepEqual(h.rawHeaders, ['host', 'example.com', 'content-length', '5']);
    assert.equal(h.secure, false);
    assert.equal(h.scriptName, undefined);
  });

  test('what nginx sends: empty CONTENT_TYPE dropped, HTTP_CONTENT_* and HTTP_TRANSFER_ENCODING ignored', () => {
    const h = head([
      ['REQUEST_METHOD', 'GET'],
      ['CONTENT_TYPE', ''],
      ['CONTENT_LENGTH', ''],
      ['REQUEST_URI', '/a%20b'],
      ['REMOTE_ADDR', '203.0.113.9'],
      ['REMOTE_PORT', '41000'],
      ['SERVER_NAME', 'example.com'],
      ['SERVER_PORT', '443'],
      ['HTTPS', 'on'],
      ['HTTP_CONTENT_LENGTH', '99'],
      ['HTTP_TRANSFER_ENCODING', 'chunked'],
      ['HTTP_X_FORWARDED_FOR', '10.0.0.1'],
      ['HTTP_COOKIE', 'a=1'],
      ['HTTP_COOKIE', 'b=2'],
    ]);
    assert.deepEqual(h.rawHeaders, ['x-forwarded-for', '10.0.0.1', 'cookie', 'a=1', 'cookie', 'b=2']);
    assert.equal(h.remoteAddress, '203.0.113.9');
    assert.equal(h.remotePort, 41000);
    assert.equal(h.localAddress, 'example.com');
    assert.equal(h.localPort, 443);
    assert.equal(h.secure, true);
  });

  test('the scheme: HTTPS=on|1, REQUEST_SCHEME=https or UWSGI_SCHEME=https; never from a header', () => {
    const base: UwsgiVar[] = [['REQUEST_METHOD', 'GET']];
    assert.equal(head([...base, ['HTTPS', '1']]).secure, true);
    assert.equal(head([...base, ['REQUEST_SCHEME', 'https']]).secure, true);
    assert.equal(head([...base, ['UWSGI_SCHEME', 'https']]).secure, true);
    assert.equal(head([...base, ['HTTPS', 'off']]).secure, false);
    assert.equal(head([...base, ['HTTP_UWSGI_SCHEME', 'https'], ['HTTP_HTTPS', 'on']]).secure, false);
  });

  test('no REQUEST_URI: PATH_INFO (re-escaped) and QUERY_STRING, below SCRIPT_NAME when CGI-style', () => {
    assert.equal(
      head([
        ['REQUEST_METHOD', 'GET'],
        ['PATH_INFO', '/100%/a?b#c'],
        ['QUERY_STRING', 'x=1'],
      ]).target,
      '/100%25/a%3Fb%23c?x=1',
    );
    assert.equal(head([['REQUEST_METHOD', 'GET']]).target, '/');
    const cgi = head([
      ['REQUEST_METHOD', 'GET'],
      ['SCRIPT_NAME', '/app/'],
      ['PATH_INFO', '/x'],
    ]);
    assert.equal(cgi.target, '/app/x');
    assert.equal(cgi.scriptName, '/app');
    const whole = head([
      ['REQUEST_METHOD', 'GET'],
      ['SCRIPT_NAME', '/app'],
      ['PATH_INFO', '/app/x'],
    ]);
    assert.equal(whole.target, '/app/x');
  });

  test('protocol: 1.0 stays, 2.0 and 3.0 are served as 1.1, none is 1.0', () => {
    const of = (value?: string) =>
      head([
        ['REQUEST_METHOD', 'GET'],
        ...(value === undefined ? [] : [['SERVER_PROTOCOL', value] as UwsgiVar]),
      ]).protocol;
    assert.equal(of('HTTP/1.0'), 'HTTP/1.0');
    assert.equal(of('HTTP/2.0'), 'HTTP/1.1');
    assert.equal(of('HTTP/3.0'), 'HTTP/1.1');
    assert.equal(of(), 'HTTP/1.0');
  });

  test('addresses fall back to the socket; UWSGI_* magic vars change nothing', () => {
    const h = head([
      ['REQUEST_METHOD', 'GET'],
      ['UWSGI_SETENV', 'X=1'],
      ['UWSGI_CHDIR', '/'],
      ['UWSGI_SCRIPT', 'evil'],
    ]);
    assert.equal(h.remoteAddress, '127.0.0.1');
    assert.equal(h.remotePort, 5000);
    assert.equal(h.localPort, 3031);
    assert.equal(process.env.X, undefined);
  });

  test('the one-pass reader: repeats (first wins), unknown keys, near misses of known ones, odd headers', () => {
    const h = head([
      ['REQUEST_METHOD', 'GET'],
      ['REQUEST_METHOD', 'POST'],
      ['REQUEST_URI', '/a?b'],
      ['DOCUMENT_ROOT', '/srv'],
      ['SERVER_SOFTWARE', 'nginx'],
      ['REQUEST_MXTHOD', 'PUT'],
      ['HTTP_HOST', 'h:1'],
      ['HTTP_HOST', 'h:2'],
      ['HTTP_HOsT', 'odd'],
      ['HTTP_USER_AGENT', ''],
      ['HTTP_X_CUSTOM_THING', 'v'],
      ['HTTP_', 'no name'],
      ['HTTP', 'short'],
      ['HTTP_CONTENT_LENGTH', '9'],
      ['HTTP_TRANSFER_ENCODING', 'chunked'],
      ['HTTP_BAD{NAME', 'x'],
      ['CONTENT_TYPE', 'text/plain'],
      ['HTTPS', 'on'],
      ['REMOTE_PORT', '700000'],
      ['SERVER_PORT', '80a'],
    ]);
    assert.equal(h.method, 'GET');
    assert.equal(h.target, '/a?b');
    assert.equal(h.secure, true);
    assert.equal(h.remotePort, 5000, 'a port of six digits falls back to the socket');
    assert.equal(h.localPort, 3031);
    assert.deepEqual(h.rawHeaders.slice(0, 4), ['host', 'h:1', 'host', 'h:2']);
  });

  test('the one-pass reader checks the block as strictly as parseFields', () => {
    for (const block of [[5], [0, 0, 1, 0, 65], [5, 0, 65, 66], [1, 0, 65], [1, 0, 65, 9, 0, 66]]) {
      const bytes = Buffer.from([0, 0, 0, 0, ...block]);
      assert.throws(
        () => requestFromBlock(bytes, HEADER_SIZE, bytes.length, socket),
        (error) => hasCode(error, 'PORTICO_ERR_UWSGI_PROTOCOL'),
      );
    }
  });

  for (const [name, extra] of [
    ['no REQUEST_METHOD', [['PATH_INFO', '/']]],
    ['a REQUEST_METHOD that is not a token', [['REQUEST_METHOD', 'G T']]],
    [
      'CONTENT_LENGTH abc',
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', 'abc'],
      ],
    ],
    [
      'CONTENT_LENGTH -1',
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '-1'],
      ],
    ],
    [
      'CONTENT_LENGTH +1',
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '+1'],
      ],
    ],
    [
      'CONTENT_LENGTH "1 1"',
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '1 1'],
      ],
    ],
    [
      'CONTENT_LENGTH past 2^53',
      [
        ['REQUEST_METHOD', 'POST'],
        ['CONTENT_LENGTH', '99999999999999999999'],
      ],
    ],
    [
      'a header value with CR LF',
      [
        ['REQUEST_METHOD', 'GET'],
        ['HTTP_X', 'a\r\nSet-Cookie: x'],
      ],
    ],
  ] as [string, UwsgiVar[]][]) {
    test(`${name} is a protocol error`, () => {
      assert.throws(
        () => head(extra),
        (error) => hasCode(error, 'PORTICO_ERR_UWSGI_PROTOCOL'),
      );
    });
  }
});
