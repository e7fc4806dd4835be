import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContentNotRenderedError,
  HttpRequest,
  HttpResponse,
  SimpleTemplateResponse,
  TemplateResponse,
} from '../../../src/web/index.ts';
import { makeEnviron } from '../helpers.ts';

test('content is unavailable until render(); render() is idempotent', () => {
  let renders = 0;
  const response = new SimpleTemplateResponse(
    (ctx) => {
      renders++;
      return `<p>${String(ctx.name)}</p>`;
    },
    { name: 'Ann' },
  );
  assert.equal(response.isRendered, false);
  assert.throws(() => response.content, ContentNotRenderedError);
  assert.throws(() => [...response], ContentNotRenderedError);
  response.context.name = 'Bob';
  assert.equal(response.render(), response);
  assert.equal(response.render(), response);
  assert.equal(renders, 1);
  assert.equal(response.text, '<p>Bob</p>');
});

test('the template may be replaced before rendering, and may be an object with render()', () => {
  const response = new SimpleTemplateResponse(() => 'old');
  response.template = { render: (ctx) => `new ${String(ctx.x)}` };
  response.context = { x: 1 };
  response.render();
  assert.equal(response.text, 'new 1');
});

test('assigning content marks it rendered', () => {
  const response = new SimpleTemplateResponse(() => 'template');
  response.content = 'direct';
  assert.ok(response.isRendered);
  response.render();
  assert.equal(response.text, 'direct');
});

test('async templates render to a promise', async () => {
  const response = new SimpleTemplateResponse(async () => 'later');
  const result = response.render();
  assert.ok(result instanceof Promise);
  assert.equal(await result, response);
  assert.equal(response.text, 'later');
});

test('post-render callbacks run after rendering; one returning a response replaces it', async () => {
  const calls: string[] = [];
  const response = new SimpleTemplateResponse(() => 'x');
  response.addPostRenderCallback(() => void calls.push('first'));
  const replacement = new HttpResponse('replaced');
  response.addPostRenderCallback(async () => {
    calls.push('second');
    return replacement;
  });
  assert.equal(await response.render(), replacement);
  assert.deepEqual(calls, ['first', 'second']);
  response.addPostRenderCallback(() => void calls.push('late'));
  assert.deepEqual(calls, ['first', 'second', 'late'], 'runs at once when already rendered');
});

test('TemplateResponse renders with the request', () => {
  const request = new HttpRequest(makeEnviron({ path: '/here/' }));
  const response = new TemplateResponse(request, (_ctx, req) => `at ${req?.path}`, {}, { status: 201 });
  response.render();
  assert.equal(response.text, 'at /here/');
  assert.equal(response.statusCode, 201);
});
