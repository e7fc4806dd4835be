import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BadSignature,
  DisallowedHost,
  HttpRequest,
  RequestDataTooBig,
  SignatureExpired,
} from '../../../src/web/index.ts';
import { getCookieSigner } from '../../../src/web/core/signing.ts';
import { hasCode } from '../../../src/tsgi/errors.ts';
import { makeEnviron } from '../helpers.ts';

const settings = (overrides: Partial<HttpRequest['settings']> = {}): HttpRequest['settings'] => ({
  debug: false,
  allowedHosts: ['example.com', '.example.org'],
  dataUploadMaxMemorySize: 10,
  dataUploadMaxNumberFields: 1000,
  ...overrides,
});

describe('paths', () => {
  test('path joins the script name and path info; META is the environ', () => {
    const environ = makeEnviron({ scriptName: '/mount/', path: '/a/b/', method: 'post' });
    const request = new HttpRequest(environ);
    assert.equal(request.method, 'POST');
    assert.equal(request.scriptName, '/mount/');
    assert.equal(request.pathInfo, '/a/b/');
    assert.equal(request.path, '/mount/a/b/');
    assert.equal(request.scriptPrefix, '/mount/');
    assert.equal(request.META, environ);
    assert.equal(request.resolverMatch, null);
  });

  test('only the first slash of path info is dropped when joining; empty path info is /', () => {
    assert.equal(new HttpRequest(makeEnviron({ scriptName: '/m', path: '//x' })).path, '/m//x');
    const empty = new HttpRequest(makeEnviron({ path: '' }));
    assert.equal(empty.pathInfo, '/');
    assert.equal(empty.META.PATH_INFO, '/');
    assert.equal(new HttpRequest(makeEnviron({ scriptName: '/m', path: '/' })).scriptPrefix, '/m/');
  });

  test('a forced script name replaces SCRIPT_NAME', () => {
    const request = new HttpRequest(makeEnviron({ scriptName: '/proxy', path: '/x' }), {
      scriptName: '/public',
    });
    assert.equal(request.path, '/public/x');
    assert.equal(request.META.SCRIPT_NAME, '/public');
  });

  test('getFullPath escapes the path and keeps the query', () => {
    const request = new HttpRequest(makeEnviron({ scriptName: '/m', path: '/a b/ü', query: 'q=1&r=%20' }));
    assert.equal(request.getFullPath(), '/m/a%20b/%C3%BC?q=1&r=%20');
    assert.equal(request.getFullPath(true), '/m/a%20b/%C3%BC/?q=1&r=%20');
    assert.equal(request.getFullPathInfo(), '/a%20b/%C3%BC?q=1&r=%20');
  });
});

