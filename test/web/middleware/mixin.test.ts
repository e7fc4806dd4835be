import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  getTsgiApplication,
  HttpResponse,
  type HttpResponseBase,
  type HttpRequest,
  MiddlewareMixin,
  type MiddlewareFactory,
  path,
} from '../../../src/web/index.ts';
import { call, makeEnviron, serve } from '../helpers.ts';

function legacy(name: string, trace: string[], shortCircuit = false): MiddlewareFactory {
  const cls = class extends MiddlewareMixin {
    override processRequest() {
      trace.push(`${name}:request`);
      return shortCircuit ? new HttpResponse(`from ${name}`) : null;
    }
    override processResponse(_request: HttpRequest, response: HttpResponseBase) {
      trace.push(`${name}:response`);
      return response;
    }
  };
  return cls as unknown as MiddlewareFactory;
}

test('hooks run like the onion: processRequest top to bottom, processResponse bottom to top', async () => {
  const trace: string[] = [];
  const app = getTsgiApplication({
    rootUrlconf: [path('', () => (trace.push('view'), new HttpResponse('view')))],
    middleware: [legacy('A', trace), legacy('B', trace), legacy('C', trace)],
  });
  await serve(app);
  assert.deepEqual(trace, [
    'A:request',
    'B:request',
    'C:request',
    'view',
    'C:response',
    'B:response',
    'A:response',
  ]);
});

test('a response from processRequest skips inner layers; its own processResponse and the outer ones run', async () => {
  const trace: string[] = [];
  const app = getTsgiApplication({
    rootUrlconf: [path('', () => (trace.push('view'), new HttpResponse('view')))],
    middleware: [legacy('A', trace), legacy('B', trace, true), legacy('C', trace)],
  });
  const served = await serve(app);
  assert.equal(served.body, 'from B');
  // The old hook list would also have run C:response here; the adapter follows the onion.
  assert.deepEqual(trace, ['A:request', 'B:request', 'B:response', 'A:response']);
});

test('a subclass with only some hooks, and async hooks', async () => {
  class OnlyResponse extends MiddlewareMixin {
    override async processResponse(_request: HttpRequest, response: HttpResponseBase) {
      response.headers.set('X-Seen', 'yes');
      return response;
    }
  }
  class OnlyRequest extends MiddlewareMixin {
    override async processRequest(request: HttpRequest) {
      return request.GET.has('stop') ? new HttpResponse('stopped') : undefined;
    }
  }
  const app = getTsgiApplication({
    rootUrlconf: [path('', () => new HttpResponse('view'))],
    middleware: [OnlyResponse as unknown as MiddlewareFactory, OnlyRequest as unknown as MiddlewareFactory],
  });
  const passed = await serve(app);
  assert.equal(passed.body, 'view');
  assert.equal(passed.header('X-Seen'), 'yes');
  assert.equal((await serve(app, { query: 'stop=1' })).body, 'stopped');
});

test('synchronous hooks keep the request synchronous', () => {
  const trace: string[] = [];
  const app = getTsgiApplication({
    rootUrlconf: [path('', () => new HttpResponse('view'))],
    middleware: [legacy('A', trace)],
  });
  assert.ok(!(call(app, makeEnviron()).result instanceof Promise));
});
