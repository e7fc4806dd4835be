import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hasCode } from '../../../src/tsgi/errors.ts';
import {
  HttpRequest,
  HttpResponse,
  type HttpResponseBase,
  JsonResponse,
  lazyBody,
  type MiddlewareFactory,
  path,
  type Settings,
  TemporaryUploadedFile,
} from '../../../src/web/index.ts';
import { encodeForm, encodeMultipart } from '../../../src/web/test/encode.ts';
import { call, makeEnviron, serve } from '../helpers.ts';
import { project } from '../app.ts';

const tempDir = mkdtempSync(join(tmpdir(), 'portico-body-test-'));
after(() => rmSync(tempDir, { recursive: true, force: true }));

const echo = (request: HttpRequest) =>
  new JsonResponse({
    post: Object.fromEntries([...request.POST.lists()]),
    files: [...request.FILES.lists()].flatMap(([field, files]) =>
      files.map((f) => ({ field, name: f.name, size: f.size, type: f.contentType })),
    ),
  });

function app(
  settings: Partial<Settings> = {},
  view: (request: HttpRequest) => HttpResponseBase | Promise<HttpResponseBase> = echo,
) {
  return project({ rootUrlconf: [path('f/', view)], fileUploadTempDir: tempDir, ...settings });
}

function post(body: string | Uint8Array, contentType: string, method = 'POST') {
  return { method, path: '/f/', body, headers: { 'Content-Type': contentType } };
}

const FORM = 'application/x-www-form-urlencoded';

describe('form POSTs reach synchronous views already parsed', () => {
  test('url-encoded: request.POST is a read-only multi-value dict; FILES is empty', async () => {
    const served = await serve(app(), post(encodeForm({ a: ['1', '2'], name: 'Zoë Ü' }), FORM));
    assert.equal(served.code, 200, served.body);
    assert.deepEqual(JSON.parse(served.body), { post: { a: ['1', '2'], name: ['Zoë Ü'] }, files: [] });
  });

  test('processView hooks (a CSRF check, say) read request.POST too', async () => {
    const seen: string[] = [];
    const csrf: MiddlewareFactory = (getResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processView(request: HttpRequest) {
          seen.push(request.POST.get('token') ?? 'none');
          return null;
        },
      });
    await serve(app({ middleware: [csrf] }), post('token=abc', FORM));
    assert.deepEqual(seen, ['abc']);
  });

  test('only POST with a form content type fills POST: PUT forms and JSON bodies leave it empty', async () => {
    const put = await serve(app(), post('a=1', FORM, 'PUT'));
    assert.deepEqual(JSON.parse(put.body).post, {});
    const json = await serve(
      app({}, (request) => {
        assert.equal(request.POST.size, 0);
        return new HttpResponse('ok');
      }),
      post('{"a":1}', 'application/json'),
    );
    assert.equal(json.code, 200);
  });

  test('a GET never reads the body nor returns a promise', () => {
    const { result } = call(app(), makeEnviron({ path: '/f/' }));
    assert.ok(!(result instanceof Promise));
  });

  test('a form body over dataUploadMaxMemorySize is a 413; too many fields a 400', async () => {
    const big = await serve(app({ dataUploadMaxMemorySize: 10, debug: true }), post('a=12345678901', FORM));
    assert.equal(big.code, 413);
    assert.match(big.errors, /PORTICO_ERR_REQUEST_DATA_TOO_BIG/);
    const many = await serve(app({ dataUploadMaxNumberFields: 2 }), post('a=1&b=2&c=3', FORM));
    assert.equal(many.code, 400);
  });
});

