/**
 * The demo in a real browser (headless Chromium): the note form posts with its CSRF token
 * and the next page shows the message once; a form on another site that posts to the
 * demo is refused with 403 and saves nothing.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
// First: the demo's settings read the database's path when they load.
import '../helpers/demo-database.ts';
import { Note } from '../../examples/demo/models.ts';
import settings from '../../examples/demo/settings.ts';
import { configureDatabases, migrate } from '../../src/db/index.ts';
import { getTsgiApplication } from '../../src/web/index.ts';
import { serve, type TsgiServer } from '../../src/server/index.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../helpers/browser.ts';

describe('the demo in Chromium', { skip: browserSkip() }, () => {
  let browser: TestBrowser;
  let demo = '';
  let attacker = '';
  let server: TsgiServer;
  let evil: ReturnType<typeof createServer>;

  before(async () => {
    configureDatabases(settings);
    await migrate(settings.installedApps);
    server = await serve(getTsgiApplication(settings), { host: '127.0.0.1', port: 0 });
    demo = `http://127.0.0.1:${server.address.port}`;
    // Another site: another host name (localhost, not 127.0.0.1), so the browser treats the
    // post as cross-site. Its page posts a note to the demo as soon as it loads.
    evil = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><title>Win a prize</title>
         <form id="f" method="post" action="${demo}/notes/">
           <input name="title" value="Forged by another site"><input name="body" value="">
         </form>
         <script>document.getElementById('f').submit();</script>`,
      );
    });
    evil.listen(0, '127.0.0.1');
    await once(evil, 'listening');
    attacker = `http://localhost:${(evil.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    evil?.close();
    await server?.close(0);
  });

  test('posting the note form saves the note; the next page says so, once', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${demo}/notes/`);
    assert.equal(await page.locator('input[name=csrfmiddlewaretoken]').count(), 1);
    await page.fill('#title', 'Typed in Chromium');
    await page.fill('#body', 'Posted with the form’s CSRF token.');
    await Promise.all([page.waitForURL(/\/notes\/\d+\/$/), page.click('button[type=submit]')]);
    assert.equal(await page.locator('h1').textContent(), 'Typed in Chromium');
    const message = await page.locator('p.flash.success').textContent();
    assert.match(message ?? '', /^Note \d+ saved\.$/);
    await page.reload();
    assert.equal(await page.locator('p.flash').count(), 0, 'shown once');
    await page.close();
  });

  test('a form on another site that posts to the demo is refused with 403', async () => {
    const before = await Note.objects.count();
    const page = await browser.context.newPage();
    // The demo's cookie is in the browser (the test above), so only the CSRF check stands in the way.
    const refused = page.waitForResponse(
      (r) => r.url() === `${demo}/notes/` && r.request().method() === 'POST',
    );
    await page.goto(attacker);
    const response = await refused;
    assert.equal(response.status(), 403);
    assert.equal(response.request().headers().origin, attacker);
    await page.waitForURL(`${demo}/notes/`);
    assert.match((await page.textContent('body')) ?? '', /CSRF verification failed\. Request aborted\./);
    assert.equal(await Note.objects.count(), before, 'nothing saved');
    await page.close();
  });
});
