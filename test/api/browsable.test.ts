/**
 * Content negotiation and the browsable API: in-process, over a real socket, and in
 * headless Chromium (fill the form, send a POST, see the new response).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  APIView,
  BrowsableAPIRenderer,
  JSONRenderer,
  mediaTypeMatches,
  parseAccept,
  type Request,
  Response,
  ValidationError,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { serve, type TsgiServer } from '../../src/server/index.ts';
import { getTsgiApplication, path, type Settings } from '../../src/web/index.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { memoryErrors } from '../web/helpers.ts';

function notesView() {
  const notes: Array<{ id: number; title: string }> = [{ id: 1, title: '<script>alert(1)</script>' }];
  return class NoteList extends APIView {
    override description = 'The notes, newest last.';
    get() {
      return new Response(notes);
    }
    post(request: Request) {
      const data = request.data as { title?: unknown };
      if (typeof data.title !== 'string' || data.title === '')
        throw new ValidationError({ title: ['This field is required.'] });
      const note = { id: notes.length + 1, title: data.title };
      notes.push(note);
      return new Response(note, { status: 201 });
    }
  };
}

function settings(): Settings {
  return {
    rootUrlconf: [
      path('notes/', notesView().asView()),
      path('json-only/', notesView().asView({ rendererClasses: [JSONRenderer] })),
    ],
    allowedHosts: ['testserver', '127.0.0.1'],
    secretKey: 'api-browsable-test',
  };
}

const CHROME_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('content negotiation', () => {
  test('parseAccept() orders by q, then specificity, then position; q=0 is dropped', () => {
    assert.deepEqual(
      parseAccept('*/*;q=0.8, application/json;q=0.9, text/html, text/*, image/png;q=0').map((a) => a.full),
      ['text/html', 'text/*', 'application/json', '*/*'],
    );
    assert.deepEqual(
      parseAccept('application/json; indent=4').map((a) => a.full),
      ['application/json; indent=4'],
    );
    assert.ok(mediaTypeMatches('application/*', 'application/json'));
    assert.ok(!mediaTypeMatches('text/html', 'application/json'));
  });

  test('a browser gets the page; no Accept, */* or ?format=json gets JSON; unknown format is 404', async () => {
    const client = new APIClient(settings());
    const page = await client.get('/notes/', undefined, { headers: { Accept: CHROME_ACCEPT } });
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('vary'), 'Accept');
    const html = page.text();
    assert.match(html, /<h1>Note List<\/h1>/);
    assert.match(html, /The notes, newest last\./);
    assert.match(html, /HTTP 200 OK/);
    assert.match(html, /Allow: GET, POST, HEAD, OPTIONS/);
    // The data is escaped, never markup.
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.equal((await client.get('/notes/')).headers.get('content-type'), 'application/json');
    const forced = await client.get('/notes/', { format: 'json' }, { headers: { Accept: CHROME_ACCEPT } });
    assert.equal(forced.headers.get('content-type'), 'application/json');
    assert.deepEqual(forced.json(), [{ id: 1, title: '<script>alert(1)</script>' }]);
    const api = await client.get('/notes/', { format: 'api' });
    assert.equal(api.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal((await client.get('/notes/', { format: 'xml' })).status, 404);
  });

  test('Accept: application/json; indent=2 pretty-prints; JSON is compact otherwise', async () => {
    const client = new APIClient(settings());
    assert.equal((await client.get('/notes/')).text(), '[{"id":1,"title":"<script>alert(1)</script>"}]');
    const pretty = await client.get('/notes/', undefined, {
      headers: { Accept: 'application/json; indent=2' },
    });
    assert.equal(pretty.text(), '[\n  {\n    "id": 1,\n    "title": "<script>alert(1)</script>"\n  }\n]');
  });

  test('a view with only JSON answers 406 to text/html alone, and errors are JSON then too', async () => {
    const client = new APIClient(settings());
    const refused = await client.get('/json-only/', undefined, { headers: { Accept: 'text/html' } });
    assert.equal(refused.status, 406);
    assert.equal(refused.headers.get('content-type'), 'application/json');
    assert.equal(
      (await client.get('/json-only/', undefined, { headers: { Accept: CHROME_ACCEPT } })).status,
      200,
    );
  });

  test('quoted http(s) URLs in the JSON become links; nothing else does', () => {
    const html = new BrowsableAPIRenderer().render(
      {
        next: 'http://testserver/api/notes/?page=2&size=10',
        evil: 'javascript:alert(1)',
        quote: 'http://x/"><script>alert(1)</script>',
      },
      'text/html',
      { view: { name: 'x', allowedMethods: () => ['GET'] } },
    );
    assert.match(
      html,
      /&quot;<a href="http:\/\/testserver\/api\/notes\/\?page=2&amp;size=10" rel="nofollow">http:\/\/testserver\/api\/notes\/\?page=2&amp;size=10<\/a>&quot;/,
    );
    assert.ok(!html.includes('href="javascript'));
    assert.ok(!html.includes('<script>alert'));
  });

  test('the renderer escapes the view’s name and description too', () => {
    const html = new BrowsableAPIRenderer().render({ a: '"&' }, 'text/html', {
      view: { name: '<b>x</b>', description: '<i>d</i>', allowedMethods: () => ['GET'] },
    });
    assert.ok(!html.includes('<b>x</b>') && !html.includes('<i>d</i>'));
    assert.match(html, /&quot;&amp;/);
    // GET only: no form.
    assert.ok(!html.includes('<form'));
  });
});

