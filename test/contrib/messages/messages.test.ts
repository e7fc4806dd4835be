/** The messages framework through the test client: levels, tags, read-once, the three storages. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { describe, test } from 'node:test';
import * as messages from '../../../src/contrib/messages/index.ts';
import { MessageMiddleware, messagesContextProcessor } from '../../../src/contrib/messages/index.ts';
import { getCookieSigner } from '../../../src/web/core/signing.ts';
import {
  HttpResponse,
  type HttpRequest,
  type MiddlewareFactory,
  path,
  type Settings,
} from '../../../src/web/index.ts';
import { TemplateEngine } from '../../../src/web/template/engine.ts';
import { Client } from '../../../src/web/test/index.ts';
import { memorySessions } from '../helpers/memory-session.ts';

const KEY = 'a-test-secret-key-that-is-long-enough-for-signing';
const engine = new TemplateEngine({ contextProcessors: [messagesContextProcessor] });
const list = engine.fromString(
  '{% for m in messages %}<li class="{{ m.tags }}">{{ m }}</li>{% endfor %}|{{ DEFAULT_MESSAGE_LEVELS.ERROR }}',
);

function settings(overrides: Partial<Settings> = {}, withSessions = false): Settings {
  return {
    rootUrlconf: [
      path('add/', (request: HttpRequest) => {
        const n = Number(request.GET.get('n') ?? '1');
        // `pad`: random text that does not compress, to fill the cookie.
        const pad = () => (request.GET.has('pad') ? randomBytes(30).toString('hex') : '');
        for (let i = 0; i < n; i++) messages.info(request, `Message ${i} ${pad()}`);
        return new HttpResponse('added');
      }),
      path('levels/', (request: HttpRequest) => {
        messages.debug(request, 'hidden debug');
        messages.info(request, 'an info');
        messages.success(request, 'a success', { extraTags: 'big bold' });
        messages.warning(request, 'a <warning>');
        messages.error(request, 'an error');
        messages.add(request, 99, 'custom level');
        messages.add(request, messages.INFO, '');
        return new HttpResponse('added');
      }),
      path('show/', (request: HttpRequest) => new HttpResponse(list.render({}, request))),
      path(
        'count/',
        (request: HttpRequest) => new HttpResponse(String(messages.getMessages(request).length)),
      ),
      path('twice/', (request: HttpRequest) => {
        const all = messages.getMessages(request);
        const first = [...all].map(String).join(',');
        return new HttpResponse(`${first}|${[...all].map(String).join(',')}`);
      }),
      path('add-after-read/', (request: HttpRequest) => {
        const seen = [...messages.getMessages(request)].length;
        messages.info(request, 'added after reading');
        return new HttpResponse(String(seen));
      }),
      path('level/', (request: HttpRequest) => {
        messages.setLevel(request, messages.DEBUG);
        messages.debug(request, 'now shown');
        return new HttpResponse(String(messages.getLevel(request)));
      }),
    ],
    middleware: [
      ...(withSessions ? [memorySessions() as MiddlewareFactory] : []),
      MessageMiddleware as MiddlewareFactory,
    ],
    allowedHosts: ['testserver'],
    secretKey: KEY,
    ...overrides,
  };
}

describe('adding and showing', () => {
  test('levels, tags and extra tags; DEBUG dropped at the default level; escaped in templates', async () => {
    const c = new Client(settings());
    await c.get('/levels/');
    const html = (await c.get('/show/')).text();
    assert.equal(
      html,
      '<li class="info">an info</li><li class="big bold success">a success</li>' +
        '<li class="warning">a &lt;warning&gt;</li><li class="error">an error</li><li class="">custom level</li>|40',
    );
  });

  test('read once: iterated messages are gone on the next page; the cookie is deleted', async () => {
    const c = new Client(settings());
    await c.get('/add/?n=2');
    assert.ok(c.cookies.has('messages'));
    assert.equal((await c.get('/twice/')).text(), 'Message 0 ,Message 1 |Message 0 ,Message 1 ');
    assert.equal(c.cookies.has('messages'), false);
    assert.equal((await c.get('/show/')).text(), '|40');
  });

  test('not iterated, they are kept (reading the count does not consume them)', async () => {
    const c = new Client(settings());
    await c.get('/add/?n=3');
    assert.equal((await c.get('/count/')).text(), '3');
    assert.equal((await c.get('/count/')).text(), '3');
    assert.match((await c.get('/show/')).text(), /Message 2/);
  });

  test('a message added after reading is kept for the next page', async () => {
    const c = new Client(settings());
    await c.get('/add/');
    assert.equal((await c.get('/add-after-read/')).text(), '1');
    assert.equal((await c.get('/show/')).text(), '<li class="info">added after reading</li>|40');
  });

  test('messages.level, messages.tags and setLevel', async () => {
    const c = new Client(settings({ messages: { level: messages.WARNING, tags: { 40: 'danger' } } }));
    await c.get('/levels/');
    assert.equal(
      (await c.get('/show/')).text(),
      '<li class="warning">a &lt;warning&gt;</li><li class="danger">an error</li><li class="">custom level</li>|40',
    );
    const d = new Client(settings());
    assert.equal((await d.get('/level/')).text(), '10');
    assert.match((await d.get('/show/')).text(), /now shown/);
  });

  test('without MessageMiddleware: MessageFailure, unless failSilently; getMessages is empty', () => {
    const request = { settings: {} } as HttpRequest;
    assert.throws(() => messages.info(request, 'x'), messages.MessageFailure);
    messages.info(request, 'x', { failSilently: true });
    assert.equal([...messages.getMessages(request)].length, 0);
  });
});

describe('cookie storage', () => {
  test('the cookie is Django’s format: signed with the messages salt, the JSON of the messages', async () => {
    const c = new Client(settings({ messages: { storage: 'cookie' } }));
    await c.get('/levels/');
    const cookie = (await c.get('/count/')).request?.COOKIES.messages ?? '';
    let payload = getCookieSigner({ secretKey: KEY }, 'django.contrib.messages').unsign(cookie);
    let bytes = Buffer.from(payload.replace(/^\./, ''), 'base64url');
    if (payload.startsWith('.')) bytes = inflateSync(bytes);
    payload = bytes.toString();
    assert.deepEqual(JSON.parse(payload)[1], ['__json_message', 0, 25, 'a success', 'big bold']);
  });

  test('a tampered cookie is ignored and deleted', async () => {
    const c = new Client(settings({ messages: { storage: 'cookie' } }));
    c.cookies.set('messages', 'W1siX19qc29uX21lc3NhZ2UiLDAsMjAsImhpIl1d:1abc:forged');
    const page = await c.get('/show/');
    assert.equal(page.text(), '|40');
    assert.match(page.headers.getSetCookie()[0] ?? '', /^messages=""; expires=Thu, 01 Jan 1970/);
  });

  test('what does not fit in 2048 bytes is dropped, oldest first', async () => {
    const c = new Client(settings({ messages: { storage: 'cookie' } }));
    await c.get(`/add/?n=80&pad=1`);
    assert.ok((c.cookies.get('messages') ?? '').length <= 2048);
    const html = (await c.get('/show/')).text();
    assert.doesNotMatch(html, /Message 0 /);
    assert.match(html, /Message 79 /);
  });

  test('in debug mode, dropping messages is an error', async () => {
    const c = new Client(settings({ debug: true, messages: { storage: 'cookie' } }));
    await assert.rejects(c.get(`/add/?n=80&pad=1`), /Not all temporary messages could be stored/);
  });
});

describe('session and fallback storage', () => {
  test('session storage keeps them in the session, any number', async () => {
    const c = new Client(settings({ messages: { storage: 'session' } }, true));
    c.cookies.set('testsid', 's1');
    await c.get(`/add/?n=80&pad=1`);
    assert.equal(c.cookies.has('messages'), false);
    const html = (await c.get('/show/')).text();
    assert.equal(html.match(/<li/g)?.length, 80);
    assert.equal((await c.get('/show/')).text(), '|40');
  });

  test('fallback (the default): the cookie while they fit, then the session, in order', async () => {
    const c = new Client(settings({}, true));
    c.cookies.set('testsid', 's2');
    await c.get('/add/?n=2');
    const small = await c.get('/count/');
    assert.equal(small.text(), '2');
    assert.equal(await small.request?.session?.get('_messages'), undefined, 'the session was not used');
    await c.get('/show/');

    const added = await c.get(`/add/?n=80&pad=1`);
    assert.ok(c.cookies.has('messages'));
    assert.equal(
      typeof (await added.request?.session?.get('_messages')),
      'string',
      'the overflow went to the session',
    );
    const html = (await c.get('/show/')).text();
    const order = [...html.matchAll(/Message (\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      order,
      Array.from({ length: 80 }, (_, i) => i),
    );
    assert.equal((await c.get('/show/')).text(), '|40');
    assert.equal(c.cookies.has('messages'), false);
  });
});
