import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../src/tsgi/errors.ts';
import {
  assertValidHeaders,
  hopByHopHeaders,
  isHeaderName,
  isHeaderValue,
  isHopByHop,
  environKey,
  headerNameOf,
  isToken,
  receivedHeaderKey,
} from '../../src/tsgi/headers.ts';

test('hopByHopHeaders holds the hop-by-hop names in lower case', () => {
  assert.deepEqual([...hopByHopHeaders].sort(), [
    'connection',
    'keep-alive',
    'proxy-authenticate',
    'proxy-authorization',
    'te',
    'trailer',
    'trailers',
    'transfer-encoding',
    'upgrade',
  ]);
});

test('isHopByHop ignores case and accepts nothing else', () => {
  for (const name of [
    'Connection',
    'KEEP-ALIVE',
    'te',
    'TE',
    'Transfer-Encoding',
    'Upgrade',
    'Trailer',
    'Trailers',
  ]) {
    assert.equal(isHopByHop(name), true, name);
  }
  for (const name of [
    'Content-Type',
    'Content-Length',
    'T',
    'tee',
    'Set-Cookie',
    '',
    'Proxy-Authorization-X',
  ]) {
    assert.equal(isHopByHop(name), false, name);
  }
  assert.equal(isHopByHop('Proxy-Authorization'), true);
});

test('isToken accepts RFC 9110 tokens only', () => {
  for (const name of ['Content-Type', 'x', 'X-Custom_1', "!#$%&'*+-.^_`|~", 'GET', '0']) {
    assert.equal(isToken(name), true, name);
  }
  for (const name of [
    '',
    'Bad Name',
    'Name:',
    'a\r\nb',
    'caf\u00e9',
    'a"b',
    'a(b)',
    'a/b',
    'a\tb',
    'a@b',
    '{x}',
  ]) {
    assert.equal(isToken(name), false, name);
  }
  assert.equal(isHeaderName, isToken);
});

test('isHeaderValue allows tab and latin-1, rejects control characters and wider characters', () => {
  for (const value of ['', 'text/html; charset=utf-8', 'a\tb', 'caf\u00e9', '\u00ff', '  spaced  ']) {
    assert.equal(isHeaderValue(value), true, JSON.stringify(value));
  }
  for (const value of [
    'a\r\nSet-Cookie: x',
    'a\nb',
    'a\rb',
    '\u0000',
    'a\u001fb',
    'a\u007fb',
    '\u20ac',
    '\u0100',
  ]) {
    assert.equal(isHeaderValue(value), false, JSON.stringify(value));
  }
});

test('assertValidHeaders accepts a good list and names the first bad header', () => {
  assertValidHeaders([
    ['Content-Type', 'text/plain'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
  ]);
  assertValidHeaders([]);
  const invalid = (pattern: RegExp) => (error: unknown) =>
    hasCode(error, 'PORTICO_ERR_INVALID_HEADER') && pattern.test((error as Error).message);
  assert.throws(() => assertValidHeaders({}), invalid(/array/));
  assert.throws(() => assertValidHeaders([['a', 'b', 'c']]), invalid(/#0 is not a \[name, value\] pair/));
  assert.throws(
    () =>
      assertValidHeaders([
        ['ok', 'v'],
        ['X', 1],
      ]),
    invalid(/#1: name and value must be strings/),
  );
  assert.throws(() => assertValidHeaders([['Bad Name', 'v']]), invalid(/not an HTTP token/));
  assert.throws(() => assertValidHeaders([['Connection', 'close']]), invalid(/hop-by-hop/));
  assert.throws(
    () => assertValidHeaders([['X-A', 'a\r\nInjected: yes']]),
    invalid(/X-A has a control character/),
  );
});

test('environKey: CGI names, Content-Type and Content-Length without the prefix', () => {
  assert.equal(environKey('X-Forwarded-Proto'), 'HTTP_X_FORWARDED_PROTO');
  assert.equal(environKey('x-forwarded-proto'), 'HTTP_X_FORWARDED_PROTO');
  assert.equal(environKey('Content-Type'), 'CONTENT_TYPE');
  assert.equal(environKey('content-length'), 'CONTENT_LENGTH');
  assert.equal(environKey('Content-MD5'), 'HTTP_CONTENT_MD5');
  assert.equal(environKey('X_Id'), 'HTTP_X_ID', 'a lookup may spell the name with "_"');
});

test('receivedHeaderKey: a received name with "_" is dropped, not folded onto its dashed twin', () => {
  assert.equal(receivedHeaderKey('X-User'), 'HTTP_X_USER');
  assert.equal(receivedHeaderKey('X_User'), null);
  assert.equal(receivedHeaderKey('content-type'), 'CONTENT_TYPE');
});

test('headerNameOf: the inverse, lower case; undefined for keys that name no header', () => {
  assert.equal(headerNameOf('HTTP_X_FORWARDED_FOR'), 'x-forwarded-for');
  assert.equal(headerNameOf('CONTENT_TYPE'), 'content-type');
  assert.equal(headerNameOf('CONTENT_LENGTH'), 'content-length');
  for (const key of ['HTTP_', 'HTTP', 'REQUEST_METHOD', 'tsgi.input', 'http_x']) {
    assert.equal(headerNameOf(key), undefined, key);
  }
  for (const name of ['x-forwarded-for', 'content-type', 'accept']) {
    assert.equal(headerNameOf(environKey(name)), name);
  }
});
