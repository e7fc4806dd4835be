import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../src/tsgi/errors.ts';
import { type FetchHandler, fromFetchHandler } from '../../src/tsgi/fetch/from-fetch-handler.ts';
import { toFetchHandler } from '../../src/tsgi/fetch/to-fetch-handler.ts';
import { basicFileWrapper } from '../../src/tsgi/file-wrapper.ts';
import type { Application, Environ } from '../../src/tsgi/types.ts';
import { validate } from '../../src/tsgi/validate.ts';
import { callApp, chunkInput, deferred, makeEnviron, memoryErrors, settle } from '../helpers/tsgi.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

test('toFetchHandler builds a conforming environ from the Request', async () => {
  let seen: Environ | undefined;
  let body = '';
  let firstLine = '';
  const app: Application = async (environ, start) => {
    seen = { ...environ };
    firstLine = decoder.decode(await environ['tsgi.input'].readLine());
    body = decoder.decode(await environ['tsgi.input'].read());
    start('200 OK', [['Content-Type', 'text/plain']]);
    return ['ok'];
  };
  const handler = toFetchHandler(validate(app), { scriptName: '/mount/', remoteAddress: () => '10.1.2.3' });
  const response = await handler(
    new Request('http://example.com:8080/mount/a%20b/caf%C3%A9/%FF?x=1&y=%20z&x=2#frag', {
      method: 'POST',
      headers: [
        ['X-Multi', 'one'],
        ['x-multi', 'two'],
        ['Content-Type', 'text/plain'],
        ['X_Sneaky', 'dropped'],
        ['Accept', '*/*'],
      ],
      body: 'line one\nline two',
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'ok');
  assert.ok(seen);
  assert.equal(seen.REQUEST_METHOD, 'POST');
  assert.equal(seen.SCRIPT_NAME, '/mount');
  assert.equal(seen.PATH_INFO, '/a b/caf\u00e9/%FF');
  assert.equal(seen.QUERY_STRING, 'x=1&y=%20z&x=2');
  assert.equal(seen.REQUEST_URI, '/mount/a%20b/caf%C3%A9/%FF?x=1&y=%20z&x=2');
  assert.equal(seen.SERVER_NAME, 'example.com');
  assert.equal(seen.SERVER_PORT, '8080');
  assert.equal(seen.HTTP_HOST, 'example.com:8080');
  assert.equal(seen.SERVER_PROTOCOL, 'HTTP/1.1');
  assert.equal(seen.REMOTE_ADDR, '10.1.2.3');
  assert.equal(seen.HTTP_X_MULTI, 'one, two');
  assert.equal(seen.HTTP_ACCEPT, '*/*');
  assert.equal(seen.CONTENT_TYPE, 'text/plain');
  assert.equal(seen.HTTP_CONTENT_TYPE, undefined);
  assert.equal(seen.HTTP_X_SNEAKY, undefined);
  assert.deepEqual(seen['tsgi.version'], [1, 0]);
  assert.equal(seen['tsgi.url_scheme'], 'http');
  assert.equal(seen['tsgi.input_terminated'], true);
  assert.equal(firstLine, 'line one\n');
  assert.equal(body, 'line two');
});

test('toFetchHandler: the root mount, https, default ports and the empty PATH_INFO', async () => {
  const seen: Environ[] = [];
  const app: Application = (environ, start) => {
    seen.push({ ...environ });
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [];
  };
  await toFetchHandler(validate(app))(new Request('https://example.com/'));
  await toFetchHandler(validate(app), { scriptName: '/app' })(new Request('http://[::1]:81/app'));
  assert.equal(seen[0]?.SCRIPT_NAME, '');
  assert.equal(seen[0]?.PATH_INFO, '/');
  assert.equal(seen[0]?.SERVER_PORT, '443');
  assert.equal(seen[0]?.['tsgi.url_scheme'], 'https');
  assert.equal(seen[1]?.SCRIPT_NAME, '/app');
  assert.equal(seen[1]?.PATH_INFO, '');
  assert.equal(seen[1]?.SERVER_NAME, '[::1]');
  assert.equal(seen[1]?.SERVER_PORT, '81');
});

test('toFetchHandler answers 404 outside its mount point without calling the app', async () => {
  let called = false;
  const handler = toFetchHandler(
    () => {
      called = true;
      return [];
    },
    { scriptName: '/app' },
  );
  assert.equal((await handler(new Request('http://x/application'))).status, 404);
  assert.equal((await handler(new Request('http://x/other'))).status, 404);
  assert.equal(called, false);
});

test('toFetchHandler reads the request body lazily and by iteration', async () => {
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        if (pulls <= 3) controller.enqueue(encoder.encode(`part${pulls};`));
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  let pullsBeforeRead = -1;
  const parts: string[] = [];
  const app: Application = async (environ, start) => {
    await settle();
    pullsBeforeRead = pulls;
    for await (const chunk of environ['tsgi.input']) parts.push(decoder.decode(chunk));
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [];
  };
  const request = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  await toFetchHandler(app)(request);
  assert.equal(pullsBeforeRead, 0);
  assert.equal(parts.join(''), 'part1;part2;part3;');
});

// --- toFetchHandler: the response ---------------------------------------------------------

test('toFetchHandler keeps status, reason and repeated headers', async () => {
  const app: Application = (_e, start) => {
    start('201 Made It', [
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'a=1; Path=/'],
      ['Set-Cookie', 'b=2, with comma'],
      ['Vary', 'Accept'],
      ['Vary', 'Cookie'],
    ]);
    return ['created'];
  };
  const response = await toFetchHandler(app)(new Request('http://x/'));
  assert.equal(response.status, 201);
  assert.equal(response.statusText, 'Made It');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2, with comma']);
  assert.equal(response.headers.get('vary'), 'Accept, Cookie');
  assert.equal(response.headers.get('content-length'), '7');
  assert.equal(await response.text(), 'created');
});

test('toFetchHandler streams with backpressure: the first chunk arrives while the app still waits', async () => {
  const gate = deferred();
  let produced = 0;
  let closed = 0;
  const app: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return Object.assign(
      (async function* () {
        produced++;
        yield 'first';
        produced++;
        yield 'second';
        await gate.promise;
        produced++;
        yield 'third';
      })(),
      { close: () => void closed++ },
    );
  };
  const response = await toFetchHandler(app)(new Request('http://x/'));
  assert.equal(response.headers.get('content-length'), null);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  assert.equal(decoder.decode(first.value), 'first');
  await settle();
  assert.equal(produced, 1, 'nothing is pulled from the app before the runtime reads');
  assert.equal(decoder.decode((await reader.read()).value), 'second');
  const third = reader.read();
  await settle();
  assert.equal(produced, 2, 'the app is still waiting on the gate');
  gate.resolve();
  assert.equal(decoder.decode((await third).value), 'third');
  assert.equal((await reader.read()).done, true);
  assert.equal(closed, 1);
});

