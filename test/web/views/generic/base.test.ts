import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  getTsgiApplication,
  HttpResponse,
  type HttpRequest,
  ImproperlyConfigured,
  type Params,
  path,
  RedirectView,
  View,
} from '../../../../src/web/index.ts';
import { serve } from '../../helpers.ts';

class Greeting extends View {
  greeting = 'Hello';
  instances = 0;

  get(request: HttpRequest, params: Params) {
    return new HttpResponse(`${this.greeting}, ${String(params.name ?? request.GET.get('name', 'world'))}`);
  }
}

class AsyncPost extends View {
  async post(request: HttpRequest) {
    return new HttpResponse(`got ${await request.text()}`, { status: 201 });
  }

  put() {
    return new HttpResponse('sync put');
  }
}

let created = 0;
class Counting extends View {
  seen: string[] = [];
  constructor() {
    super();
    created++;
  }
  get() {
    this.seen.push('get');
    return new HttpResponse(String(this.seen.length));
  }
}

const app = getTsgiApplication({
  rootUrlconf: [
    path('hello/', Greeting.asView()),
    path('hi/<str:name>/', Greeting.asView({ greeting: 'Hi' })),
    path('post/', AsyncPost.asView()),
    path('count/', Counting.asView()),
    path('go/<int:id>/', RedirectView.asView({ url: '/items/{id}/', queryString: true })),
    path('forever/', RedirectView.asView({ url: '/new/', permanent: true })),
    path('named/<int:id>/', RedirectView.asView({ patternName: 'target' })),
    path('target/<int:id>/', () => new HttpResponse(), { name: 'target' }),
    path('gone/', RedirectView.asView()),
  ],
});

describe('View', () => {
  test('dispatches on the method, with the URL parameters and initkwargs', async () => {
    assert.equal((await serve(app, { path: '/hello/', query: 'name=Ann' })).body, 'Hello, Ann');
    assert.equal((await serve(app, { path: '/hi/Bob/' })).body, 'Hi, Bob');
  });

  test('a fresh instance per request', async () => {
    const before = created;
    assert.equal((await serve(app, { path: '/count/' })).body, '1');
    assert.equal((await serve(app, { path: '/count/' })).body, '1');
    assert.equal(created - before, 2);
  });

  test('HEAD is answered by get() when the class has no head()', async () => {
    assert.equal((await serve(app, { path: '/hello/', method: 'HEAD' })).body, 'Hello, world');
  });

  test('405 lists what the class implements in Allow (HEAD with GET, OPTIONS always)', async () => {
    const notAllowed = await serve(app, { path: '/hello/', method: 'PATCH' });
    assert.equal(notAllowed.code, 405);
    assert.equal(notAllowed.header('Allow'), 'GET, HEAD, OPTIONS');
    const postOnly = await serve(app, { path: '/post/', method: 'GET' });
    assert.equal(postOnly.header('Allow'), 'POST, PUT, OPTIONS');
    assert.equal((await serve(app, { path: '/hello/', method: 'BREW' })).code, 405);
  });

  test('OPTIONS: 200, Allow, empty body, Content-Length 0', async () => {
    const served = await serve(app, { path: '/hello/', method: 'OPTIONS' });
    assert.equal(served.code, 200);
    assert.equal(served.header('Allow'), 'GET, HEAD, OPTIONS');
    assert.equal(served.header('Content-Length'), '0');
    assert.equal(served.body, '');
  });

  test('sync and async handlers mix in one class', async () => {
    const posted = await serve(app, { path: '/post/', method: 'POST', body: 'data' });
    assert.equal(posted.code, 201);
    assert.equal(posted.body, 'got data');
    assert.equal((await serve(app, { path: '/post/', method: 'PUT' })).body, 'sync put');
  });

  test('asView rejects unknown initkwargs and method names at startup', () => {
    assert.throws(() => Greeting.asView({ greting: 'typo' } as never), ImproperlyConfigured);
    assert.throws(
      () => Greeting.asView({ greting: 'typo' } as never),
      /received an invalid keyword 'greting'/,
    );
    assert.throws(
      () => Greeting.asView({ get: () => new HttpResponse() } as never),
      /method name get is not accepted/,
    );
  });

  test('the view function knows its class and options', () => {
    const view = Greeting.asView({ greeting: 'Yo' });
    assert.equal(view.viewClass, Greeting);
    assert.deepEqual(view.viewInitkwargs, { greeting: 'Yo' });
    assert.equal(view.name, 'Greeting');
  });

  test('a setup() that forgets super.setup() is reported', async () => {
    class Broken extends View {
      override setup() {}
      get() {
        return new HttpResponse();
      }
    }
    const broken = getTsgiApplication({ rootUrlconf: [path('', Broken.asView())], debug: true });
    const served = await serve(broken);
    assert.equal(served.code, 500);
    assert.match(served.body, /forget to call super.setup\(\)/);
  });
});

describe('RedirectView', () => {
  test('url with placeholders, 302 by default, query string kept on request', async () => {
    const served = await serve(app, { path: '/go/7/', query: 'a=1' });
    assert.equal(served.code, 302);
    assert.equal(served.header('Location'), '/items/7/?a=1');
  });

  test('permanent: 301; every method redirects', async () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const served = await serve(app, { path: '/forever/', method });
      assert.equal(served.code, 301, method);
      assert.equal(served.header('Location'), '/new/');
    }
  });

  test('patternName is reversed with the same parameters and the request’s script prefix', async () => {
    const served = await serve(app, { path: '/named/3/', scriptName: '/app' });
    assert.equal(served.header('Location'), '/app/target/3/');
  });

  test('no URL: 410 Gone', async () => {
    assert.equal((await serve(app, { path: '/gone/' })).code, 410);
  });
});