describe('multipart/form-data', () => {
  test('fields and files; small files in memory, an empty file input skipped, paths stripped from names', async () => {
    const { body, contentType } = encodeMultipart(
      { title: 'Report', tag: ['a', 'b'] },
      {
        doc: { name: '/home/me/résumé.txt', content: 'hello', contentType: 'text/plain' },
        pics: [
          { name: 'a.png', content: new Uint8Array([1, 2, 3]), contentType: 'image/png' },
          { name: '../b.png', content: new Uint8Array([4]) },
        ],
        empty: { name: '', content: '' },
      },
    );
    const served = await serve(app(), post(body, contentType));
    assert.equal(served.code, 200, served.body);
    assert.deepEqual(JSON.parse(served.body), {
      post: { title: ['Report'], tag: ['a', 'b'] },
      files: [
        { field: 'doc', name: 'résumé.txt', size: 5, type: 'text/plain' },
        { field: 'pics', name: 'a.png', size: 3, type: 'image/png' },
        { field: 'pics', name: 'b.png', size: 1, type: 'application/octet-stream' },
      ],
    });
  });

  test('a file past fileUploadMaxMemorySize spills to a temporary file, removed once the response is closed', async () => {
    let tempPath = '';
    const view = async (request: HttpRequest) => {
      const file = request.FILES.get('big');
      assert.ok(file instanceof TemporaryUploadedFile);
      tempPath = file.temporaryFilePath();
      assert.ok(existsSync(tempPath));
      assert.equal((await file.text()).length, 5000);
      let pieces = 0;
      for await (const _ of file.chunks(1024)) pieces++;
      assert.equal(pieces, 5);
      return new HttpResponse(`${file.size} ${file.multipleChunks(1024)}`);
    };
    const { body, contentType } = encodeMultipart(
      {},
      { big: { name: 'big.bin', content: 'x'.repeat(5000) } },
    );
    const environ = makeEnviron(post(body, contentType));
    const { result } = call(app({ fileUploadMaxMemorySize: 100 }, view), environ);
    const served = await result;
    assert.deepEqual([...(served as Iterable<string>)], ['5000 true']);
    assert.ok(existsSync(tempPath), 'still there until the server closes the body');
    await served.close?.();
    assert.ok(!existsSync(tempPath), 'removed after the response');
  });

  test('saveTo() moves a temporary upload; it is then kept', async () => {
    const target = join(tempDir, 'kept.bin');
    const view = async (request: HttpRequest) => {
      await request.FILES.get('f')?.saveTo(target);
      return new HttpResponse('saved');
    };
    const { body, contentType } = encodeMultipart({}, { f: { name: 'f.bin', content: 'y'.repeat(300) } });
    await serve(app({ fileUploadMaxMemorySize: 10 }, view), post(body, contentType));
    assert.ok(existsSync(target));
  });

  test('limits: a file over fileUploadMaxSize is a 413 and leaves no temporary file; too many files a 400', async () => {
    const before = readdirSync(tempDir).filter((f) => f.startsWith('portico-upload-')).length;
    const { body, contentType } = encodeMultipart({}, { f: { name: 'f.bin', content: 'z'.repeat(5000) } });
    const tooBig = await serve(
      app({ fileUploadMaxMemorySize: 10, fileUploadMaxSize: 1000, debug: true }),
      post(body, contentType),
    );
    assert.equal(tooBig.code, 413);
    assert.match(tooBig.errors, /PORTICO_ERR_FILE_TOO_BIG/);
    assert.equal(readdirSync(tempDir).filter((f) => f.startsWith('portico-upload-')).length, before);

    const three = encodeMultipart({}, { f: [1, 2, 3].map((n) => ({ name: `${n}.txt`, content: 'x' })) });
    const many = await serve(
      app({ dataUploadMaxNumberFiles: 2, debug: true }),
      post(three.body, three.contentType),
    );
    assert.equal(many.code, 400);
    assert.match(many.errors, /PORTICO_ERR_TOO_MANY_FILES/);
  });

  test('limits on fields: their number (400) and their total size (413)', async () => {
    const fields = encodeMultipart({ a: '1', b: '2', c: '3' });
    assert.equal(
      (await serve(app({ dataUploadMaxNumberFields: 2 }), post(fields.body, fields.contentType))).code,
      400,
    );
    const large = encodeMultipart({ a: 'x'.repeat(50) }, { f: { name: 'f', content: 'y'.repeat(500) } });
    const served = await serve(app({ dataUploadMaxMemorySize: 20 }), post(large.body, large.contentType));
    assert.equal(served.code, 413, 'field data counts; file data does not');
    const filesOnly = encodeMultipart({ a: '1' }, { f: { name: 'f', content: 'y'.repeat(500) } });
    assert.equal(
      (await serve(app({ dataUploadMaxMemorySize: 20 }), post(filesOnly.body, filesOnly.contentType))).code,
      200,
    );
  });

  test('a malformed body or a missing boundary is a 400 (MultiPartParserError)', async () => {
    const cut = encodeMultipart({ a: '1' }, { f: { name: 'f', content: 'data' } }, 'BOUND');
    const truncated = cut.body.subarray(0, cut.body.length - 20);
    const served = await serve(app({ debug: true }), post(truncated, cut.contentType));
    assert.equal(served.code, 400);
    assert.match(served.errors, /PORTICO_ERR_MULTIPART/);
    const noBoundary = await serve(app(), post('--x\r\n', 'multipart/form-data'));
    assert.equal(noBoundary.code, 400);
  });
});