test('toFetchHandler calls close() once and stops the generator when the stream is cancelled', async () => {
  let closed = 0;
  let finallyRan = false;
  const app: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return Object.assign(
      (function* () {
        try {
          yield 'a';
          yield 'b';
          yield 'c';
        } finally {
          finallyRan = true;
        }
      })(),
      { close: () => void closed++ },
    );
  };
  const response = await toFetchHandler(app)(new Request('http://x/'));
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  assert.equal(decoder.decode((await reader.read()).value), 'a');
  await reader.cancel();
  await settle();
  assert.equal(closed, 1);
  assert.equal(finallyRan, true);
});

test('toFetchHandler waits for headers set lazily in the first iteration, and write() comes first', async () => {
  const lazy: Application = (_e, start) =>
    (function* () {
      yield '';
      start('202 Accepted', [['Content-Type', 'text/plain']]);
      yield 'late';
    })();
  const response = await toFetchHandler(lazy)(new Request('http://x/'));
  assert.equal(response.status, 202);
  assert.equal(await response.text(), 'late');
  const writer: Application = (_e, start) => {
    const write = start('200 OK', [['Content-Type', 'text/plain']]);
    write('written,');
    return ['yielded'];
  };
  assert.equal(await (await toFetchHandler(writer)(new Request('http://x/'))).text(), 'written,yielded');
});