describe('headers, query, cookies', () => {
  const request = new HttpRequest(
    makeEnviron({
      query: 'a=1&a=2',
      headers: {
        'X-Request-Id': 'abc',
        'Content-Type': 'application/json; charset=utf-8',
        Cookie: 'sid=123; theme=dark',
      },
    }),
  );

  test('headers are case-insensitive and accept underscores', () => {
    assert.equal(request.headers.get('x-request-id'), 'abc');
    assert.equal(request.headers.get('X_REQUEST_ID'), 'abc');
    assert.equal(request.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.ok(!request.headers.has('accept'));
    const names = [...request.headers].map(([name]) => name);
    assert.ok(
      names.includes('X-Request-Id') && names.includes('Content-Type') && names.includes('Host'),
      names.join(),
    );
    assert.equal(request.contentType, 'application/json');
  });

  test('GET is a multi-value dict; COOKIES a plain map', () => {
    assert.deepEqual(request.GET.getList('a'), ['1', '2']);
    assert.equal(request.GET, request.GET, 'cached');
    assert.equal(request.COOKIES.sid, '123');
    assert.equal(request.COOKIES.theme, 'dark');
  });
});

describe('host', () => {
  const host = (httpHost: string | undefined, s = settings()) =>
    new HttpRequest(makeEnviron({ extra: { HTTP_HOST: httpHost } }), { settings: s }).getHost();

  test('allowedHosts: exact names, a leading dot for subdomains, * for any', () => {
    assert.equal(host('example.com'), 'example.com');
    assert.equal(host('EXAMPLE.com:8000'), 'EXAMPLE.com:8000');
    assert.equal(host('example.org'), 'example.org');
    assert.equal(host('a.b.example.org'), 'a.b.example.org');
    assert.equal(host('anything.test', settings({ allowedHosts: ['*'] })), 'anything.test');
    assert.throws(() => host('evil.com'), DisallowedHost);
    assert.throws(() => host('example.com.evil.com'), /add 'example.com.evil.com' to allowedHosts/);
    assert.throws(() => host('bad host!'), /not valid/);
  });

  test('debug with no allowedHosts allows localhost names only', () => {
    const debug = settings({ debug: true, allowedHosts: [] });
    assert.equal(host('localhost:8000', debug), 'localhost:8000');
    assert.equal(host('api.localhost', debug), 'api.localhost');
    assert.equal(host('127.0.0.1', debug), '127.0.0.1');
    assert.equal(host('[::1]:80', debug), '[::1]:80');
    assert.throws(() => host('example.com', debug), DisallowedHost);
    assert.throws(() => host('localhost', settings({ allowedHosts: [] })), DisallowedHost);
  });

  test('without a Host header: SERVER_NAME, and the port unless standard', () => {
    assert.throws(() => host(undefined), /testserver/);
    assert.equal(host(undefined, settings({ allowedHosts: ['testserver'] })), 'testserver');
    const request = new HttpRequest(makeEnviron({ extra: { HTTP_HOST: undefined, SERVER_PORT: '8080' } }), {
      settings: settings({ allowedHosts: ['testserver'] }),
    });
    assert.equal(request.getHost(), 'testserver:8080');
    assert.equal(request.buildAbsoluteUri('/x?y=1'), 'http://testserver:8080/x?y=1');
  });
});

describe('body', () => {
  test('body() reads up to Content-Length once and caches it; text() and json() decode it', async () => {
    const request = new HttpRequest(
      makeEnviron({ method: 'POST', body: '{"a":"é"}', headers: { 'Content-Type': 'application/json' } }),
    );
    const body = await request.body();
    assert.equal(body.length, 10);
    assert.equal(await request.body(), body);
    assert.equal(await request.text(), '{"a":"é"}');
    assert.deepEqual(await request.json(), { a: 'é' });
  });

  test('without Content-Length the body is read to the end only if the input is terminated', async () => {
    const terminated = makeEnviron({ body: 'abc' });
    delete terminated.CONTENT_LENGTH;
    assert.equal(new TextDecoder().decode(await new HttpRequest(terminated).body()), 'abc');
    const unterminated = makeEnviron({ body: 'abc', extra: { 'tsgi.input_terminated': false } });
    delete unterminated.CONTENT_LENGTH;
    assert.equal((await new HttpRequest(unterminated).body()).length, 0);
  });

  test('a body over dataUploadMaxMemorySize is RequestDataTooBig, with or without Content-Length', async () => {
    await assert.rejects(
      new HttpRequest(makeEnviron({ body: 'x'.repeat(11) }), { settings: settings() }).body(),
      RequestDataTooBig,
    );
    const chunked = makeEnviron({ body: 'x'.repeat(11) });
    delete chunked.CONTENT_LENGTH;
    await assert.rejects(new HttpRequest(chunked, { settings: settings() }).body(), RequestDataTooBig);
    assert.equal(
      (await new HttpRequest(makeEnviron({ body: 'x'.repeat(10) }), { settings: settings() }).body()).length,
      10,
    );
  });

  test('read() streams; body() is then unavailable', async () => {
    const request = new HttpRequest(makeEnviron({ body: 'abcdef' }));
    assert.equal(new TextDecoder().decode(await request.read(4)), 'abcd');
    assert.equal(new TextDecoder().decode(await request.read()), 'ef');
    assert.equal((await request.read()).length, 0);
    await assert.rejects(request.body(), (e) => hasCode(e, 'PORTICO_ERR_INPUT_CONSUMED'));
  });
});

describe('content type, encoding, scheme behind a proxy, forwarded host and port', () => {
  test('contentType and contentParams come from CONTENT_TYPE; encoding from its charset unless set', () => {
    const request = new HttpRequest(
      makeEnviron({ query: 'q=%E9', headers: { 'Content-Type': 'Text/Plain; Charset="ISO-8859-1"; x=1' } }),
    );
    assert.equal(request.contentType, 'text/plain');
    assert.deepEqual({ ...request.contentParams }, { charset: 'ISO-8859-1', x: '1' });
    assert.equal(request.encoding, 'ISO-8859-1');
    assert.equal(request.GET.get('q'), 'é');
    request.encoding = 'utf-8';
    assert.equal(request.encoding, 'utf-8');
    assert.equal(request.GET.get('q'), 'é', 'invalid UTF-8 still falls back to latin-1');
    const plain = new HttpRequest(makeEnviron());
    assert.equal(plain.contentType, '');
    assert.equal(plain.encoding, null);
  });

  test('isSecure(): the trusted proxy header decides when present (its left-most value)', () => {
    const proxied = (headers: Record<string, string>, scheme: 'http' | 'https' = 'http') =>
      new HttpRequest(makeEnviron({ headers, extra: { 'tsgi.url_scheme': scheme } }), {
        settings: settings({ secureProxySslHeader: ['HTTP_X_FORWARDED_PROTO', 'https'] }),
      });
    assert.equal(proxied({ 'X-Forwarded-Proto': 'https' }).isSecure(), true);
    assert.equal(proxied({ 'X-Forwarded-Proto': 'https, http' }).isSecure(), true);
    assert.equal(proxied({ 'X-Forwarded-Proto': 'http, https' }).isSecure(), false);
    assert.equal(proxied({ 'X-Forwarded-Proto': 'http' }, 'https').isSecure(), false);
    assert.equal(proxied({}, 'https').isSecure(), true, 'absent: the connection decides');
    assert.equal(proxied({}).scheme, 'http');
    const untrusted = new HttpRequest(makeEnviron({ headers: { 'X-Forwarded-Proto': 'https' } }));
    assert.equal(untrusted.isSecure(), false, 'no setting: the header is ignored');
  });

  test('X-Forwarded-Host and -Port are used only when the settings say so', () => {
    const environ = () =>
      makeEnviron({
        headers: { 'X-Forwarded-Host': 'example.com', 'X-Forwarded-Port': '8443' },
        extra: { HTTP_HOST: 'internal', SERVER_PORT: '8000' },
      });
    const trusting = new HttpRequest(environ(), {
      settings: settings({ useXForwardedHost: true, useXForwardedPort: true }),
    });
    assert.equal(trusting.getHost(), 'example.com');
    assert.equal(trusting.getPort(), '8443');
    assert.equal(trusting.buildAbsoluteUri('/a?b=1'), 'http://example.com/a?b=1');
    const plain = new HttpRequest(environ(), { settings: settings({ allowedHosts: ['internal'] }) });
    assert.equal(plain.getHost(), 'internal');
    assert.equal(plain.getPort(), '8000');
  });

  test('buildAbsoluteUri: relative, rooted and absolute locations', () => {
    const request = new HttpRequest(
      makeEnviron({ path: '/a/b/', query: 'x=1', headers: { Host: 'example.com' } }),
      {
        settings: settings(),
      },
    );
    assert.equal(request.buildAbsoluteUri(), 'http://example.com/a/b/?x=1');
    assert.equal(request.buildAbsoluteUri('c/'), 'http://example.com/a/b/c/');
    assert.equal(request.buildAbsoluteUri('/root'), 'http://example.com/root');
    assert.equal(request.buildAbsoluteUri('https://other.test/p'), 'https://other.test/p');
  });
});

describe('signed cookies', () => {
  const withCookie = (cookie: string, extra: Partial<HttpRequest['settings']> = {}) =>
    new HttpRequest(makeEnviron({ headers: { Cookie: cookie } }), {
      settings: settings({ secretKey: 'secret', ...extra }),
    });

  test('a cookie signed by Django (same secret) verifies; a tampered one throws unless a default is given', () => {
    const signed = getCookieSigner({ secretKey: 'secret' }, 'sid', 'pepper').sign('hello');
    const request = withCookie(`sid=${signed}; bad=${signed.replace('hello', 'hellO')}`);
    assert.equal(request.getSignedCookie('sid', { salt: 'pepper' }), 'hello');
    assert.throws(() => request.getSignedCookie('sid'), BadSignature, 'another salt');
    assert.throws(
      () => request.getSignedCookie('bad', { salt: 'pepper' }),
      (e) => hasCode(e, 'PORTICO_ERR_BAD_SIGNATURE'),
    );
    assert.equal(request.getSignedCookie('bad', { salt: 'pepper', default: null }), null);
    assert.equal(request.getSignedCookie('missing'), undefined);
    assert.equal(request.getSignedCookie('missing', { default: 'd' }), 'd');
  });

  test('secretKeyFallbacks verify cookies signed with a former key; maxAge refuses old ones', () => {
    const old = getCookieSigner({ secretKey: 'old' }, 'sid').sign('v', Date.now() - 120_000);
    const request = withCookie(`sid=${old}`, { secretKeyFallbacks: ['old'] });
    assert.equal(request.getSignedCookie('sid'), 'v');
    assert.throws(() => request.getSignedCookie('sid', { maxAge: 60 }), SignatureExpired);
    assert.throws(() => withCookie(`sid=${old}`).getSignedCookie('sid'), BadSignature);
  });
});
