import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type ExceptionResponder,
  type HttpRequest,
  HttpResponse,
  type MiddlewareFactory,
  path,
  registerExceptionResponder,
  TemplateResponse,
  unregisterExceptionResponder,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

class StoreDown extends Error {}

/** A middleware recording its processException calls, and a responder for StoreDown. */
function setup() {
  const seen: string[] = [];
  const hooks: MiddlewareFactory = (getResponse) => ({
    handle: (request: HttpRequest) => getResponse(request),
    processException: (_request: HttpRequest, error: unknown) => {
      seen.push(`processException ${(error as Error).message}`);
      return null;
    },
  });
  const responder: ExceptionResponder = (error, request) => {
    seen.push(`responder ${request.path}`);
    return error instanceof StoreDown ? new HttpResponse('down\n', { status: 503 }) : null;
  };
  const client = new Client(
    {
      rootUrlconf: [
        path('sync/', () => {
          throw new StoreDown('sync');
        }),
        path('async/', async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw new StoreDown('async');
        }),
        path('other/', async () => {
          throw new Error('other');
        }),
        path('ok/', async () => new HttpResponse('fine')),
      ],
      allowedHosts: ['testserver'],
      middleware: [hooks],
    },
    { raiseRequestException: false },
  );
  return { seen, responder, client };
}

test('a registered exception responder answers its errors from views, before processException; others are unchanged', async () => {
  const { seen, responder, client } = setup();
  registerExceptionResponder(responder);
  registerExceptionResponder(responder); // a no-op
  try {
    const sync = await client.get('/sync/');
    assert.equal(sync.status, 503);
    assert.equal(sync.text(), 'down\n');
    assert.equal((await client.get('/async/')).status, 503);
    assert.deepEqual(seen, ['responder /sync/', 'responder /async/'], 'asked once each; no processException');
    seen.length = 0;
    assert.equal((await client.get('/other/')).status, 500, 'not its kind: the usual 500');
    assert.deepEqual(seen, ['responder /other/', 'processException other']);
    seen.length = 0;
    assert.equal((await client.get('/ok/')).text(), 'fine');
    assert.deepEqual(seen, [], 'a view that succeeds never reaches a responder');
  } finally {
    assert.equal(unregisterExceptionResponder(responder), true);
  }
  assert.equal(unregisterExceptionResponder(responder), false);
  assert.equal((await client.get('/sync/')).status, 500, 'unregistered: the 500 again');
  assert.deepEqual(seen.slice(-1), ['processException sync']);
});

test('the first responder that answers wins; its response is rendered like a view’s; one that throws fails the request', async () => {
  const { client } = setup();
  const template: ExceptionResponder = (error, request) =>
    error instanceof StoreDown ? new TemplateResponse(request, () => 'rendered later') : null;
  const second: ExceptionResponder = () => new HttpResponse('second');
  const broken: ExceptionResponder = () => {
    throw new Error('the responder is broken');
  };
  registerExceptionResponder(template);
  registerExceptionResponder(second);
  try {
    assert.equal((await client.get('/other/')).text(), 'second');
    const rendered = await client.get('/sync/');
    assert.equal(rendered.status, 200);
    assert.equal(rendered.text(), 'rendered later');
  } finally {
    unregisterExceptionResponder(template);
    unregisterExceptionResponder(second);
  }
  registerExceptionResponder(broken);
  try {
    assert.equal((await client.get('/sync/')).status, 500);
    assert.equal((await client.get('/async/')).status, 500);
  } finally {
    unregisterExceptionResponder(broken);
  }
  assert.throws(() => registerExceptionResponder('no' as never), TypeError);
});