test('toFetchHandler sends no body for HEAD, 204 and 304, and closes the body', async () => {
  let closed = 0;
  const app =
    (status: string): Application =>
    (_e, start) => {
      start(status, status.startsWith('200') ? [['Content-Type', 'text/plain']] : []);
      return Object.assign(['body'], { close: () => void closed++ });
    };
  const head = await toFetchHandler(app('200 OK'))(new Request('http://x/', { method: 'HEAD' }));
  assert.equal(head.body, null);
  assert.equal(head.headers.get('content-length'), '4');
  const skipped = await toFetchHandler((_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return Object.assign([], { close: () => void closed++ });
  })(new Request('http://x/', { method: 'HEAD' }));
  assert.equal(
    skipped.headers.get('content-length'),
    null,
    'an app that skips the HEAD body gets no length of 0',
  );
  const noContent = await toFetchHandler((_e, start) => {
    start('204 No Content', []);
    return Object.assign([], { close: () => void closed++ });
  })(new Request('http://x/'));
  assert.equal(noContent.status, 204);
  assert.equal(noContent.body, null);
  const notModified = await toFetchHandler((_e, start) => {
    start('304 Not Modified', [['ETag', '"v1"']]);
    return Object.assign([], { close: () => void closed++ });
  })(new Request('http://x/'));
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.get('etag'), '"v1"');
  assert.equal(closed, 4);
});

test('toFetchHandler turns failures before the headers into a logged 500', async () => {
  const cases: Record<string, Application> = {
    throws: () => {
      throw new Error('sync boom');
    },
    rejects: async () => {
      throw new Error('async boom');
    },
    'iteration fails': (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (function* () {
        yield '';
        throw new Error('iteration boom');
      })();
    },
    'bad status': (_e, start) => {
      start('20 OK', []);
      return [];
    },
    'bad header': (_e, start) => {
      start('200 OK', [['Connection', 'close']]);
      return [];
    },
    'string body': (() => 'oops') as unknown as Application,
    'no startResponse': () => [],
  };
  for (const [name, app] of Object.entries(cases)) {
    const errors = memoryErrors();
    const response = await toFetchHandler(app, { errors })(
      new Request('http://x/p?q=1', { method: 'DELETE' }),
    );
    assert.equal(response.status, 500, name);
    assert.equal(await response.text(), 'Internal Server Error\n', name);
    assert.match(errors.text, /portico error "DELETE \/p\?q=1 HTTP\/1\.1": PORTICO_ERR_APP_FAILED/, name);
  }
});

test('toFetchHandler replaces the status on excInfo before the headers are sent, throws it back after', async () => {
  const replaced: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    start('503 Service Unavailable', [['Content-Type', 'text/plain']], new Error('db down'));
    return ['sorry'];
  };
  const response = await toFetchHandler(replaced)(new Request('http://x/'));
  assert.equal(response.status, 503);
  assert.equal(await response.text(), 'sorry');

  const original = new Error('late');
  let thrownBack: unknown;
  let closed = 0;
  const errors = memoryErrors();
  const late: Application = (_e, start) =>
    Object.assign(
      (function* () {
        start('200 OK', [['Content-Type', 'text/plain']]);
        yield 'partial';
        try {
          start('500 Internal Server Error', [['Content-Type', 'text/plain']], original);
        } catch (error) {
          thrownBack = error;
          throw error;
        }
      })(),
      { close: () => void closed++ },
    );
  const aborted = await toFetchHandler(late, { errors })(new Request('http://x/'));
  assert.equal(aborted.status, 200);
  const reader = (aborted.body as ReadableStream<Uint8Array>).getReader();
  assert.equal(decoder.decode((await reader.read()).value), 'partial');
  await assert.rejects(reader.read(), (error) => hasCode(error, 'PORTICO_ERR_RESPONSE_ABORTED'));
  assert.equal(thrownBack, original);
  assert.equal(closed, 1);
  assert.match(errors.text, /PORTICO_ERR_RESPONSE_ABORTED/);
});

