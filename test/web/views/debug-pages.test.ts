/**
 * The debug pages as a person sees them: a project served over a real socket, the pages
 * loaded in headless Chromium, assertions on the rendered text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { serve, type TsgiServer } from '../../../src/server/index.ts';
import {
  getTsgiApplication,
  type HttpRequest,
  HttpResponse,
  HttpResponseNotFound,
  include,
  path,
  type Settings,
} from '../../../src/web/index.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../../helpers/browser.ts';
import { memoryErrors } from '../helpers.ts';

function boom(_request: HttpRequest): HttpResponse {
  const detail = '<script>alert(1)</script>';
  throw new TypeError(`cannot frobnicate ${detail}`); // THE FAILING LINE
}

const articleUrls = [
  path('<int:year>/', () => new HttpResponse('year'), { name: 'year' }),
  path('<slug:slug>/edit/', () => new HttpResponse('edit'), { name: 'edit' }),
];

function settings(debug: boolean): Settings {
  return {
    debug,
    allowedHosts: ['127.0.0.1'],
    secretKey: 'super-secret-value-123',
    rootUrlconf: {
      urlpatterns: [
        path('', () => new HttpResponse('home'), { name: 'home' }),
        path('articles/', include(articleUrls, { namespace: 'articles' })),
        path('boom/', boom, { name: 'boom' }),
      ],
      handler404: () => new HttpResponseNotFound('<h1>Nothing here, friend</h1>'),
    },
    secretKeyFallbacks: ['old-secret-hunter2'],
  };
}

describe('debug pages in a browser', { skip: browserSkip() }, () => {
  let browser: TestBrowser;
  let debugServer: TsgiServer;
  let prodServer: TsgiServer;
  const debugErrors = memoryErrors();
  const prodErrors = memoryErrors();
  let page: Page;

  before(async () => {
    debugServer = await serve(getTsgiApplication(settings(true)), {
      host: '127.0.0.1',
      port: 0,
      errors: debugErrors,
    });
    prodServer = await serve(getTsgiApplication(settings(false)), {
      host: '127.0.0.1',
      port: 0,
      errors: prodErrors,
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await debugServer?.close(0);
    await prodServer?.close(0);
  });

  test('technical 404: the heading and every pattern tried, in order', async () => {
    const response = await page.goto(`${debugServer.url}/articles/nope/?q=1`);
    assert.equal(response?.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Page not found (404)');
    assert.match(await page.title(), /Page not found/);
    const tried = await page.locator('ol li').allInnerTexts();
    assert.deepEqual(tried, [
      "[name='home']",
      "articles/ [namespace='articles'] <int:year>/ [name='year']",
      "articles/ [namespace='articles'] <slug:slug>/edit/ [name='edit']",
      "boom/ [name='boom']",
    ]);
    assert.match(
      await page.locator('body').innerText(),
      /The current path, articles\/nope\/, didn’t match|didn't match/,
    );
  });

  test('technical 500: error, stack with source lines, request, masked settings, all escaped', async () => {
    const response = await page.goto(`${debugServer.url}/boom/?color=blue`);
    assert.equal(response?.status(), 500);
    assert.equal(await page.locator('h1').innerText(), 'TypeError at /boom/');
    // The message is shown as text: the script tag was escaped, not run.
    assert.equal(
      await page.locator('pre.exception_value').innerText(),
      'cannot frobnicate <script>alert(1)</script>',
    );
    // The frame of the view, with the line that threw highlighted.
    const current = page.locator('li.frame.user li.current').first();
    assert.match(await current.innerText(), /THE FAILING LINE/);
    assert.match(
      await page.locator('li.frame.user code.location').first().innerText(),
      /debug-pages\.test\.ts, line \d+, in boom/,
    );
    // The request.
    const get = await page.locator('#get-info + table').innerText();
    assert.match(get, /color\s+blue/);
    const meta = await page.locator('#meta-info + table').innerText();
    assert.match(meta, /REQUEST_METHOD\s+GET/);
    // The settings: sensitive names masked, the rest shown.
    const settingsText = await page.locator('#settings-info + table').innerText();
    assert.match(settingsText, /secretKey\s+\*{20}/);
    assert.match(settingsText, /secretKeyFallbacks\s+\*{20}/);
    assert.match(settingsText, /debug\s+true/);
    // The URLconf is listed by its patterns.
    assert.match(settingsText, /"articles\/ \[namespace='articles'\]"/);
    assert.match(settingsText, /allowedHosts\s+\[\s*"127\.0\.0\.1"\s*\]/);
    const whole = await page.content();
    assert.ok(!whole.includes('super-secret-value-123'), 'the secret key is not in the page');
    assert.ok(!whole.includes('hunter2'));
    assert.ok(!whole.includes('<script>alert(1)'), 'the message is escaped in the HTML');
  });

  test('debug off: the project 404 view and a plain 500 page, the error logged with the request', async () => {
    const notFound = await page.goto(`${prodServer.url}/articles/nope/`);
    assert.equal(notFound?.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Nothing here, friend');
    assert.doesNotMatch(await page.content(), /tried these URL patterns/);

    const failed = await page.goto(`${prodServer.url}/boom/`);
    assert.equal(failed?.status(), 500);
    assert.equal(await page.locator('h1').innerText(), 'Server Error (500)');
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /frobnicate|Traceback|secret/i);
    assert.match(
      prodErrors.text,
      /ERROR \[PORTICO_ERR_UNHANDLED_EXCEPTION\] Internal Server Error: \/boom\//,
    );
    assert.match(prodErrors.text, /TypeError: cannot frobnicate/);
    assert.match(prodErrors.text, /at boom \(/);
  });
});
