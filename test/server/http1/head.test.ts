/**
 * Unit tests of the request-head parser: exact results and exact refusals, without a socket
 * (the socket-level behaviour is in test/server/http1-*.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadError, type ParsedHead, parseFieldLine, parseHead } from '../../../src/server/http1/head.ts';

/** A head as the connection hands it over: the lines before the blank line, CRLF-joined. */
function head(requestLine: string, ...fields: string[]): string {
  return [requestLine, ...fields].join('\r\n');
}

function parsed(text: string): ParsedHead {
  const result = parseHead(text);
  if (result instanceof HeadError) assert.fail(`refused with ${result.status}: ${result.message}`);
  return result;
}

function assertRefused(text: string, status: number, message: string): void {
  const result = parseHead(text);
  assert.ok(result instanceof HeadError, `accepted ${JSON.stringify(text)}`);
  assert.deepEqual({ status: result.status, message: result.message }, { status, message });
}

/** A GET/1.1 with Host, plus `fields`. */
function get11(...fields: string[]): string {
  return head('GET / HTTP/1.1', 'Host: t', ...fields);
}

function post11(...fields: string[]): string {
  return head('POST /p HTTP/1.1', 'Host: t', ...fields);
}

describe('parseHead: a normal request', () => {
  test('a GET: request line, headers in wire order with their case, no body, persistent', () => {
    const result = parsed(
      head(
        'GET /a/b?c=d HTTP/1.1',
        'Host: example.com',
        'X-Custom-Thing: One',
        'accept: */*',
        'X-Custom-Thing: Two',
      ),
    );
    assert.deepEqual(result, {
      method: 'GET',
      target: '/a/b?c=d',
      protocol: 'HTTP/1.1',
      rawHeaders: ['Host', 'example.com', 'X-Custom-Thing', 'One', 'accept', '*/*', 'X-Custom-Thing', 'Two'],
      framing: 'none',
      contentLength: 0,
      keepAlive: true,
      expectsContinue: false,
    });
  });

  test('a head without header lines (HTTP/1.0 needs no Host)', () => {
    const result = parsed('GET / HTTP/1.0');
    assert.equal(result.protocol, 'HTTP/1.0');
    assert.deepEqual(result.rawHeaders, []);
    assert.equal(result.keepAlive, false);
  });

  test('registered methods other than GET, case kept, absolute-form and * targets', () => {
    assert.equal(parsed(head('M-SEARCH * HTTP/1.1', 'Host: t')).method, 'M-SEARCH');
    const options = parsed(head('OPTIONS * HTTP/1.1', 'Host: t'));
    assert.deepEqual([options.method, options.target], ['OPTIONS', '*']);
    assert.equal(parsed(head('GET http://h/x HTTP/1.1', 'Host: h')).target, 'http://h/x');
  });

  test('raw bytes above 0x7F in the target are refused (clients percent-encode them)', () => {
    assertRefused(head('GET /caf\xe9 HTTP/1.1', 'Host: t'), 400, 'an invalid request target');
  });
});

describe('parseHead: persistence', () => {
  test('HTTP/1.1 persists unless Connection lists close (any case, in a list, on any line)', () => {
    assert.equal(parsed(get11()).keepAlive, true);
    assert.equal(parsed(get11('Connection: keep-alive')).keepAlive, true);
    assert.equal(parsed(get11('Connection: close')).keepAlive, false);
    assert.equal(parsed(get11('Connection: Upgrade, CLOSE')).keepAlive, false);
    assert.equal(parsed(get11('Connection: upgrade', 'Connection: close')).keepAlive, false);
    // A token is compared whole: "closed" is not "close".
    assert.equal(parsed(get11('Connection: closed')).keepAlive, true);
  });

  test('HTTP/1.0 persists only with keep-alive (any case, in a token list), and close wins', () => {
    assert.equal(parsed(head('GET / HTTP/1.0')).keepAlive, false);
    assert.equal(parsed(head('GET / HTTP/1.0', 'Connection: keep-alive')).keepAlive, true);
    assert.equal(parsed(head('GET / HTTP/1.0', 'Connection: foo, Keep-Alive')).keepAlive, true);
    assert.equal(parsed(head('GET / HTTP/1.0', 'connection:\tKEEP-ALIVE ')).keepAlive, true);
    assert.equal(parsed(head('GET / HTTP/1.0', 'Connection: foo', 'Connection: keep-alive')).keepAlive, true);
    assert.equal(parsed(head('GET / HTTP/1.0', 'Connection: keep-alive, close')).keepAlive, false);
    assert.equal(parsed(head('GET / HTTP/1.0', 'Connection: keep-alive-ish')).keepAlive, false);
  });
});

