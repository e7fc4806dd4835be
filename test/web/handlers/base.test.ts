import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { describe, test } from 'node:test';
import {
  BadRequest,
  DisallowedHost,
  getTsgiApplication,
  Http404,
  HttpResponse,
  type HttpResponseBase,
  type HttpRequest,
  MiddlewareMixin,
  MiddlewareNotUsed,
  type GetResponse,
  ImproperlyConfigured,
  include,
  PermissionDenied,
  path,
  SuspiciousOperation,
  TemplateResponse,
  andThen,
  type ViewFunction,
  type MiddlewareFactory,
  type Middleware,
  type URLEntry,
} from '../../../src/web/index.ts';
import { isPromise } from '../../../src/web/utils/promise.ts';
import { call, makeEnviron, serve } from '../helpers.ts';

/** A new-style middleware that records when its request and response phases run. */
function tracer(name: string, trace: string[]): MiddlewareFactory {
  const factory = (getResponse: GetResponse) => (request: HttpRequest) => {
    trace.push(`${name}:in`);
    return andThen(getResponse(request), (response: HttpResponseBase) => {
      trace.push(`${name}:out`);
      return response;
    });
  };
  Object.defineProperty(factory, 'name', { value: name });
  return factory;
}

/** A middleware with hooks; `answer` says which hooks return a response. */
function hooked(
  name: string,
  trace: string[],
  answer: { view?: boolean; exception?: boolean; template?: (r: TemplateResponse) => HttpResponseBase } = {},
): MiddlewareFactory {
  const Named = class {
    readonly getResponse: GetResponse;
    constructor(getResponse: GetResponse) {
      this.getResponse = getResponse;
    }
    handle(request: HttpRequest) {
      trace.push(`${name}:in`);
      return andThen(this.getResponse(request), (response: HttpResponseBase) => {
        trace.push(`${name}:out`);
        return response;
      });
    }
    processView() {
      trace.push(`${name}:view`);
      return answer.view ? new HttpResponse(`from ${name}.processView`) : null;
    }
    processException(_request: HttpRequest, error: unknown) {
      trace.push(`${name}:exception:${(error as Error).message}`);
      return answer.exception ? new HttpResponse(`from ${name}.processException`, { status: 503 }) : null;
    }
    processTemplateResponse(_request: HttpRequest, response: TemplateResponse) {
      trace.push(`${name}:template`);
      return answer.template ? answer.template(response) : response;
    }
  };
  Object.defineProperty(Named, 'name', { value: name });
  return Named as unknown as MiddlewareFactory;
}

function recordingView(trace: string[], body = 'view'): ViewFunction {
  return () => {
    trace.push('view');
    return new HttpResponse(body);
  };
}

function appWith(urlpatterns: readonly URLEntry[], middleware: MiddlewareFactory[], debug = false) {
  return getTsgiApplication({ rootUrlconf: urlpatterns, middleware, debug });
}

