import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DisallowedRedirect,
  FileResponse,
  type HttpRequest,
  HttpResponse,
  HttpResponseBadRequest,
  HttpResponseBase,
  HttpResponseForbidden,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponseNotFound,
  HttpResponseNotModified,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  HttpResponseServerError,
  JsonResponse,
  path,
  requestFinished,
  StreamingHttpResponse,
} from '../../../src/web/index.ts';
import { getCookieSigner } from '../../../src/web/core/signing.ts';
import { hasCode } from '../../../src/tsgi/errors.ts';
import { project } from '../app.ts';
import { serve } from '../helpers.ts';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('HttpResponse', () => {
  test('status, reason phrase and default content type', () => {
    const response = new HttpResponse('hello');
    assert.equal(response.statusCode, 200);
    assert.equal(response.statusLine, '200 OK');
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(new HttpResponse('', { status: 299 }).statusLine, '299 Unknown Status Code');
    assert.equal(new HttpResponse('', { status: 200, reason: 'Fine' }).statusLine, '200 Fine');
    assert.throws(
      () => new HttpResponse('', { status: 600 }),
      (e) => hasCode(e, 'PORTICO_ERR_INVALID_STATUS'),
    );
    assert.throws(() => new HttpResponse('', { status: 20.5 }), /100 to 599/);
  });

  test('content as text, bytes or an iterable; write() appends; byteLength without encoding', () => {
    const response = new HttpResponse(['héllo', new Uint8Array([33])]);
    response.write(' again');
    assert.equal(decode(response.content), 'héllo! again');
    assert.equal(response.text, 'héllo! again');
    assert.equal(response.byteLength, 13);
    assert.deepEqual([...response].length, 3);
    response.content = 'replaced';
    assert.equal(response.text, 'replaced');
    assert.equal(new HttpResponse('😀').byteLength, 4);
  });

  test('charset from the option or the content type; latin-1 text is encoded', () => {
    const latin = new HttpResponse('café', { contentType: 'text/plain; charset=ISO-8859-1' });
    assert.equal(latin.charset, 'ISO-8859-1');
    assert.deepEqual([...latin.content], [99, 97, 102, 0xe9]);
    assert.equal(latin.text, 'café');
    assert.equal(
      new HttpResponse('', { charset: 'latin-1' }).headers.get('Content-Type'),
      'text/html; charset=latin-1',
    );
  });

  test('headers: case-insensitive, validated, no Content-Type twice', () => {
    const response = new HttpResponse('', { headers: { 'X-One': '1' } });
    response.headers.set('x-one', 'uno').set('X-Two', 2);
    assert.equal(response.headers.get('X-ONE'), 'uno');
    assert.deepEqual(response.headers.toList(), [
      ['x-one', 'uno'],
      ['Content-Type', 'text/html; charset=utf-8'],
      ['X-Two', '2'],
    ]);
    assert.throws(
      () => response.headers.set('X-Bad', 'a\r\nSet-Cookie: evil=1'),
      (e) => hasCode(e, 'PORTICO_ERR_INVALID_HEADER'),
    );
    assert.throws(() => response.headers.set('Bad Name', 'x'), /invalid header name/);
    assert.throws(
      () => new HttpResponse('', { contentType: 'text/plain', headers: { 'content-type': 'text/html' } }),
      /must not contain 'Content-Type'/,
    );
    assert.ok(response.headers.delete('X-Two'));
    assert.equal(response.headers.setDefault('X-One', 'ignored').get('X-One'), 'uno');
  });

  test('cookies: one Set-Cookie header each, after the other headers', () => {
    const response = new HttpResponse();
    response.setCookie('a', '1');
    response.setCookie('b', '2', { httpOnly: true });
    response.setCookie('a', '3');
    response.deleteCookie('__Host-c');
    const list = response.headerList();
    assert.deepEqual(
      list.filter(([name]) => name === 'Set-Cookie').map(([, value]) => value.split(';')[0]),
      ['a=3', 'b=2', '__Host-c=""'],
    );
    assert.match(list.at(-1)?.[1] ?? '', /Max-Age=0; Path=\/; Secure$/);
    assert.match(list.at(-1)?.[1] ?? '', /expires=Thu, 01 Jan 1970 00:00:00 GMT/);
  });

  test('close() runs every closer (even after one fails), sends requestFinished once', async () => {
    const response = new HttpResponse();
    const calls: string[] = [];
    const receiver = () => void calls.push('finished');
    requestFinished.connect(receiver);
    try {
      response.addCloser(() => {
        calls.push('one');
        throw new Error('ignored');
      });
      response.addCloser(async () => {
        calls.push('two');
      });
      await response.close();
      await response.close();
      assert.deepEqual(calls, ['one', 'two', 'finished']);
      assert.ok(response.closed);
    } finally {
      requestFinished.disconnect(receiver);
    }
  });
});

