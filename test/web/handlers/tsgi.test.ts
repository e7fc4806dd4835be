import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FileLike, FileWrapper } from '../../../src/tsgi/types.ts';
import {
  FileResponse,
  getTsgiApplication,
  HttpResponse,
  type HttpRequest,
  type MiddlewareFactory,
  path,
  requestFinished,
  requestStarted,
  reverse,
} from '../../../src/web/index.ts';
import { TsgiHandler } from '../../../src/web/handlers/tsgi.ts';
import { call, makeEnviron, serve } from '../helpers.ts';

describe('the TSGI handler', () => {
  test('status line with reason phrase, headers, then one Set-Cookie per cookie', async () => {
    const app = getTsgiApplication({
      rootUrlconf: [
        path('', () => {
          const response = new HttpResponse('teapot', { status: 418, headers: { 'X-A': '1' } });
          response.setCookie('one', '1');
          response.setCookie('two', '2', { httpOnly: true });
          return response;
        }),
      ],
    });
    const served = await serve(app);
    assert.equal(served.status, "418 I'm a Teapot");
    assert.deepEqual(served.headers, [
      ['X-A', '1'],
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Set-Cookie', 'one=1; Path=/'],
      ['Set-Cookie', 'two=2; Path=/; HttpOnly'],
    ]);
    assert.equal(served.body, 'teapot');
  });

  test('requestStarted comes first, with the environ; requestFinished only when the server closes the body', async () => {
    const events: string[] = [];
    const started = ({ environ, sender }: { environ: { PATH_INFO: string }; sender: unknown }) =>
      void events.push(`started ${environ.PATH_INFO} ${sender === TsgiHandler}`);
    const finished = ({ sender }: { sender: unknown }) =>
      void events.push(`finished ${sender === TsgiHandler}`);
    requestStarted.connect(started);
    requestFinished.connect(finished);
    try {
      const app = getTsgiApplication({
        rootUrlconf: [path('x/', () => (events.push('view'), new HttpResponse('body')))],
      });
      const { result } = call(app, makeEnviron({ path: '/x/' }));
      const body = await result;
      assert.deepEqual(events, ['started /x/ true', 'view']);
      assert.deepEqual([...(body as Iterable<string>)], ['body']);
      assert.deepEqual(events, ['started /x/ true', 'view'], 'not when the body was consumed');
      await body.close?.();
      assert.deepEqual(events, ['started /x/ true', 'view', 'finished true']);
    } finally {
      requestStarted.disconnect(started);
      requestFinished.disconnect(finished);
    }
  });

  test('close() waits for async requestFinished receivers', async () => {
    let done = false;
    const finished = async () => {
      await new Promise((r) => setTimeout(r, 5));
      done = true;
    };
    requestFinished.connect(finished);
    try {
      const app = getTsgiApplication({ rootUrlconf: [path('', () => new HttpResponse())] });
      const body = await call(app, makeEnviron()).result;
      const closing = body.close?.();
      assert.ok(closing instanceof Promise);
      await closing;
      assert.ok(done);
    } finally {
      requestFinished.disconnect(finished);
    }
  });

  test('a FileResponse goes through tsgi.file_wrapper when the server offers one', async () => {
    const wrapped: Array<[FileLike, number | undefined]> = [];
    const fileWrapper: FileWrapper = (file, blockSize) => {
      wrapped.push([file, blockSize]);
      return Object.assign(
        (async function* () {
          for (
            let block = await file.read(blockSize ?? 1);
            block.length > 0;
            block = await file.read(blockSize ?? 1)
          ) {
            yield block;
          }
        })(),
        { close: async () => void (await file.close?.()) },
      );
    };
    let fileClosed = false;
    let finished = 0;
    const onFinished = () => void finished++;
    requestFinished.connect(onFinished);
    try {
      const data = new TextEncoder().encode('file contents');
      let at = 0;
      const app = getTsgiApplication({
        rootUrlconf: [
          path(
            '',
            () =>
              new FileResponse(
                {
                  read: (n: number) => data.subarray(at, (at += n)),
                  close: () => {
                    fileClosed = true;
                  },
                },
                { blockSize: 5 },
              ),
          ),
        ],
      });
      const served = await serve(app, makeEnviron({ extra: { 'tsgi.file_wrapper': fileWrapper } }));
      assert.equal(served.body, 'file contents');
      assert.equal(wrapped.length, 1);
      assert.equal(wrapped[0]?.[1], 5);
      assert.ok(fileClosed, 'the wrapper closing the file closes the response, which closes the file');
      assert.equal(finished, 1);
      at = 0;
      const plain = await serve(app);
      assert.equal(plain.body, 'file contents', 'without a wrapper the file is streamed');
    } finally {
      requestFinished.disconnect(onFinished);
    }
  });
});

