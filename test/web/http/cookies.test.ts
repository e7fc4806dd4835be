import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type HttpRequest,
  HttpResponse,
  HttpResponseNotModified,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  path,
} from '../../../src/web/index.ts';
import { getCookieSigner } from '../../../src/web/core/signing.ts';
import { hasCode } from '../../../src/tsgi/errors.ts';
import { project } from '../app.ts';
import { serve } from '../helpers.ts';

describe('setCookie attributes', () => {
  test('every attribute, in Django’s order; partitioned requires secure', () => {
    const response = new HttpResponse();
    response.setCookie('a', 'v', {
      maxAge: 60,
      path: '/p',
      domain: 'example.com',
      secure: true,
      httpOnly: true,
      sameSite: 'none',
      partitioned: true,
    });
    assert.match(
      response.cookies[0] ?? '',
      /^a=v; expires=\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT; Max-Age=60; Path=\/p; Domain=example.com; Secure; HttpOnly; SameSite=None; Partitioned$/,
    );
    assert.throws(() => response.setCookie('b', 'v', { partitioned: true }), /must also be secure/);
    const expires = new Date(Date.now() + 10_000);
    response.setCookie('c', 'v', { expires });
    assert.match(response.cookies[1] ?? '', /Max-Age=(10|11)/);
    response.deleteCookie('__Host-x', { sameSite: 'lax' });
    assert.match(
      response.cookies[2] ?? '',
      /^__Host-x=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=\/; Secure; SameSite=Lax$/,
    );
  });
});

describe('signed cookies through the handler', () => {
  const urls = [
    path('set/', () => {
      const response = new HttpResponse('set');
      response.setSignedCookie('user', 'ann', { salt: 'login', httpOnly: true });
      return response;
    }),
    path(
      'get/',
      (request: HttpRequest) =>
        new HttpResponse(String(request.getSignedCookie('user', { salt: 'login', default: 'anonymous' }))),
    ),
    path(
      'strict/',
      (request: HttpRequest) => new HttpResponse(String(request.getSignedCookie('user', { salt: 'login' }))),
    ),
  ];

  test('signed with secretKey when sent; read back; a tampered value falls back or is a 400', async () => {
    const app = project({ rootUrlconf: urls, secretKey: 's3cret' });
    const set = await serve(app, { path: '/set/' });
    const cookie = set.header('Set-Cookie') ?? '';
    assert.match(cookie, /^user=ann:[0-9A-Za-z]+:[\w-]{43}; Path=\/; HttpOnly$/);
    const value = cookie.split(';')[0] as string;
    assert.equal((await serve(app, { path: '/get/', headers: { Cookie: value } })).body, 'ann');
    const forged = value.replace('ann', 'bob');
    assert.equal((await serve(app, { path: '/get/', headers: { Cookie: forged } })).body, 'anonymous');
    assert.equal((await serve(app, { path: '/strict/', headers: { Cookie: forged } })).code, 400);
    const signer = getCookieSigner({ secretKey: 's3cret' }, 'user', 'login');
    assert.equal(signer.unsign(value.slice('user='.length)), 'ann', 'Django’s format and key derivation');
  });

  test('after rotating the key, cookies signed with the old one still verify', async () => {
    const old = project({ rootUrlconf: urls, secretKey: 'old' });
    const value = ((await serve(old, { path: '/set/' })).header('Set-Cookie') ?? '').split(';')[0] as string;
    const rotated = project({ rootUrlconf: urls, secretKey: 'new', secretKeyFallbacks: ['old'] });
    assert.equal((await serve(rotated, { path: '/get/', headers: { Cookie: value } })).body, 'ann');
    const dropped = project({ rootUrlconf: urls, secretKey: 'new' });
    assert.equal((await serve(dropped, { path: '/get/', headers: { Cookie: value } })).body, 'anonymous');
  });

  test('without a secretKey, sending a signed cookie fails the application with an error naming the setting', async () => {
    const served = await serve(project({ rootUrlconf: urls, debug: false }), { path: '/set/' }).catch(
      (e: unknown) => e,
    );
    assert.ok(served instanceof Error && /secretKey setting must not be empty/.test(served.message));
    const response = new HttpResponse();
    response.setSignedCookie('x', 'v', { secretKey: 'explicit' });
    assert.match(response.cookies[0] ?? '', /^x=v:/);
  });
});

describe('redirects and 304', () => {
  test('preserveRequest: 307 and 308', () => {
    assert.equal(new HttpResponseRedirect('/a', { preserveRequest: true }).statusCode, 307);
    assert.equal(new HttpResponsePermanentRedirect('/a', { preserveRequest: true }).statusCode, 308);
    assert.equal(new HttpResponseRedirect('/a').statusCode, 302);
  });

  test('redirects refuse unsafe schemes, including disguised ones', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:x', 'data:text/html,x', 'file:///etc/passwd']) {
      assert.throws(
        () => new HttpResponseRedirect(url),
        (e) => hasCode(e, 'PORTICO_ERR_DISALLOWED_REDIRECT'),
        url,
      );
    }
    assert.equal(new HttpResponseRedirect('https://example.com/é').url, 'https://example.com/%C3%A9');
  });

  test('a 304 cannot be given content', () => {
    const response = new HttpResponseNotModified();
    assert.throws(() => {
      response.content = 'x';
    }, /cannot set content/);
    response.content = '';
    assert.equal(response.content.length, 0);
  });
});