describe('parseHead: field values', () => {
  test('OWS (spaces and tabs) is trimmed around a value and kept inside it', () => {
    const result = parsed(get11('X-A:  \t a \t b\t  ', 'X-B:value', 'X-C:', 'X-D: \t '));
    assert.deepEqual(result.rawHeaders.slice(2), ['X-A', 'a \t b', 'X-B', 'value', 'X-C', '', 'X-D', '']);
  });

  test('obs-text (latin-1 0x80-0xff) is allowed in a value', () => {
    const value = 'caf\xe9 \x80\xff';
    assert.deepEqual(parsed(get11(`X-Latin: ${value}`)).rawHeaders.slice(2), ['X-Latin', value]);
  });

  test('a control character, DEL, NUL, a bare CR or a bare LF in a value is refused', () => {
    for (const bad of ['a\x01b', 'a\x7fb', 'a\x00b', 'a\rb', 'a\nX-Other: b', 'a\x1b']) {
      assertRefused(get11(`X-Test: ${bad}`), 400, 'an invalid character in the X-Test header');
    }
  });

  test('obs-fold (a line starting with a space or a tab) is refused', () => {
    assertRefused(get11('X-A: one', ' two'), 400, 'obsolete line folding is not accepted');
    assertRefused(get11('X-A: one', '\ttwo'), 400, 'obsolete line folding is not accepted');
  });

  test('a space before the colon, an empty name or a name that is not a token is refused', () => {
    assertRefused(get11('X-A : one'), 400, 'an invalid header name');
    assertRefused(get11('X-A\t: one'), 400, 'an invalid header name');
    assertRefused(get11(': one'), 400, 'an invalid header name');
    assertRefused(get11('X(A): one'), 400, 'an invalid header name');
    assertRefused(get11('X\xe9: one'), 400, 'an invalid header name');
  });

  test('a line without a colon is refused, even when a later line has one', () => {
    assertRefused(get11('NoColonHere', 'X-A: b'), 400, 'a header line without a colon');
    assertRefused(head('GET / HTTP/1.1', 'Host: t', 'Last'), 400, 'a header line without a colon');
  });
});

describe('parseHead: Content-Length', () => {
  test('digits frame the body by length; leading zeros are read as decimal', () => {
    const result = parsed(post11('Content-Length: 11'));
    assert.deepEqual([result.framing, result.contentLength], ['length', 11]);
    assert.deepEqual([parsed(post11('Content-Length: 010')).contentLength], [10]);
    const largest = parsed(post11(`Content-Length: ${'9'.repeat(15)}`));
    assert.deepEqual([largest.framing, largest.contentLength], ['length', 999_999_999_999_999]);
  });

  test('0 means no body', () => {
    const result = parsed(post11('Content-Length: 0'));
    assert.deepEqual([result.framing, result.contentLength], ['none', 0]);
  });

  test('the same value twice is one length', () => {
    const result = parsed(post11('Content-Length: 5', 'content-length: 5'));
    assert.deepEqual([result.framing, result.contentLength], ['length', 5]);
  });

  test('leading zeros do not count toward the 15-digit bound', () => {
    assert.equal(parsed(post11(`Content-Length: ${'0'.repeat(20)}5`)).contentLength, 5);
    assert.equal(parsed(post11(`Content-Length: 0${'9'.repeat(15)}`)).contentLength, 999_999_999_999_999);
  });

  test('anything but plain digits, at most 15 significant ones, is refused', () => {
    for (const bad of ['+1', '-1', '1 2', '5, 5', '5,5', '0x10', '1e3', '1.0', '', '9'.repeat(16), '5\xa0']) {
      assertRefused(post11(`Content-Length: ${bad}`), 400, 'an invalid Content-Length');
    }
  });

  test('two different values are refused, even when they mean the same number', () => {
    assertRefused(
      post11('Content-Length: 5', 'Content-Length: 6'),
      400,
      'two different Content-Length headers',
    );
    assertRefused(
      post11('Content-Length: 5', 'Content-Length: 05'),
      400,
      'two different Content-Length headers',
    );
  });
});

