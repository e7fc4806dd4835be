import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BadRequest,
  getTsgiApplication,
  gotRequestException,
  Http404,
  HttpResponse,
  type HttpRequest,
  ImproperlyConfigured,
  path,
  PermissionDenied,
  SuspiciousOperation,
  TemplateResponse,
  type URLconfModule,
  type WebLogger,
  type LogContext,
} from '../../../src/web/index.ts';
import { serve } from '../helpers.ts';

const raise = (error: unknown) => () => {
  throw error;
};

const urlpatterns = [
  path('404/', raise(new Http404('No such article'))),
  path('403/', raise(new PermissionDenied())),
  path('400/', raise(new BadRequest('malformed'))),
  path('sus/', raise(new SuspiciousOperation('odd'))),
  path('500/', raise(new Error('kaboom <script>'))),
  path('ok/', () => new HttpResponse('ok'), { name: 'ok' }),
];

describe('default error views', () => {
  const app = getTsgiApplication({ rootUrlconf: urlpatterns });

  test('map each error to its status, without revealing internals', async () => {
    const expected: Array<[string, number, RegExp]> = [
      ['/404/', 404, /Not Found/],
      ['/403/', 403, /403 Forbidden/],
      ['/400/', 400, /Bad Request \(400\)/],
      ['/sus/', 400, /Bad Request \(400\)/],
      ['/500/', 500, /Server Error \(500\)/],
      ['/nowhere/', 404, /Not Found/],
    ];
    for (const [pathInfo, status, body] of expected) {
      const served = await serve(app, { path: pathInfo });
      assert.equal(served.code, status, pathInfo);
      assert.match(served.body, body, pathInfo);
      assert.doesNotMatch(served.body, /kaboom|Traceback/, pathInfo);
    }
  });

  test('a 500 is logged with the request path and the error; 4xx are not logged outside debug', async () => {
    const failed = await serve(app, { path: '/500/' });
    assert.match(
      failed.errors,
      /^ERROR \[PORTICO_ERR_UNHANDLED_EXCEPTION\] Internal Server Error: \/500\/\nError: kaboom/,
    );
    assert.equal((await serve(app, { path: '/404/' })).errors, '');
  });

  test('gotRequestException is sent for 500s only, with the request and error', async () => {
    const seen: Array<[string, string]> = [];
    const receiver = ({ request, error }: { request: HttpRequest; error: unknown }) =>
      void seen.push([request.path, (error as Error).message]);
    gotRequestException.connect(receiver);
    try {
      for (const p of ['/404/', '/403/', '/400/', '/sus/', '/500/']) await serve(app, { path: p });
      assert.deepEqual(seen, [['/500/', 'kaboom <script>']]);
    } finally {
      gotRequestException.disconnect(receiver);
    }
  });
});

