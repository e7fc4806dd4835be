import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  HttpResponse,
  type MiddlewareFactory,
  path,
  registerViewWrapper,
  unregisterViewWrapper,
  type ViewWrapperFactory,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

test('a registered view wrapper wraps the view (after processView, inside the middleware), built once per handler', async () => {
  const order: string[] = [];
  let factoryCalls = 0;
  const factory: ViewWrapperFactory = (settings) => {
    factoryCalls++;
    if ((settings as { debug?: boolean }).debug) return null;
    return (view) => {
      order.push('wrapped');
      return (async (...args: Parameters<typeof view>) => {
        order.push('before');
        const response = await (view as (...a: unknown[]) => unknown)(...args);
        order.push('after');
        return response;
      }) as unknown as typeof view;
    };
  };
  const outer: MiddlewareFactory = (getResponse) => ({
    handle: (request) => {
      order.push('middleware');
      return getResponse(request);
    },
    processView: () => {
      order.push('processView');
      return null;
    },
  });
  registerViewWrapper(factory);
  registerViewWrapper(factory);
  try {
    const view = () => {
      order.push('view');
      return new HttpResponse('ok');
    };
    const client = new Client({
      rootUrlconf: [path('', view)],
      allowedHosts: ['testserver'],
      middleware: [outer],
    });
    assert.equal((await client.get('/')).status, 200);
    assert.equal((await client.get('/')).status, 200);
    assert.equal(factoryCalls, 1);
    assert.deepEqual(order, [
      'middleware',
      'processView',
      'wrapped',
      'before',
      'view',
      'after',
      'middleware',
      'processView',
      'before',
      'view',
      'after',
    ]);
    order.length = 0;
    const plain = new Client({ rootUrlconf: [path('', view)], allowedHosts: ['testserver'], debug: true });
    await plain.get('/');
    assert.deepEqual(order, ['view']);
  } finally {
    assert.equal(unregisterViewWrapper(factory), true);
  }
});