describe('the middleware onion', () => {
  test('request phases run outside-in, response phases inside-out', async () => {
    const trace: string[] = [];
    const app = appWith(
      [path('', recordingView(trace))],
      [tracer('A', trace), tracer('B', trace), tracer('C', trace)],
    );
    const served = await serve(app);
    assert.equal(served.body, 'view');
    assert.deepEqual(trace, ['A:in', 'B:in', 'C:in', 'view', 'C:out', 'B:out', 'A:out']);
  });

  test('a response returned early skips inner layers and the view, and passes out through outer layers only', async () => {
    const trace: string[] = [];
    const early: MiddlewareFactory = () => () => {
      trace.push('B:in');
      return new HttpResponse('early', { status: 418 });
    };
    const app = appWith([path('', recordingView(trace))], [tracer('A', trace), early, tracer('C', trace)]);
    const served = await serve(app);
    assert.equal(served.code, 418);
    assert.equal(served.body, 'early');
    assert.deepEqual(trace, ['A:in', 'B:in', 'A:out']);
  });

  test('middleware is built once, at startup, in reverse order', () => {
    const built: string[] = [];
    const factory =
      (name: string): MiddlewareFactory =>
      (getResponse: GetResponse) => {
        built.push(name);
        return getResponse;
      };
    const app = appWith([path('', () => new HttpResponse())], [factory('A'), factory('B')]);
    assert.deepEqual(built, ['B', 'A']);
    app(makeEnviron(), () => () => {});
    assert.deepEqual(built, ['B', 'A']);
  });

  test('MiddlewareNotUsed leaves a middleware out; a factory returning nothing is a startup error', async () => {
    const trace: string[] = [];
    const notUsed: MiddlewareFactory = () => {
      throw new MiddlewareNotUsed();
    };
    const app = appWith([path('', recordingView(trace))], [tracer('A', trace), notUsed]);
    assert.equal((await serve(app)).code, 200);
    assert.deepEqual(trace, ['A:in', 'view', 'A:out']);
    const broken = (() => undefined) as unknown as MiddlewareFactory;
    assert.throws(() => appWith([], [broken]), ImproperlyConfigured);
    const shapeless = (() => ({})) as unknown as MiddlewareFactory;
    assert.throws(() => appWith([], [shapeless]), /handle\(request\)/);
  });

  test('a middleware that returns something other than a response gives a 500 naming it', async () => {
    const sloppy = (() => () => undefined) as unknown as MiddlewareFactory;
    Object.defineProperty(sloppy, 'name', { value: 'Sloppy' });
    const app = appWith([path('', () => new HttpResponse())], [sloppy], true);
    const served = await serve(app);
    assert.equal(served.code, 500);
    assert.match(served.body, /Sloppy didn&#x27;t return an HttpResponse/);
  });
});

describe('processView', () => {
  test('runs top to bottom after resolution, inside the innermost layer', async () => {
    const trace: string[] = [];
    const app = appWith([path('', recordingView(trace))], [hooked('A', trace), hooked('B', trace)]);
    await serve(app);
    assert.deepEqual(trace, ['A:in', 'B:in', 'A:view', 'B:view', 'view', 'B:out', 'A:out']);
  });

  test('a response from processView skips later hooks and the view; every response phase still runs', async () => {
    const trace: string[] = [];
    const app = appWith(
      [path('', recordingView(trace))],
      [hooked('A', trace), hooked('B', trace, { view: true }), hooked('C', trace)],
    );
    const served = await serve(app);
    assert.equal(served.body, 'from B.processView');
    assert.deepEqual(trace, ['A:in', 'B:in', 'C:in', 'A:view', 'B:view', 'C:out', 'B:out', 'A:out']);
  });

  test('receives the view and its arguments', async () => {
    let seen: unknown[] = [];
    const view = (() => new HttpResponse()) as ViewFunction;
    const spy: MiddlewareFactory = (getResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processView: (_r: HttpRequest, v: unknown, args: readonly string[], kwargs: object) => {
          seen = [v, args, kwargs];
        },
      });
    const app = appWith([path('a/<int:n>/', view)], [spy]);
    await serve(app, { path: '/a/7/' });
    assert.equal(seen[0], view);
    assert.deepEqual(seen[1], []);
    assert.deepEqual(seen[2], { n: 7 });
  });

  test('request.resolverMatch is set before processView and the view', async () => {
    const seen: unknown[] = [];
    const spy: MiddlewareFactory = (getResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processView: (request: HttpRequest) => {
          seen.push(request.resolverMatch?.viewName);
        },
      });
    const view: ViewFunction = (request) => {
      const match = request.resolverMatch;
      seen.push([match?.urlName, match?.route, match?.namespaces, match?.appNames, match?.kwargs]);
      return new HttpResponse();
    };
    const app = appWith(
      [
        path(
          'shop/<int:shop>/',
          include([path('items/<slug:item>/', view, { name: 'item' })], { namespace: 'shop' }),
        ),
      ],
      [spy],
    );
    await serve(app, { path: '/shop/3/items/pen/' });
    assert.deepEqual(seen, [
      'shop:item',
      ['item', 'shop/<int:shop>/items/<slug:item>/', ['shop'], ['shop'], { shop: 3, item: 'pen' }],
    ]);
  });

  test('is skipped when the URL does not resolve; the 404 passes out through every layer', async () => {
    const trace: string[] = [];
    const app = appWith([path('', recordingView(trace))], [hooked('A', trace), hooked('B', trace)]);
    const served = await serve(app, { path: '/missing/' });
    assert.equal(served.code, 404);
    assert.deepEqual(trace, ['A:in', 'B:in', 'B:out', 'A:out']);
  });
});