describe('lazyBody views and hand-built requests', () => {
  test('a lazyBody view gets the body unread: POST throws until it awaits load()', async () => {
    const view = lazyBody(async (request: HttpRequest) => {
      assert.throws(
        () => request.POST,
        (e) => hasCode(e, 'PORTICO_ERR_BODY_NOT_LOADED'),
      );
      assert.ok(request.needsLoad);
      await request.load();
      assert.ok(!request.needsLoad);
      return new HttpResponse(request.POST.get('a') ?? '');
    });
    assert.equal((await serve(app({}, view), post('a=streamed', FORM))).body, 'streamed');
  });

  test('a lazyBody view may stream the body with read(); POST is then empty, as in Django', async () => {
    const view = lazyBody(async (request: HttpRequest) => {
      const first = new TextDecoder().decode(await request.read(3));
      await request.load();
      return new HttpResponse(`${first} ${request.POST.size}`);
    });
    assert.equal((await serve(app({}, view), post('a=1&b=2', FORM))).body, 'a=1 0');
  });

  test('a url-encoded body read with body() makes POST available without load()', async () => {
    const view = lazyBody(async (request: HttpRequest) => {
      await request.body();
      return new HttpResponse(request.POST.get('a') ?? '');
    });
    assert.equal((await serve(app({}, view), post('a=1', FORM))).body, '1');
  });
});

describe('request.json()', () => {
  test('parses the body; invalid JSON is a 400 that says where it broke', async () => {
    const view = async (request: HttpRequest) => new JsonResponse({ got: await request.json() });
    assert.equal(
      (await serve(app({}, view), post('{"a":[1]}', 'application/json'))).body,
      '{"got":{"a":[1]}}',
    );
    const bad = await serve(app({ debug: true }, view), post('{\n  "a": tru\n}', 'application/json'));
    assert.equal(bad.code, 400);
    assert.match(bad.body, /not valid JSON: unexpected character &quot;t&quot; at line 2, column 8/);
    const prod = await serve(app({}, view), post('{', 'application/json'));
    assert.equal(prod.code, 400);
  });

  test('a hand-built request: json() rejects with InvalidJson (PORTICO_ERR_INVALID_JSON)', async () => {
    const request = new HttpRequest(makeEnviron({ body: '[1,]' }));
    await assert.rejects(request.json(), (e) => {
      assert.ok(hasCode(e, 'PORTICO_ERR_INVALID_JSON'));
      assert.match(String(e), /line 1, column 4/);
      return true;
    });
  });
});