test('toFetchHandler enforces the declared Content-Length', async () => {
  const declared =
    (length: string, chunks: string[]): Application =>
    (_e, start) => {
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', length],
      ]);
      return (function* () {
        yield* chunks;
      })();
    };
  const errors = memoryErrors();
  const long = await toFetchHandler(declared('5', ['abc', 'defgh', 'ijk']), { errors })(
    new Request('http://x/'),
  );
  assert.equal(await long.text(), 'abcde');
  assert.match(errors.text, /PORTICO_ERR_CONTENT_LENGTH_MISMATCH.*truncated/);
  const short = await toFetchHandler(declared('10', ['abc', 'de']), { errors })(new Request('http://x/'));
  await assert.rejects(short.text());
  assert.match(errors.text, /shorter than the declared Content-Length 10/);
});

test('toFetchHandler provides a working tsgi.file_wrapper', async () => {
  const data = encoder.encode('file contents here');
  let at = 0;
  let fileClosed = false;
  const app: Application = (environ, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    const wrap = environ['tsgi.file_wrapper'] as NonNullable<Environ['tsgi.file_wrapper']>;
    return wrap(
      {
        read: async (size) => {
          const out = data.subarray(at, at + size);
          at += out.length;
          return out;
        },
        close: () => {
          fileClosed = true;
        },
      },
      5,
    );
  };
  const response = await toFetchHandler(app)(new Request('http://x/'));
  assert.equal(await response.text(), 'file contents here');
  assert.equal(fileClosed, true);
  const untouched = basicFileWrapper({
    read: () => {
      throw new Error('must not read before iteration');
    },
  });
  assert.equal(typeof untouched.close, 'function');
});

// --- fromFetchHandler ---------------------------------------------------------------------

test('fromFetchHandler builds the Request from the environ', async () => {
  let seen: Request | undefined;
  let body = '';
  const handler: FetchHandler = async (request) => {
    seen = request;
    body = await request.text();
    return new Response('ok');
  };
  const input = chunkInput([encoder.encode('hello '), encoder.encode('world')]);
  const environ = makeEnviron({
    REQUEST_METHOD: 'PUT',
    SCRIPT_NAME: '/api',
    PATH_INFO: '/caf\u00e9 menu/%FF',
    QUERY_STRING: 'a=1&a=2',
    HTTP_HOST: 'example.com:8443',
    'tsgi.url_scheme': 'https',
    HTTP_X_MULTI: 'one, two',
    HTTP_CONNECTION: 'keep-alive',
    HTTP_TRANSFER_ENCODING: 'chunked',
    CONTENT_TYPE: 'text/plain',
    CONTENT_LENGTH: '11',
    'tsgi.input': input,
  });
  const app = validate(fromFetchHandler(handler));
  const served = await callApp(app, environ);
  assert.equal(await served.text(), 'ok');
  assert.ok(seen);
  assert.equal(seen.method, 'PUT');
  assert.equal(seen.url, 'https://example.com:8443/api/caf%C3%A9%20menu/%FF?a=1&a=2');
  assert.equal(seen.headers.get('x-multi'), 'one, two');
  assert.equal(seen.headers.get('content-type'), 'text/plain');
  assert.equal(seen.headers.get('content-length'), '11');
  assert.equal(seen.headers.get('connection'), null);
  assert.equal(seen.headers.get('transfer-encoding'), null);
  assert.equal(body, 'hello world');
});

test('fromFetchHandler reads tsgi.input only when the handler reads the body', async () => {
  const input = chunkInput([encoder.encode('unread')]);
  const app = fromFetchHandler(() => new Response('ignored the body'));
  const served = await callApp(
    app,
    makeEnviron({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '6', 'tsgi.input': input }),
  );
  assert.equal(await served.text(), 'ignored the body');
  assert.equal(input.reads, 0);
  // GET and an empty POST get no body at all.
  let hadBody: boolean[] = [];
  const probe = fromFetchHandler((request) => {
    hadBody.push(request.body !== null);
    return new Response(null, { status: 204 });
  });
  await callApp(probe, makeEnviron({ REQUEST_METHOD: 'GET' }));
  await callApp(probe, makeEnviron({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '0' }));
  await callApp(probe, makeEnviron({ REQUEST_METHOD: 'POST', 'tsgi.input_terminated': false }));
  await callApp(probe, makeEnviron({ REQUEST_METHOD: 'POST' }));
  assert.deepEqual(hadBody, [false, false, false, true]);
  hadBody = [];
});