describe('parseHead: Transfer-Encoding', () => {
  test('chunked frames the body (any case)', () => {
    const result = parsed(post11('Transfer-Encoding: chunked'));
    assert.deepEqual([result.framing, result.contentLength], ['chunked', 0]);
    assert.equal(parsed(post11('transfer-encoding: Chunked')).framing, 'chunked');
  });

  test('codings before a final chunked are accepted, also across two header lines', () => {
    assert.equal(parsed(post11('Transfer-Encoding: gzip, chunked')).framing, 'chunked');
    assert.equal(parsed(post11('Transfer-Encoding: gzip', 'Transfer-Encoding: chunked')).framing, 'chunked');
    assert.equal(parsed(post11('Transfer-Encoding: gzip,chunked')).framing, 'chunked');
  });

  test('together with Content-Length it is refused, whichever comes first', () => {
    const message = 'Transfer-Encoding together with Content-Length';
    assertRefused(post11('Transfer-Encoding: chunked', 'Content-Length: 5'), 400, message);
    assertRefused(post11('Content-Length: 5', 'Transfer-Encoding: chunked'), 400, message);
    assertRefused(post11('Content-Length: 0', 'Transfer-Encoding: chunked'), 400, message);
  });

  test('in HTTP/1.0 it is refused', () => {
    assertRefused(
      head('POST / HTTP/1.0', 'Transfer-Encoding: chunked'),
      400,
      'Transfer-Encoding is not allowed in HTTP/1.0',
    );
  });

  test('codings not ending with a single chunked are refused', () => {
    const message = 'Transfer-Encoding must end with chunked, once';
    for (const bad of ['gzip', 'identity', 'chunked, gzip', 'chunked, chunked', 'chunkedx', '']) {
      assertRefused(post11(`Transfer-Encoding: ${bad}`), 400, message);
    }
    assertRefused(post11('Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'), 400, message);
    assertRefused(post11('Transfer-Encoding: chunked', 'Transfer-Encoding: gzip'), 400, message);
  });

  test('an empty or invalid coding before chunked is refused', () => {
    for (const bad of ['gzip,,chunked', ', chunked', 'gzip;q=1, chunked', 'g(z), chunked']) {
      assertRefused(post11(`Transfer-Encoding: ${bad}`), 400, 'an invalid Transfer-Encoding');
    }
  });

  test('whitespace other than SP and HTAB is part of a coding, not padding (chunked\\xa0 is not chunked)', () => {
    for (const bad of [
      'chunked\xa0',
      '\xa0chunked',
      'gzip,\xa0chunked',
      'chunked\x85',
      'chunked\x0b',
      'chunked\x0c',
    ]) {
      const result = parseHead(post11(`Transfer-Encoding: ${bad}`));
      assert.ok(result instanceof HeadError, JSON.stringify(bad));
      assert.equal(result.status, 400);
    }
    assert.equal(parsed(post11('Transfer-Encoding: gzip ,\tchunked \t')).framing, 'chunked');
  });
});