describe('subclasses', () => {
  test('status codes', () => {
    const statuses = [
      [new HttpResponseBadRequest(), 400],
      [new HttpResponseForbidden(), 403],
      [new HttpResponseNotFound(), 404],
      [new HttpResponseGone(), 410],
      [new HttpResponseServerError(), 500],
    ] as const;
    for (const [response, status] of statuses) assert.equal(response.statusCode, status);
  });

  test('405 lists the permitted methods in Allow; 304 has no Content-Type', () => {
    assert.equal(new HttpResponseNotAllowed(['GET', 'HEAD']).headers.get('Allow'), 'GET, HEAD');
    assert.equal(new HttpResponseNotAllowed(['GET']).statusCode, 405);
    const notModified = new HttpResponseNotModified();
    assert.equal(notModified.statusCode, 304);
    assert.ok(!notModified.headers.has('Content-Type'));
  });

  test('redirects: 302 and 301, Location URI-encoded, unsafe schemes refused', () => {
    const temporary = new HttpResponseRedirect('/a b/ü?x=1');
    assert.equal(temporary.statusCode, 302);
    assert.equal(temporary.url, '/a%20b/%C3%BC?x=1');
    assert.equal(new HttpResponsePermanentRedirect('https://example.com/').statusCode, 301);
    assert.throws(() => new HttpResponseRedirect('javascript:alert(1)'), DisallowedRedirect);
    assert.throws(
      () => new HttpResponseRedirect('data:text/html,x'),
      (e) => hasCode(e, 'PORTICO_ERR_DISALLOWED_REDIRECT'),
    );
  });

  test('JsonResponse: application/json, objects only unless safe is false', () => {
    const response = new JsonResponse({ a: [1, 'é'] }, { status: 201 });
    assert.equal(response.headers.get('Content-Type'), 'application/json');
    assert.equal(response.text, '{"a":[1,"é"]}');
    assert.equal(response.statusCode, 201);
    assert.throws(
      () => new JsonResponse([1, 2]),
      (e) => hasCode(e, 'PORTICO_ERR_JSON_NOT_SAFE'),
    );
    assert.equal(new JsonResponse([1, 2], { safe: false }).text, '[1,2]');
  });
});

describe('streaming', () => {
  test('a sync source is served synchronously; its generator is finalized on close', async () => {
    let finalized = false;
    function* source() {
      try {
        yield 'a';
        yield 'b';
        yield 'c';
      } finally {
        finalized = true;
      }
    }
    const response = new StreamingHttpResponse(source());
    assert.ok(response.streaming);
    const body = response.tsgiBody() as Iterable<string> & { close(): unknown };
    assert.equal(typeof (body as unknown as AsyncIterable<string>)[Symbol.asyncIterator], 'undefined');
    const iterator = body[Symbol.iterator]();
    assert.equal(iterator.next().value, 'a');
    await body.close();
    assert.ok(finalized, 'closing mid-stream (client gone) runs the finally');
  });

  test('an async source is served asynchronously, encoded to the charset', async () => {
    async function* source() {
      yield 'é';
      yield new Uint8Array([1]);
    }
    const response = new StreamingHttpResponse(source(), { charset: 'latin-1' });
    const body = response.tsgiBody() as AsyncIterable<Uint8Array>;
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    assert.deepEqual(
      chunks.map((c) => [...c]),
      [[0xe9], [1]],
    );
  });

  test('FileResponse reads blocks, sets its headers and closes the file', async () => {
    const data = new TextEncoder().encode('0123456789');
    let at = 0;
    let closed = false;
    const file = {
      read: (size: number) => {
        const out = data.subarray(at, at + size);
        at += out.length;
        return out;
      },
      close: () => {
        closed = true;
      },
    };
    const response = new FileResponse(file, {
      blockSize: 4,
      filename: 'ünïcode.txt',
      asAttachment: true,
      size: 10,
    });
    assert.ok(response instanceof HttpResponseBase);
    assert.equal(response.headers.get('Content-Length'), '10');
    assert.equal(
      response.headers.get('Content-Disposition'),
      `attachment; filename="unicode.txt"; filename*=UTF-8''%C3%BCn%C3%AFcode.txt`,
    );
    assert.equal(
      new FileResponse(file, { filename: 'a"b.txt' }).headers.get('Content-Disposition'),
      'inline; filename="a\\"b.txt"',
    );
    const body = response.tsgiBody() as AsyncIterable<Uint8Array> & { close(): unknown };
    const sizes: number[] = [];
    for await (const chunk of body) sizes.push(chunk.length);
    assert.deepEqual(sizes, [4, 4, 2]);
    await body.close();
    assert.ok(closed);
  });
});

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

describe('redirects (307, 308, disguised schemes) and 304', () => {
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