describe('debug pages', () => {
  const app = getTsgiApplication({ rootUrlconf: urlpatterns, debug: true });

  test('the technical 404 lists every pattern tried, in order', async () => {
    const served = await serve(app, { path: '/nowhere/' });
    assert.equal(served.code, 404);
    const items = [...served.body.matchAll(/<li>(.*)<\/li>/g)].map((m) => m[1]);
    assert.deepEqual(items, [
      '<code>404/</code>',
      '<code>403/</code>',
      '<code>400/</code>',
      '<code>sus/</code>',
      '<code>500/</code>',
      '<code>ok/ [name=&#x27;ok&#x27;]</code>',
    ]);
    assert.match(served.body, /The current path, <code>nowhere\/<\/code>, didn't match any of these./);
  });

  test('an Http404 from a view shows its message and the view', async () => {
    const served = await serve(app, { path: '/404/' });
    assert.match(served.body, /No such article/);
    assert.match(served.body, /Raised by:/);
  });

  test('the technical 500 shows the error, escaped, with its stack; BadRequest gets it with status 400', async () => {
    const served = await serve(app, { path: '/500/' });
    assert.equal(served.code, 500);
    assert.match(served.body, /kaboom &lt;script&gt;/);
    assert.match(served.body, /Traceback/);
    const bad = await serve(app, { path: '/400/' });
    assert.equal(bad.code, 400);
    assert.match(bad.body, /malformed/);
  });

  test('in debug mode 4xx responses are logged as warnings', async () => {
    assert.match(
      (await serve(app, { path: '/403/' })).errors,
      /WARNING \[PORTICO_ERR_PERMISSION_DENIED\] Forbidden \(Permission denied\): \/403\//,
    );
    assert.match(
      (await serve(app, { path: '/nowhere/' })).errors,
      /WARNING \[PORTICO_ERR_RESOLVER_404\] Not Found: \/nowhere\//,
    );
  });
});

describe('custom error views', () => {
  const handlers = {
    handler400: (_r: HttpRequest, e: unknown) =>
      new HttpResponse(`custom 400: ${(e as Error).message}`, { status: 400 }),
    handler403: async () => new HttpResponse('custom 403', { status: 403 }),
    handler404: (request: HttpRequest) =>
      new TemplateResponse(
        request,
        (ctx) => `custom 404 for ${String(ctx.path)}`,
        { path: request.path },
        { status: 404 },
      ),
    handler500: () => new HttpResponse('custom 500', { status: 500 }),
  };

  test('declared in the root URLconf module, used instead of the defaults (template responses rendered)', async () => {
    const root: URLconfModule = { urlpatterns, ...handlers };
    const app = getTsgiApplication({ rootUrlconf: root });
    assert.equal((await serve(app, { path: '/400/' })).body, 'custom 400: malformed');
    assert.equal((await serve(app, { path: '/403/' })).body, 'custom 403');
    assert.equal((await serve(app, { path: '/missing/' })).body, 'custom 404 for /missing/');
    assert.equal((await serve(app, { path: '/500/' })).body, 'custom 500');
  });

  test('or in the settings; both at once is a startup error', () => {
    const app = getTsgiApplication({ rootUrlconf: urlpatterns, handler404: handlers.handler404 });
    assert.equal(typeof app, 'function');
    assert.throws(
      () =>
        getTsgiApplication({
          rootUrlconf: { urlpatterns, handler404: handlers.handler404 },
          handler404: handlers.handler404,
        }),
      /handler404 is set both/,
    );
    assert.throws(
      () => getTsgiApplication({ rootUrlconf: { urlpatterns, handler500: 'nope' as never } }),
      ImproperlyConfigured,
    );
  });

  test('an error view that fails becomes a 500; a failing 500 view a bare 500', async () => {
    const failing404 = getTsgiApplication({
      rootUrlconf: { urlpatterns, handler404: raise(new Error('404 view broke')) },
    });
    const served = await serve(failing404, { path: '/missing/' });
    assert.equal(served.code, 500);
    assert.match(served.body, /Server Error \(500\)/);
    const failingBoth = getTsgiApplication({
      rootUrlconf: { urlpatterns, handler404: raise(new Error('a')), handler500: raise(new Error('b')) },
    });
    const bare = await serve(failingBoth, { path: '/missing/' });
    assert.equal(bare.code, 500);
    assert.match(bare.errors, /Error view failed: \/missing\/\nError: b/);
  });

  test('a custom logger receives error responses', async () => {
    const records: Array<[string, string, LogContext]> = [];
    const logger: WebLogger = {
      warning: (message, context) => void records.push(['warning', message, context]),
      error: (message, context) => void records.push(['error', message, context]),
    };
    const app = getTsgiApplication({ rootUrlconf: urlpatterns, logger });
    await serve(app, { path: '/500/' });
    await serve(app, { path: '/403/' });
    await serve(app, { path: '/ok/' });
    assert.deepEqual(
      records.map(([level, message, context]) => [level, message, context.statusCode, context.code]),
      [
        ['error', 'Internal Server Error: /500/', 500, 'PORTICO_ERR_UNHANDLED_EXCEPTION'],
        ['warning', 'Forbidden (Permission denied): /403/', 403, 'PORTICO_ERR_PERMISSION_DENIED'],
      ],
    );
  });
});
