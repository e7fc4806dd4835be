/**
 * The demo project (examples/demo/): its pages, form, accounts, download and middleware
 * through the test client, then served for real by `portico serve` and checked by
 * `portico check`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { before, describe, test } from 'node:test';
// First: the demo's settings read the database's path when they load.
import { DEMO_DATABASE } from '../helpers/demo-database.ts';
import { Note } from '../../examples/demo/models.ts';
import settings from '../../examples/demo/settings.ts';
import { reverse } from '../../examples/demo/urls.ts';
import { createUser } from '../../src/contrib/auth/index.ts';
import { configureDatabases, migrate } from '../../src/db/index.ts';
import { Client } from '../../src/web/test/index.ts';
import { bin, cleanEnv, root, startPortico } from '../appserver/helpers.ts';
import { WebClient } from '../helpers/web-client.ts';

const SERVER_TIMING = /^app;dur=\d+\.\d$/;

const WRITER = { username: 'writer', password: 'a-good-passphrase-42' };

/** Posts the note form as a browser does, logged in: the page first, for its CSRF token. */
async function postNote(client: WebClient, title: string): Promise<Response> {
  return client.submit('/notes/', { title, body: '' });
}

/** A test client logged in as the writer, through the login page. */
async function loggedIn(options: { enforceCsrfChecks?: boolean } = {}): Promise<Client> {
  const client = new Client(settings, options);
  const page = await client.get('/accounts/login/');
  const token = /name="csrfmiddlewaretoken" value="(\w{64})"/.exec(page.text())?.[1] ?? '';
  const response = await client.post('/accounts/login/', {
    data: { ...WRITER, csrfmiddlewaretoken: token },
  });
  assert.equal(response.status, 302, 'logged in');
  return client;
}

