/**
 * The demo in a real browser (headless Chromium): a visitor signs up, posts a note (the
 * form carries its CSRF token) and sees the message once, logs out and in again; a form
 * on another site that posts to the demo is refused with 403 and saves nothing; a
 * tampered session cookie is an anonymous visitor; wrong passwords for one account are
 * throttled.
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

const USER = { username: 'chromium-user', password: 'Correct-horse-staple-91' };

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

  test('sign up, post a note, see the message once, log out, log in again', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${demo}/notes/`);
    // Anonymous: the notes, but no form; a way to log in or sign up instead.
    assert.equal(await page.locator('form #title').count(), 0);
    await page.click('main a:text-is("sign up")');
    await page.waitForURL(`${demo}/accounts/signup/?next=%2Fnotes%2F`);
    await page.fill('#id_username', USER.username);
    await page.fill('#id_email', 'chromium@example.com');
    await page.fill('#id_password1', USER.password);
    await page.fill('#id_password2', USER.password);
    // Signed up and logged in, back where the visitor came from.
    await Promise.all([page.waitForURL(`${demo}/notes/`), page.click('main button[type=submit]')]);
    assert.equal(await page.locator('header .account strong').textContent(), USER.username);

    assert.equal(
      await page.locator('input[name=csrfmiddlewaretoken]').count(),
      2,
      'the note form and log out',
    );
    await page.fill('#title', 'Typed in Chromium');
    await page.fill('#body', 'Posted with the form’s CSRF token.');
    await Promise.all([page.waitForURL(/\/notes\/\d+\/$/), page.click('main button[type=submit]')]);
    assert.equal(await page.locator('h1').textContent(), 'Typed in Chromium');
    const message = await page.locator('p.flash.success').textContent();
    assert.match(message ?? '', /^Note \d+ saved\.$/);
    assert.match(
      (await page.locator('article small').textContent()) ?? '',
      new RegExp(`by ${USER.username}`),
    );
    await page.reload();
    assert.equal(await page.locator('p.flash').count(), 0, 'shown once');

    // Logging out is the header's POST form.
    await Promise.all([page.waitForURL(`${demo}/`), page.click('header button:has-text("Log out")')]);
    assert.equal(await page.locator('header .account a:has-text("Log in")').count(), 1);
    await page.goto(`${demo}/notes/`);
    await page.click('main a:text-is("Log in to post")');
    await page.waitForURL(`${demo}/accounts/login/?next=%2Fnotes%2F`);
    await page.fill('#id_username', USER.username);
    await page.fill('#id_password', USER.password);
    await Promise.all([page.waitForURL(`${demo}/notes/`), page.click('main button[type=submit]')]);
    assert.equal(await page.locator('header .account strong').textContent(), USER.username);
    assert.equal(await page.locator('form #title').count(), 1);
    await page.close();
  });

  test('a form on another site that posts to the demo is refused with 403', async () => {
    const before = await Note.objects.count();
    const page = await browser.context.newPage();
    // The demo's cookies are in the browser (the test above logged in), so only the CSRF
    // check stands in the way.
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

  test('a tampered session cookie is an anonymous visitor, not an error', async () => {
    const page = await browser.context.newPage();
    const cookies = await browser.context.cookies(demo);
    const session = cookies.find((c) => c.name === 'sessionid');
    assert.ok(session !== undefined, 'logged in by the first test');
    const tampered = `${session.value.slice(0, -1)}${session.value.endsWith('0') ? '1' : '0'}`;
    await browser.context.addCookies([{ ...session, value: tampered }]);
    const response = await page.goto(`${demo}/notes/`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.locator('header .account strong').count(), 0, 'nobody logged in');
    assert.equal(await page.locator('text=Log in to post').count(), 1);
    await page.close();
  });

  // Last: the failures it makes also count against this address for five minutes.
  test('the login page is throttled per account: after five wrong passwords, even the right one waits', async () => {
    const page = await browser.context.newPage();
    for (let i = 0; i < 5; i++) {
      await page.goto(`${demo}/accounts/login/`);
      await page.fill('#id_username', USER.username);
      await page.fill('#id_password', `wrong-${i}`);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.click('main button[type=submit]'),
      ]);
      assert.equal(response.status(), 200);
      assert.match((await page.textContent('main')) ?? '', /Please enter a correct username and password/);
    }
    await page.goto(`${demo}/accounts/login/`);
    await page.fill('#id_username', USER.username.toUpperCase()); // the same account, any case
    await page.fill('#id_password', USER.password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('main button[type=submit]'),
    ]);
    assert.equal(response.status(), 429);
    assert.ok(Number(response.headers()['retry-after']) > 0);
    assert.match(
      (await page.textContent('main')) ?? '',
      /Too many failed login attempts\. Please try again later\./,
    );
    await page.close();
  });
});