test('fromFetchHandler turns the Response into a status line, header pairs and a body', async () => {
  const app = validate(
    fromFetchHandler(() => {
      const headers = new Headers([['Content-Type', 'text/plain']]);
      headers.append('Set-Cookie', 'a=1; Path=/');
      headers.append('Set-Cookie', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT');
      headers.append('X-Multi', 'one');
      headers.append('X-Multi', 'two');
      headers.append('Connection', 'close');
      return new Response('teapot', { status: 418, statusText: 'Short And Stout', headers });
    }),
  );
  const served = await callApp(app, makeEnviron());
  assert.equal(await served.text(), 'teapot');
  assert.equal(served.status, '418 Short And Stout');
  assert.deepEqual(served.headers, [
    ['content-type', 'text/plain'],
    ['x-multi', 'one, two'],
    ['set-cookie', 'a=1; Path=/'],
    ['set-cookie', 'b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT'],
  ]);
  const standard = await callApp(
    fromFetchHandler(() => new Response('nope', { status: 404 })),
    makeEnviron(),
  );
  assert.equal(standard.status, '404 Not Found');
  const unknown = await callApp(
    fromFetchHandler(() => new Response('?', { status: 599 })),
    makeEnviron(),
  );
  assert.equal(unknown.status, '599 Unknown');
});

test('fromFetchHandler streams the response body and cancels it on close()', async () => {
  const gate = deferred();
  let cancelled: unknown = 'not cancelled';
  const handler: FetchHandler = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('first'));
          await gate.promise;
          controller.enqueue(encoder.encode('second'));
        },
        cancel(reason) {
          cancelled = reason;
        },
      }),
      { headers: { 'content-type': 'text/plain' } },
    );
  const served = await callApp(fromFetchHandler(handler), makeEnviron());
  assert.equal(await served.next(), 'first');
  assert.equal(cancelled, 'not cancelled');
  await served.close();
  assert.equal(cancelled, undefined);
  gate.resolve();
});

test('fromFetchHandler errors: handler errors pass through, translation errors are PORTICO_ERR_BRIDGE', async () => {
  const boom = new Error('handler failed');
  await assert.rejects(
    callApp(
      fromFetchHandler(() => {
        throw boom;
      }),
      makeEnviron(),
    ),
    (error) => error === boom,
  );
  const bridge = (error: unknown) => hasCode(error, 'PORTICO_ERR_BRIDGE');
  await assert.rejects(
    callApp(fromFetchHandler((() => 'not a response') as unknown as FetchHandler), makeEnviron()),
    bridge,
  );
  await assert.rejects(
    callApp(
      fromFetchHandler(() => Response.error()),
      makeEnviron(),
    ),
    bridge,
  );
  await assert.rejects(
    callApp(
      fromFetchHandler(() => new Response('x')),
      makeEnviron({ HTTP_X_BAD: 'a\u0000b' }),
    ),
    bridge,
  );
  await assert.rejects(
    callApp(
      fromFetchHandler(() => new Response('x')),
      makeEnviron({ REQUEST_METHOD: 'CONNECT' }),
    ),
    bridge,
  );
  await assert.rejects(
    callApp(
      fromFetchHandler(() => new Response('x')),
      makeEnviron({ REQUEST_METHOD: 'OPTIONS', PATH_INFO: '*' }),
    ),
    bridge,
  );
});

// --- round trips --------------------------------------------------------------------------

const binary = new Uint8Array([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80]);