describe('parseHead: the request line', () => {
  test('an unknown or lower-case method is refused', () => {
    for (const method of ['get', 'Get', 'FOO', 'BREW', 'G\xc9T']) {
      assertRefused(head(`${method} / HTTP/1.1`, 'Host: t'), 400, 'an unknown method');
    }
  });

  test('a target with a control character is refused', () => {
    for (const target of ['/a\x01', '/a\tb', '/\x7f', '/a\x00']) {
      assertRefused(head(`GET ${target} HTTP/1.1`, 'Host: t'), 400, 'an invalid request target');
    }
  });

  test('a target with a space leaves a version that is not one', () => {
    assertRefused(head('GET /a b HTTP/1.1', 'Host: t'), 400, 'a malformed HTTP version');
  });

  test('a missing version, a missing target or doubled spaces are a malformed request line', () => {
    for (const line of ['GET /', 'GET', '', ' / HTTP/1.1', 'GET  / HTTP/1.1']) {
      assertRefused(head(line, 'Host: t'), 400, 'a malformed request line');
    }
    // No spaces in the request line: those of a header line do not count.
    assertRefused(head('GET', 'Host: a b c'), 400, 'a malformed request line');
  });

  test('a version that is not HTTP/d.d is refused', () => {
    for (const version of ['HTTP/1', 'HTTP/1.1x', 'http/1.1', 'HTTP/11.1', 'HTTP/1.1 ', 'HTTP/1.1\r', '']) {
      assertRefused(head(`GET / ${version}`, 'Host: t'), 400, 'a malformed HTTP version');
    }
  });

  test('HTTP/1.2 parses with HTTP/1.1 semantics, its protocol string kept', () => {
    const result = parsed(head('GET / HTTP/1.2', 'Host: t'));
    assert.deepEqual([result.protocol, result.keepAlive], ['HTTP/1.2', true]);
    assertRefused('GET / HTTP/1.2', 400, 'an HTTP/1.1 request without Host');
    assert.equal(parsed(head('POST / HTTP/1.2', 'Host: t', 'Transfer-Encoding: chunked')).framing, 'chunked');
    const continued = parsed(head('POST / HTTP/1.2', 'Host: t', 'Content-Length: 1', 'Expect: 100-continue'));
    assert.equal(continued.expectsContinue, true);
  });

  test('HTTP/2.0 parses (the server answers 505), never persistent', () => {
    const result = parsed(head('GET / HTTP/2.0', 'Host: t'));
    assert.deepEqual([result.protocol, result.keepAlive], ['HTTP/2.0', false]);
    assert.equal(parsed(head('GET / HTTP/2.0', 'Host: t', 'Connection: keep-alive')).keepAlive, false);
  });
});

describe('parseHead: Host', () => {
  test('HTTP/1.1 without Host is refused; any case of the name counts', () => {
    assertRefused('GET / HTTP/1.1', 400, 'an HTTP/1.1 request without Host');
    assertRefused(head('GET / HTTP/1.1', 'X-Host: t'), 400, 'an HTTP/1.1 request without Host');
    assert.deepEqual(parsed(head('GET / HTTP/1.1', 'hOST: t')).rawHeaders, ['hOST', 't']);
  });
});

describe('parseHead: Expect', () => {
  test('100-continue (any case) is expected in HTTP/1.1', () => {
    assert.equal(parsed(post11('Content-Length: 5', 'Expect: 100-continue')).expectsContinue, true);
    assert.equal(parsed(post11('Content-Length: 5', 'expect: 100-Continue')).expectsContinue, true);
    assert.equal(parsed(post11('Content-Length: 5')).expectsContinue, false);
  });

  test('100-continue is ignored in HTTP/1.0', () => {
    const result = parsed(head('POST / HTTP/1.0', 'Content-Length: 5', 'Expect: 100-continue'));
    assert.equal(result.expectsContinue, false);
  });

  test('any other expectation is refused with 417', () => {
    const message = 'only "Expect: 100-continue" is supported';
    for (const bad of ['something-else', '100-continue-ish', '', '100-continue, foo']) {
      assertRefused(post11(`Expect: ${bad}`), 417, message);
    }
    assertRefused(head('GET / HTTP/1.0', 'Expect: something-else'), 417, message);
    // Several Expect lines are one list: the last cannot hide an earlier one.
    assertRefused(post11('Expect: foo', 'Expect: 100-continue'), 417, message);
  });
});

describe('parseFieldLine', () => {
  test('splits the line between start and end only, trimming OWS', () => {
    const text = 'junk\r\nName:\t value \r\nnext: line';
    const start = text.indexOf('Name');
    const into = ['before', 'x'];
    assert.equal(parseFieldLine(text, start, text.indexOf('\r\n', start), into), undefined);
    assert.deepEqual(into, ['before', 'x', 'Name', 'value']);
  });

  test('a colon past end does not count', () => {
    const text = 'NoColon\r\nX: y';
    const into: string[] = [];
    const error = parseFieldLine(text, 0, 7, into);
    assert.deepEqual(error, new HeadError(400, 'a header line without a colon'));
    assert.deepEqual(into, []);
  });

  test('a refused line adds nothing', () => {
    const into: string[] = [];
    assert.deepEqual(
      parseFieldLine('X: a\x01', 0, 5, into),
      new HeadError(400, 'an invalid character in the X header'),
    );
    assert.deepEqual(into, []);
  });
});