describe('over a real socket', () => {
  let server: TsgiServer;
  before(async () => {
    server = await serve(getTsgiApplication(settings()), {
      host: '127.0.0.1',
      port: 0,
      errors: memoryErrors(),
    });
  });
  after(async () => server?.close(0));

  test('JSON in, JSON out; 415, 400 with the JSON error position, 413 beyond the limit', async () => {
    const created = await fetch(`${server.url}/notes/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'over TCP' }),
    });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: 2, title: 'over TCP' });
    const xml = await fetch(`${server.url}/notes/`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: '<a/>',
    });
    assert.equal(xml.status, 415);
    const broken = await fetch(`${server.url}/notes/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"title": }',
    });
    assert.equal(broken.status, 400);
    assert.match(((await broken.json()) as { detail: string }).detail, /line 1, column 11/);
    const big = await fetch(`${server.url}/notes/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(3 * 1024 * 1024) }),
    });
    assert.equal(big.status, 413);
  });

  test('a chunked JSON body is read to its end', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"title":'));
        controller.enqueue(new TextEncoder().encode('"chunked"}'));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/notes/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as { title: string }).title, 'chunked');
  });
});

describe('the browsable API in a browser', { skip: browserSkip() }, () => {
  let server: TsgiServer;
  let browser: TestBrowser;
  let page: Page;
  before(async () => {
    server = await serve(getTsgiApplication(settings()), {
      host: '127.0.0.1',
      port: 0,
      errors: memoryErrors(),
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.close(0);
  });

  test('load the page, fill the form, POST, see the new response; then a validation error', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(`${server.url}/notes/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.locator('h1').innerText(), 'Note List');
    assert.match(
      await page.locator('#response').innerText(),
      /HTTP 200 OK[\s\S]*<script>alert\(1\)<\/script>/,
    );
    assert.deepEqual(await page.locator('#method option').allInnerTexts(), ['POST']);
    await page.selectOption('#method', 'POST');
    await page.selectOption('#contentType', 'application/json');
    await page.fill('#body', '{"title": "from the browser"}');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#response')?.textContent?.includes('201'));
    const shown = await page.locator('#response').innerText();
    assert.match(shown, /HTTP 201 Created/);
    assert.match(shown, /"title": "from the browser"/);
    assert.match(await page.locator('.req').innerText(), /POST \/notes\//);
    // The form still works on the new page: an empty title is refused.
    await page.selectOption('#method', 'POST');
    await page.selectOption('#contentType', 'application/x-www-form-urlencoded');
    await page.fill('#body', 'title=');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#response')?.textContent?.includes('400'));
    assert.match(
      await page.locator('#response').innerText(),
      /HTTP 400 Bad Request[\s\S]*This field is required\./,
    );
    // Nothing in the data ever ran as script.
    assert.deepEqual(dialogs, []);
    const listed = await page.goto(`${server.url}/notes/?format=json`);
    assert.equal(((await listed?.json()) as unknown[]).length, 2);
  });
});