test('round trip: toFetchHandler(fromFetchHandler(fn)) keeps request and response', async () => {
  const gate = deferred();
  let seen:
    | { method: string; url: string; multi: string | null; cookie: string | null; body: Uint8Array }
    | undefined;
  const fn: FetchHandler = async (request) => {
    seen = {
      method: request.method,
      url: request.url,
      multi: request.headers.get('x-multi'),
      cookie: request.headers.get('cookie'),
      body: new Uint8Array(await request.arrayBuffer()),
    };
    const headers = new Headers({ 'content-type': 'application/octet-stream', 'x-trace': 'abc' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(binary);
        await gate.promise;
        controller.enqueue(encoder.encode('tail'));
        controller.close();
      },
    });
    return new Response(body, { status: 207, statusText: 'Mixed Bag', headers });
  };
  const handler = toFetchHandler(validate(fromFetchHandler(fn)));
  const url = 'http://example.com:8080/a%20b/caf%C3%A9/%FF?q=1&q=2&s=%20&empty=';
  const response = await handler(
    new Request(url, {
      method: 'PATCH',
      headers: [
        ['x-multi', 'one'],
        ['x-multi', 'two'],
        ['cookie', 'sid=1'],
      ],
      body: binary,
    }),
  );
  assert.ok(seen);
  assert.equal(seen.method, 'PATCH');
  assert.equal(seen.url, url);
  assert.equal(seen.multi, 'one, two');
  assert.equal(seen.cookie, 'sid=1');
  assert.deepEqual(seen.body, binary);
  assert.equal(response.status, 207);
  assert.equal(response.statusText, 'Mixed Bag');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.equal(response.headers.get('x-trace'), 'abc');
  assert.equal(response.headers.get('content-type'), 'application/octet-stream');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  assert.deepEqual(first.value, binary, 'the first chunk arrives while the handler still waits');
  gate.resolve();
  assert.equal(decoder.decode((await reader.read()).value), 'tail');
  assert.equal((await reader.read()).done, true);
});

test('round trip: fromFetchHandler(toFetchHandler(app)) keeps the environ and the response', async () => {
  const gate = deferred();
  let seen: Record<string, unknown> | undefined;
  let closed = 0;
  const app: Application = async (environ, start) => {
    seen = {
      REQUEST_METHOD: environ.REQUEST_METHOD,
      SCRIPT_NAME: environ.SCRIPT_NAME,
      PATH_INFO: environ.PATH_INFO,
      QUERY_STRING: environ.QUERY_STRING,
      HTTP_X_MULTI: environ.HTTP_X_MULTI,
      HTTP_HOST: environ.HTTP_HOST,
      CONTENT_TYPE: environ.CONTENT_TYPE,
      body: await environ['tsgi.input'].read(),
      scheme: environ['tsgi.url_scheme'],
    };
    start('201 Created Here', [
      ['Content-Type', 'application/octet-stream'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    return Object.assign(
      (async function* () {
        yield binary;
        await gate.promise;
        yield 'tail';
      })(),
      { close: () => void closed++ },
    );
  };
  const bridged = validate(fromFetchHandler(toFetchHandler(validate(app), { scriptName: '/mnt' })));
  const environ = makeEnviron(
    {
      REQUEST_METHOD: 'POST',
      SCRIPT_NAME: '/mnt',
      PATH_INFO: '/caf\u00e9/%FF/x y',
      QUERY_STRING: 'q=%20&q=2',
      HTTP_HOST: 'example.com:8443',
      'tsgi.url_scheme': 'https',
      HTTP_X_MULTI: 'one, two',
      CONTENT_TYPE: 'application/octet-stream',
      CONTENT_LENGTH: String(binary.length),
    },
    [binary.subarray(0, 3), binary.subarray(3)],
  );
  const served = await callApp(bridged, environ);
  assert.deepEqual(seen, {
    REQUEST_METHOD: 'POST',
    SCRIPT_NAME: '/mnt',
    PATH_INFO: '/caf\u00e9/%FF/x y',
    QUERY_STRING: 'q=%20&q=2',
    HTTP_X_MULTI: 'one, two',
    HTTP_HOST: 'example.com:8443',
    CONTENT_TYPE: 'application/octet-stream',
    body: binary,
    scheme: 'https',
  });
  assert.equal(served.status, '201 Created Here');
  assert.deepEqual(
    served.headers.filter(([name]) => name === 'set-cookie'),
    [
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ],
  );
  const first = await served.next();
  assert.equal(first, decoder.decode(binary), 'the first chunk arrives while the app still waits');
  gate.resolve();
  assert.equal(await served.next(), 'tail');
  assert.equal(await served.next(), undefined);
  await settle();
  assert.equal(closed, 1);
});

test('round trip: closing the outer body cancels the inner stream and closes the app body', async () => {
  let closed = 0;
  const app: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return Object.assign(
      (async function* () {
        yield 'one';
        await new Promise(() => {});
      })(),
      { close: () => void closed++ },
    );
  };
  const served = await callApp(fromFetchHandler(toFetchHandler(app)), makeEnviron());
  assert.equal(await served.next(), 'one');
  await served.close();
  await settle();
  assert.equal(closed, 1);
});

// --- a Hono-like framework ----------------------------------------------------------------

type Context = {
  req: { raw: Request; param: (name: string) => string; query: (name: string) => string | null };
  header: (name: string, value: string) => void;
  text: (text: string, status?: number) => Response;
  json: (value: unknown, status?: number) => Response;
};
type Handler = (c: Context) => Response | Promise<Response>;

/** A miniature of Hono's shape: routes with :params, a context, and `fetch`. */
class MiniHono {
  readonly #routes: { method: string; pattern: RegExp; keys: string[]; handler: Handler }[] = [];

  get(path: string, handler: Handler): this {
    return this.#on('GET', path, handler);
  }

  post(path: string, handler: Handler): this {
    return this.#on('POST', path, handler);
  }

  #on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/:(\w+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.#routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    for (const route of this.#routes) {
      const match = route.pattern.exec(path);
      if (
        match === null ||
        (route.method !== request.method && !(route.method === 'GET' && request.method === 'HEAD'))
      )
        continue;
      const extra = new Headers();
      const params = Object.fromEntries(route.keys.map((key, i) => [key, match[i + 1] as string]));
      const context: Context = {
        req: {
          raw: request,
          param: (name) => params[name] ?? '',
          query: (name) => url.searchParams.get(name),
        },
        header: (name, value) => extra.append(name, value),
        text: (text, status = 200) =>
          new Response(text, { status, headers: [['content-type', 'text/plain; charset=utf-8'], ...extra] }),
        json: (value, status = 200) =>
          new Response(JSON.stringify(value), {
            status,
            headers: [['content-type', 'application/json'], ...extra],
          }),
      };
      return route.handler(context);
    }
    return new Response('404 Not Found', { status: 404, headers: { 'content-type': 'text/plain' } });
  };
}