describe('processException', () => {
  const failing: ViewFunction = () => {
    throw new Error('boom');
  };

  test('runs bottom to top; the first response wins and outer hooks are skipped', async () => {
    const trace: string[] = [];
    const app = appWith(
      [path('', failing)],
      [hooked('A', trace), hooked('B', trace, { exception: true }), hooked('C', trace)],
    );
    const served = await serve(app);
    assert.equal(served.code, 503);
    assert.equal(served.body, 'from B.processException');
    assert.deepEqual(trace, [
      'A:in',
      'B:in',
      'C:in',
      'A:view',
      'B:view',
      'C:view',
      'C:exception:boom',
      'B:exception:boom',
      'C:out',
      'B:out',
      'A:out',
    ]);
  });

  test('when no hook answers, the error becomes a response by its kind', async () => {
    const trace: string[] = [];
    const cases: Array<[unknown, number]> = [
      [new Http404('gone'), 404],
      [new PermissionDenied('no'), 403],
      [new BadRequest('bad'), 400],
      [new SuspiciousOperation('odd'), 400],
      [new DisallowedHost('evil.example'), 400],
      [new TypeError('bug'), 500],
    ];
    for (const [error, status] of cases) {
      const app = appWith(
        [
          path('', () => {
            throw error;
          }),
        ],
        [hooked('A', trace)],
      );
      assert.equal((await serve(app)).code, status, String(error));
    }
  });

  test('is not called for a URL that does not resolve, a middleware error, or a view that returned nothing', async () => {
    const trace: string[] = [];
    const throwsInside: MiddlewareFactory = () => () => {
      throw new Error('middleware');
    };
    const nothing = (() => undefined) as unknown as ViewFunction;
    const app = appWith([path('nothing/', nothing), path('', recordingView(trace))], [hooked('A', trace)]);
    assert.equal((await serve(app, { path: '/missing/' })).code, 404);
    assert.equal((await serve(app, { path: '/nothing/' })).code, 500);
    const app2 = appWith([path('', recordingView(trace))], [hooked('A', trace), throwsInside]);
    assert.equal((await serve(app2)).code, 500);
    assert.ok(!trace.some((t) => t.includes('exception')), trace.join());
  });

  test('is called for an error while rendering a template response', async () => {
    const trace: string[] = [];
    const app = appWith(
      [
        path(
          '',
          (request) =>
            new TemplateResponse(request, () => {
              throw new Error('template');
            }),
        ),
      ],
      [hooked('A', trace, { exception: true })],
    );
    const served = await serve(app);
    assert.equal(served.code, 503);
    assert.ok(trace.includes('A:exception:template'));
  });
});

