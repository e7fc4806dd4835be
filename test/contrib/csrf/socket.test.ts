/** CsrfViewMiddleware over a real socket, as a browser and a forger would talk to it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsrfViewMiddleware } from '../../../src/contrib/csrf/index.ts';
import {
  getTsgiApplication,
  type HttpRequest,
  HttpResponse,
  type MiddlewareFactory,
  path,
} from '../../../src/web/index.ts';
import { startServer } from '../../helpers/apps.ts';

test('a page’s token and cookie let its form post; a cross-origin or token-less post is a 403', async () => {
  const server = await startServer(
    getTsgiApplication({
      rootUrlconf: [
        path(
          'form/',
          (r: HttpRequest) => new HttpResponse(`<input name="csrfmiddlewaretoken" value="${r.csrfToken}">`),
        ),
        path('save/', (r: HttpRequest) => new HttpResponse(`saved ${r.POST.get('title')}`)),
      ],
      middleware: [CsrfViewMiddleware as MiddlewareFactory],
      allowedHosts: ['127.0.0.1'],
    }),
  );
  const base = `http://127.0.0.1:${server.port}`;
  const page = await fetch(`${base}/form/`);
  const token = /value="(\w{64})"/.exec(await page.text())?.[1] ?? '';
  const setCookie = page.headers.getSetCookie()[0] ?? '';
  assert.match(setCookie, /^csrftoken=\w{32}; expires=[^;]+; Max-Age=31449600; Path=\/; SameSite=Lax$/);
  assert.equal(page.headers.get('vary'), 'Cookie');
  const cookie = setCookie.split(';')[0] as string;

  const post = (headers: Record<string, string>, body: Record<string, string>) =>
    fetch(`${base}/save/`, {
      method: 'POST',
      headers: { Cookie: cookie, ...headers },
      body: new URLSearchParams(body),
    });

  const ok = await post({ Origin: base }, { title: 'mine', csrfmiddlewaretoken: token });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'saved mine');
  const ajax = await fetch(`${base}/save/`, {
    method: 'POST',
    headers: { Cookie: cookie, 'X-CSRFToken': token },
  });
  assert.equal(ajax.status, 200);

  const crossOrigin = await post(
    { Origin: 'http://localhost:9' },
    { title: 'forged', csrfmiddlewaretoken: token },
  );
  assert.equal(crossOrigin.status, 403);
  assert.match(await crossOrigin.text(), /CSRF verification failed/);
  assert.equal((await post({}, { title: 'forged' })).status, 403);
  assert.equal(
    (
      await fetch(`${base}/save/`, {
        method: 'POST',
        body: new URLSearchParams({ title: 'x', csrfmiddlewaretoken: token }),
      })
    ).status,
    403,
    'no cookie',
  );
});