test('a Hono-like fetch app runs as a TSGI application', async () => {
  const app = new MiniHono()
    .get('/users/:id', (c) => {
      c.header('Set-Cookie', 'seen=1');
      c.header('Set-Cookie', 'theme=dark');
      return c.json({ id: c.req.param('id'), verbose: c.req.query('verbose') });
    })
    .post('/echo', async (c) => c.json(await c.req.raw.json(), 201));
  const tsgi = validate(fromFetchHandler(app.fetch));

  const user = await callApp(
    tsgi,
    makeEnviron({ PATH_INFO: '/users/caf\u00e9', QUERY_STRING: 'verbose=yes' }),
  );
  assert.equal(user.status, '200 OK');
  assert.deepEqual(JSON.parse(await user.text()), { id: 'caf\u00e9', verbose: 'yes' });
  assert.deepEqual(
    user.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value),
    ['seen=1', 'theme=dark'],
  );

  const payload = encoder.encode(JSON.stringify({ hello: 'world' }));
  const echo = await callApp(
    tsgi,
    makeEnviron(
      {
        REQUEST_METHOD: 'POST',
        PATH_INFO: '/echo',
        CONTENT_TYPE: 'application/json',
        CONTENT_LENGTH: String(payload.length),
      },
      [payload],
    ),
  );
  assert.equal(echo.status, '201 Created');
  assert.deepEqual(JSON.parse(await echo.text()), { hello: 'world' });

  const missing = await callApp(tsgi, makeEnviron({ PATH_INFO: '/nope' }));
  assert.equal(missing.status, '404 Not Found');
  assert.equal(await missing.text(), '404 Not Found');

  // And back out again: the same app served by a fetch runtime through TSGI.
  const served = await toFetchHandler(tsgi)(new Request('http://example.com/users/7'));
  assert.deepEqual(await served.json(), { id: '7', verbose: null });
  assert.deepEqual(served.headers.getSetCookie(), ['seen=1', 'theme=dark']);
});