describe('processTemplateResponse', () => {
  test('runs bottom to top before rendering; hooks may change the context', async () => {
    const trace: string[] = [];
    const rendered: string[] = [];
    const view: ViewFunction = (request) =>
      new TemplateResponse(
        request,
        (ctx) => {
          rendered.push('render');
          trace.push('render');
          return `hello ${String(ctx.who)}`;
        },
        { who: 'view' },
      );
    const change = (r: TemplateResponse) => {
      r.context = { ...r.context, who: `${String(r.context.who)}+A` };
      return r;
    };
    const app = appWith([path('', view)], [hooked('A', trace, { template: change }), hooked('B', trace)]);
    const served = await serve(app);
    assert.equal(served.body, 'hello view+A');
    assert.deepEqual(rendered, ['render']);
    assert.deepEqual(trace, [
      'A:in',
      'B:in',
      'A:view',
      'B:view',
      'B:template',
      'A:template',
      'render',
      'B:out',
      'A:out',
    ]);
  });

  test('a template response from processView is rendered too', async () => {
    const trace: string[] = [];
    const fromHook: MiddlewareFactory = (getResponse) =>
      Object.assign((request: HttpRequest) => getResponse(request), {
        processView: (request: HttpRequest) => new TemplateResponse(request, () => 'from hook'),
      });
    const app = appWith([path('', recordingView(trace))], [hooked('A', trace), fromHook]);
    const served = await serve(app);
    assert.equal(served.body, 'from hook');
    assert.ok(trace.includes('A:template'));
    assert.ok(!trace.includes('view'));
  });

  test('a hook that returns nothing is a 500 naming it', async () => {
    const trace: string[] = [];
    const app = appWith(
      [path('', (request) => new TemplateResponse(request, () => 'x'))],
      [hooked('Forgetful', trace, { template: (() => undefined) as unknown as () => HttpResponseBase })],
      true,
    );
    const served = await serve(app);
    assert.equal(served.code, 500);
    assert.match(served.body, /Forgetful\.processTemplateResponse didn&#x27;t return an HttpResponse/);
  });

  test('a template response returned early by a middleware is never rendered: 500', async () => {
    const early: MiddlewareFactory = () => (request: HttpRequest) => new TemplateResponse(request, () => 'x');
    const served = await serve(appWith([path('', () => new HttpResponse())], [early]));
    assert.equal(served.code, 500);
  });
});

describe('errors become responses at the layer they escape', () => {
  test('an error in an inner response phase reaches the outer layers as a 500', async () => {
    const trace: string[] = [];
    const breaks: MiddlewareFactory = (getResponse) => (request: HttpRequest) =>
      andThen(getResponse(request), () => {
        trace.push('B:out');
        throw new Error('response phase');
      });
    const app = appWith([path('', recordingView(trace))], [tracer('A', trace), breaks]);
    const served = await serve(app);
    assert.equal(served.code, 500);
    assert.deepEqual(trace, ['A:in', 'view', 'B:out', 'A:out']);
    assert.match(
      served.errors,
      /ERROR \[PORTICO_ERR_UNHANDLED_EXCEPTION\] Internal Server Error: \/\nError: response phase/,
    );
  });

  test('each kind of error maps to its status in a middleware too', async () => {
    const cases: Array<[() => never, number]> = [
      [
        () => {
          throw new Http404();
        },
        404,
      ],
      [
        () => {
          throw new PermissionDenied();
        },
        403,
      ],
      [
        () => {
          throw new BadRequest();
        },
        400,
      ],
      [
        () => {
          throw new SuspiciousOperation('x');
        },
        400,
      ],
      [
        () => {
          throw new RangeError('x');
        },
        500,
      ],
    ];
    for (const [fail, status] of cases) {
      const trace: string[] = [];
      const failing: MiddlewareFactory = () => fail;
      const app = appWith([path('', () => new HttpResponse())], [tracer('A', trace), failing]);
      const served = await serve(app);
      assert.equal(served.code, status);
      assert.deepEqual(trace, ['A:in', 'A:out']);
    }
  });

  test('a view that returns nothing is a 500 naming the view', async () => {
    function forgetfulView() {}
    const app = appWith([path('', forgetfulView as unknown as ViewFunction)], [], true);
    const served = await serve(app);
    assert.equal(served.code, 500);
    assert.match(
      served.body,
      /The view forgetfulView didn&#x27;t return an HttpResponse object. It returned undefined instead./,
    );
  });
});

describe('sync and async', () => {
  test('a fully synchronous request allocates no promise', () => {
    const trace: string[] = [];
    class Legacy extends MiddlewareMixin {
      override processRequest() {
        trace.push('legacy:in');
      }
      override processResponse(_request: HttpRequest, response: HttpResponseBase) {
        trace.push('legacy:out');
        return response;
      }
    }
    const app = appWith(
      [path('items/<int:id>/', (_request, { id }) => new TemplateResponse(_request, () => `item ${id}`))],
      [tracer('A', trace), hooked('B', trace), Legacy as unknown as MiddlewareFactory],
    );
    const environ = makeEnviron({ path: '/items/3/' });
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    });
    hook.enable();
    const { result, started } = call(app, environ);
    hook.disable();
    assert.equal(promises, 0);
    assert.ok(!isPromise(result), 'the TSGI application returned the body itself, not a thenable');
    assert.equal(started().status, '200 OK');
    assert.deepEqual([...(result as Iterable<string>)], ['item 3']);
    assert.deepEqual(trace, [
      'A:in',
      'B:in',
      'legacy:in',
      'B:view',
      'B:template',
      'legacy:out',
      'B:out',
      'A:out',
    ]);
  });

  test('async and sync middleware, hooks and views mix freely', async () => {
    const trace: string[] = [];
    const asyncMiddleware: MiddlewareFactory = (getResponse) => async (request: HttpRequest) => {
      trace.push('async:in');
      await new Promise((r) => setTimeout(r, 1));
      const response = await getResponse(request);
      trace.push('async:out');
      return response;
    };
    const asyncHooks: MiddlewareFactory = (getResponse) =>
      ({
        handle: (request: HttpRequest) => getResponse(request),
        processView: async () => {
          trace.push('async:view');
        },
        processTemplateResponse: async (_request: HttpRequest, response: TemplateResponse) => {
          trace.push('async:template');
          return response;
        },
        processException: async () => {
          trace.push('async:exception');
          return new HttpResponse('handled', { status: 409 });
        },
      }) satisfies Middleware;
    const app = appWith(
      [
        path('sync/', () => new HttpResponse('sync view')),
        path('async/', async () => new HttpResponse('async view')),
        path('template/', async (request) => new TemplateResponse(request, async () => 'async template')),
        path('fails/', async () => {
          throw new Error('async failure');
        }),
      ],
      [tracer('A', trace), asyncMiddleware, asyncHooks, tracer('D', trace)],
    );
    assert.equal((await serve(app, { path: '/sync/' })).body, 'sync view');
    assert.deepEqual(trace.splice(0), [
      'A:in',
      'async:in',
      'D:in',
      'async:view',
      'D:out',
      'async:out',
      'A:out',
    ]);
    assert.equal((await serve(app, { path: '/async/' })).body, 'async view');
    trace.length = 0;
    assert.equal((await serve(app, { path: '/template/' })).body, 'async template');
    assert.ok(trace.includes('async:template'));
    trace.length = 0;
    const failed = await serve(app, { path: '/fails/' });
    assert.equal(failed.code, 409);
    assert.deepEqual(trace, [
      'A:in',
      'async:in',
      'D:in',
      'async:view',
      'async:exception',
      'D:out',
      'async:out',
      'A:out',
    ]);
  });

  test('a sync view behind only sync middleware answers synchronously even with async views elsewhere', () => {
    const app = appWith(
      [path('a/', async () => new HttpResponse('a')), path('b/', () => new HttpResponse('b'))],
      [],
    );
    assert.ok(call(app, makeEnviron({ path: '/a/' })).result instanceof Promise);
    assert.ok(!(call(app, makeEnviron({ path: '/b/' })).result instanceof Promise));
  });
});