describe('through the test client', () => {
  let writer: Client;
  before(async () => {
    configureDatabases(settings);
    await migrate(settings.installedApps);
    await createUser({ ...WRITER, email: 'writer@example.com' });
    writer = await loggedIn();
  });

  test('the home page renders its template in the base layout, with the latest notes', async () => {
    const page = await new Client(settings).get('/');
    assert.equal(page.status, 200);
    assert.equal(page.templates[0], 'home.html');
    assert.equal(page.context?.noteCount, await Note.objects.count());
    const html = page.text();
    assert.match(html, /<title>Portico demo<\/title>/, 'the base layout and the siteName global');
    assert.match(html, /<link rel="stylesheet" href="\/static\/demo.css">/);
    assert.match(html, /<a href="\/notes\/1\/">Welcome to Portico<\/a>/, 'url() reversed a namespaced name');
  });

  test('templates escape what they print', async () => {
    const html = (await new Client(settings).get('/notes/2/')).text();
    assert.match(html, /<h1>Autoescaping &lt;b&gt;works&lt;\/b&gt;<\/h1>/);
    assert.doesNotMatch(html, /<b>works<\/b>/);
  });

  test('names in the notes namespace reverse and resolve back to their views', async () => {
    assert.equal(reverse('notes:detail', { kwargs: { id: 1 } }), '/notes/1/');
    assert.equal(reverse('notes:export'), '/notes/export.txt');
    const page = await new Client(settings).get(reverse('notes:detail', { kwargs: { id: 1 } }));
    assert.equal(page.status, 200);
    assert.equal(page.resolverMatch?.viewName, 'notes:detail');
    assert.deepEqual(page.resolverMatch?.namespaces, ['notes']);
    assert.deepEqual(page.resolverMatch?.kwargs, { id: 1 });
    // RedirectView reverses 'notes:detail' with the short link's own parameters.
    const short = await new Client(settings).get('/n/1/');
    assert.equal(short.status, 302);
    assert.equal(short.url, '/notes/1/');
  });

  test('an unknown note and an unknown path are the project 404 page', async () => {
    const client = new Client(settings);
    for (const url of ['/notes/999/', '/nowhere/']) {
      const page = await client.get(url);
      assert.equal(page.status, 404, url);
      assert.deepEqual(page.templates, ['404.html', 'base.html']);
      assert.match(page.text(), new RegExp(`Nothing lives at <code>${url}</code>`));
    }
  });

  test('the notes view is class-based: GET and POST only, 405 for the rest', async () => {
    const put = await new Client(settings).put('/notes/');
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST, HEAD, OPTIONS');
  });

  test('an invalid form comes back with what is wrong and the values typed, and saves nothing', async () => {
    const count = await Note.objects.count();
    const long = `${'x'.repeat(81)}<script>`;
    const page = await writer.post('/notes/', { data: { title: long, body: 'kept' } });
    assert.equal(page.status, 400);
    assert.deepEqual(page.context?.errors, { title: 'At most 80 characters.' });
    const html = page.text();
    assert.match(html, /<p class="error">At most 80 characters.<\/p>/);
    assert.ok(html.includes(`value="${'x'.repeat(81)}&lt;script&gt;"`), 'the title typed, escaped');
    assert.match(html, /<textarea id="body" name="body" rows="5">kept<\/textarea>/);
    assert.equal(await Note.objects.count(), count);

    const empty = await writer.post('/notes/', { data: { title: '   ' } });
    assert.equal(empty.status, 400);
    assert.match(empty.text(), /A title is required./);
  });

  test('a valid form saves the note, with its author, and redirects to it, where a one-time message says so', async () => {
    const client = writer;
    const saved = await client.post('/notes/', { data: { title: 'From a test', body: 'Hello' } });
    assert.equal(saved.status, 302);
    const note = await Note.objects.selectRelated('author').first();
    assert.ok(note !== null);
    assert.equal(note.title, 'From a test');
    assert.equal(note.author?.username, WRITER.username);
    assert.equal(saved.url, `/notes/${note.id}/`);
    // The messages framework keeps it in a signed cookie (the session if it is too long).
    const cookie = saved.headers.getSetCookie().find((c) => c.startsWith('messages='));
    assert.match(cookie ?? '', /^messages=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);

    const shown = await client.get(saved.url);
    assert.match(
      shown.text(),
      new RegExp(`<p class="flash success" role="status">Note ${note.id} saved.</p>`),
    );
    assert.match(shown.text(), /· by writer ·/);
    assert.equal(client.cookies.has('messages'), false, 'the page that showed it deleted the cookie');
    assert.doesNotMatch((await client.get(saved.url)).text(), /class="flash/);
  });

  test('anonymous visitors read the notes, are invited to log in, and a POST sends them to the login page', async () => {
    const count = await Note.objects.count();
    const client = new Client(settings);
    const page = await client.get('/notes/');
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text(), /<form method="post" action="\/notes\/"/);
    assert.match(page.text(), /<a href="\/accounts\/login\/\?next=%2Fnotes%2F">Log in to post<\/a>/);
    assert.match(page.text(), /<a href="\/accounts\/signup\/">Sign up<\/a>/);
    const post = await client.post('/notes/', { data: { title: 'Anonymous' } });
    assert.equal(post.status, 302);
    assert.equal(post.url, '/accounts/login/?next=/notes/');
    assert.equal(await Note.objects.count(), count, 'nothing saved');
  });

  test('the login page is the demo’s template; a logged-in header names the user and logs out by POST', async () => {
    const login = await new Client(settings).get('/accounts/login/?next=/notes/');
    assert.equal(login.status, 200);
    assert.deepEqual(login.templates, ['registration/login.html', 'base.html']);
    assert.match(login.text(), /<link rel="stylesheet" href="\/static\/demo.css">/);
    assert.match(login.text(), /<input type="hidden" name="next" value="\/notes\/">/);
    const signup = await new Client(settings).get('/accounts/signup/');
    assert.deepEqual(signup.templates, ['registration/signup.html', 'base.html']);
    assert.match(signup.text(), /This password is too common\.|can’t be a commonly used password/);

    const client = await loggedIn();
    const home = (await client.get('/')).text();
    assert.match(home, /Logged in as <strong>writer<\/strong>/);
    assert.match(
      home,
      /<form method="post" action="\/accounts\/logout\/"><input type="hidden" name="csrfmiddlewaretoken"/,
    );
    assert.equal((await client.get('/accounts/logout/')).status, 405, 'never by a link');
    const out = await client.post('/accounts/logout/');
    assert.equal(out.status, 302);
    assert.equal(out.url, '/');
    assert.equal(client.cookies.has('sessionid'), false);
    assert.match((await client.get('/')).text(), /<a href="\/accounts\/login\/">Log in<\/a>/);
  });

  test('a tampered or unknown session cookie is an anonymous visitor, not an error', async () => {
    const client = await loggedIn();
    const key = client.cookies.get('sessionid') ?? '';
    assert.match(key, /^[a-z0-9]{32}$/);
    for (const forged of [
      `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`,
      'x'.repeat(4000),
      '"; <script>',
    ]) {
      const page = await new Client(settings).get('/notes/', { headers: { Cookie: `sessionid=${forged}` } });
      assert.equal(page.status, 200, forged.slice(0, 40));
      assert.match(page.text(), /Log in to post/);
    }
  });

  test('a messages cookie with a bad signature is dropped, not shown and not an error', async () => {
    const page = await new Client(settings).get('/', { headers: { Cookie: 'messages="Hacked:abc:def"' } });
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text(), /Hacked/);
    // (The fallback storage, as Django's, leaves an unreadable cookie for the next message
    // to replace.)
  });

  test('the form carries a CSRF token; a POST without it is refused (403)', async () => {
    const client = await loggedIn({ enforceCsrfChecks: true });
    const form = await client.get('/notes/');
    const token = /<input type="hidden" name="csrfmiddlewaretoken" value="(\w{64})">/.exec(form.text())?.[1];
    assert.ok(token !== undefined, 'the hidden field is in the form');
    assert.ok(client.cookies.has('csrftoken'));
    // Logged in, but the form comes without the token: refused before the view runs.
    const refused = await client.post('/notes/', { data: { title: 'Forged' } });
    assert.equal(refused.status, 403);
    assert.match(refused.text(), /CSRF verification failed/);
    const saved = await client.post('/notes/', {
      data: { title: 'With a token', body: '', csrfmiddlewaretoken: token },
    });
    assert.equal(saved.status, 302);
  });

  test('every response carries the Server-Timing header of the custom middleware', async () => {
    const client = new Client(settings);
    for (const url of ['/', '/notes/', '/nowhere/', '/notes/export.txt', '/n/1/'])
      assert.match((await client.get(url)).headers.get('server-timing') ?? '', SERVER_TIMING, url);
  });

  test('the export is a text file download, with ranges', async () => {
    const client = new Client(settings);
    const download = await client.get('/notes/export.txt');
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="notes.txt"');
    assert.equal(download.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(download.headers.get('content-length'), String(download.body.length));
    assert.match(download.text(), /^# .+\n\d{4}-\d\d-\d\dT/);
    assert.match(download.text(), /# Welcome to Portico\n/);

    const part = await client.get('/notes/export.txt', { headers: { Range: 'bytes=0-1' } });
    assert.equal(part.status, 206);
    assert.equal(part.text(), '# ');
  });

  test('the stylesheet is served as CSS', async () => {
    const css = await new Client(settings).get('/static/demo.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('cache-control'), 'max-age=3600');
    assert.match(css.text(), /--accent:/);
  });
});

describe('from the command line', () => {
  test('portico serve examples/demo/app.ts:application answers over a real socket', async () => {
    const portico = await startPortico(['examples/demo/app.ts:application'], {
      env: { DEMO_DATABASE_FILE: DEMO_DATABASE },
    });
    const home = await fetch(`${portico.url}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<h1>Welcome<\/h1>/);

    const forged = await fetch(`${portico.url}/notes/`, {
      method: 'POST',
      body: new URLSearchParams({ title: 'No token', body: '' }),
      redirect: 'manual',
    });
    assert.equal(forged.status, 403, 'no CSRF cookie or token');
    const browser = new WebClient(portico.url);
    await browser.login(WRITER.username, WRITER.password);
    const post = await postNote(browser, 'Over a socket');
    assert.equal(post.status, 302);
    const location = post.headers.get('location') ?? '';
    assert.match(location, /^\/notes\/\d+\/$/);
    const { html } = await browser.get(location);
    assert.match(html, /<h1>Over a socket<\/h1>/);
    assert.match(
      html,
      /<p class="flash success" role="status">Note \d+ saved.<\/p>/,
      'the signed cookie verified',
    );

    const download = await fetch(`${portico.url}/notes/export.txt`);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="notes.txt"');
    assert.match(await download.text(), /# Over a socket\n/);

    process.kill(portico.pid, 'SIGTERM');
    assert.deepEqual(await portico.exited, { code: 0, signal: null });
  });

  test('the notes are in db.sqlite3: two workers, migrated on start, see the same notes, and so does a restart', async () => {
    const portico = await startPortico(['examples/demo/app.ts:application', '--workers', '2'], {
      env: { DEMO_DATABASE_FILE: DEMO_DATABASE },
    });
    const browser = new WebClient(portico.url);
    await browser.login(WRITER.username, WRITER.password);
    const post = await postNote(browser, 'Seen by both');
    assert.equal(post.status, 302);
    // Fresh connections land on either worker: every one of them lists the note.
    for (let i = 0; i < 6; i++) {
      const list = await fetch(`${portico.url}/notes/`, { headers: { Connection: 'close' } });
      assert.match(await list.text(), /Seen by both/);
    }
    process.kill(portico.pid, 'SIGTERM');
    assert.deepEqual(await portico.exited, { code: 0, signal: null });
    // The test process reads the same file.
    assert.ok(await Note.objects.filter({ title: 'Seen by both' }).exists());
  });

  test('portico check passes on the demo settings', async () => {
    const child = spawn(process.execPath, [bin, 'check', '--settings', 'examples/demo/settings.ts'], {
      cwd: root,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 0, output);
    assert.match(output, /^System check identified no issues\.$/m);
  });
});