describe('script prefix', () => {
  const urls = [
    path('where/', (request: HttpRequest) => new HttpResponse(request.reverseUnchecked('where')), {
      name: 'where',
    }),
    path('slow/', async (request: HttpRequest) => {
      await new Promise((r) => setTimeout(r, Number(request.GET.get('wait'))));
      return new HttpResponse(request.reverseUnchecked('where'));
    }),
  ];

  test('comes from SCRIPT_NAME per request, even for concurrent requests', async () => {
    const app = getTsgiApplication({ rootUrlconf: urls });
    const [a, b] = await Promise.all([
      serve(app, { path: '/slow/', scriptName: '/a', query: 'wait=10' }),
      serve(app, { path: '/slow/', scriptName: '/b', query: 'wait=1' }),
    ]);
    assert.equal(a.body, '/a/where/');
    assert.equal(b.body, '/b/where/');
  });

  test('forceScriptName overrides it', async () => {
    const app = getTsgiApplication({ rootUrlconf: urls, forceScriptName: '/forced' });
    assert.equal((await serve(app, { path: '/where/', scriptName: '/ignored' })).body, '/forced/where/');
  });

  test('is known before requestStarted, which carries it (Django sets the prefix first)', async () => {
    const seen: string[] = [];
    const receiver = ({ scriptName }: { scriptName: string }) => void seen.push(scriptName);
    requestStarted.connect(receiver);
    try {
      await serve(getTsgiApplication({ rootUrlconf: urls }), { path: '/where/', scriptName: '/app' });
      await serve(getTsgiApplication({ rootUrlconf: urls, forceScriptName: '/forced' }), {
        path: '/where/',
        scriptName: '/app',
      });
    } finally {
      requestStarted.disconnect(receiver);
    }
    assert.deepEqual(seen, ['/app', '/forced']);
  });

  test('the module-level reverse() uses the application’s URLconf, and / unless told otherwise', () => {
    getTsgiApplication({ rootUrlconf: urls });
    assert.equal(reverse('where'), '/where/');
    assert.equal(reverse('where', { scriptPrefix: '/p' }), '/p/where/');
  });
});

describe('request paths that cannot be decoded', () => {
  const trace: string[] = [];
  const tracing: MiddlewareFactory = (getResponse) => (request: HttpRequest) => {
    trace.push('middleware');
    return getResponse(request);
  };
  const app = getTsgiApplication({
    rootUrlconf: [path('<str:word>/', (_r, { word }) => new HttpResponse(word))],
    middleware: [tracing],
  });

  test('invalid UTF-8 after percent-decoding is a 400, before any middleware', async () => {
    trace.length = 0;
    // What the server gives for /caf%E9/: the undecodable byte stays escaped in PATH_INFO.
    const served = await serve(app, { path: '/caf%E9/', requestUri: '/caf%E9/?x=1' });
    assert.equal(served.code, 400);
    assert.deepEqual(trace, []);
  });

  test('a malformed escape is a 400', async () => {
    assert.equal((await serve(app, { path: '/%zz/', requestUri: '/%zz/' })).code, 400);
    assert.equal((await serve(app, { path: '/a%/', requestUri: 'http://host/a%/' })).code, 400);
  });

  test('valid escapes, and a literal %XX that was itself escaped, are fine', async () => {
    assert.equal((await serve(app, { path: '/café/', requestUri: '/caf%C3%A9/' })).body, 'café');
    assert.equal((await serve(app, { path: '/%E9/', requestUri: '/%25E9/' })).body, '%E9');
    assert.equal(
      (await serve(app, { path: '/x/', requestUri: '/x/?q=%zz' })).code,
      200,
      'the query is not the path',
    );
  });
});
