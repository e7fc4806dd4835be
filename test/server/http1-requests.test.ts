/**
 * HTTP/1.1 conformance, the request side: bodies and their framing, the refusals that
 * stop request smuggling, Expect, and the special targets (CONNECT, `OPTIONS *`). Run
 * against every engine in PORTICO_TEST_ENGINES, over real loopback sockets.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { ServerOptions } from '../../src/server/options.ts';
import type { Application } from '../../src/tsgi/types.ts';
import { ENGINES, echo, get, post, RawClient, startEngine } from '../helpers/http1.ts';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A chunked POST: `body` the raw chunked bytes, `extra` more header lines. */
const chunkedPost = (path: string, body: string, extra = ''): string =>
  `POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n${extra}\r\n${body}`;

/** Pipelined after each refused request: it must never reach the application. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n';

interface Refusal {
  name: string;
  raw: string;
  /** An exact status the refusal must carry; otherwise any 4xx, or a close without one. */
  status?: number | number[];
  options?: Partial<ServerOptions>;
  /** Why node:http calls the application (which then only sees its body read fail). */
  nodeCallsApp?: string;
  /** Why node:http accepts the request: its policy differs, the case is skipped on node. */
  nodeAccepts?: string;
}

const LLHTTP_TE =
  'llhttp rejects a Transfer-Encoding without a final chunked only after the head callback: ' +
  'the app is called, its body read fails, the client gets a 400 and a close';
const LLHTTP_SPACES =
  'node:http policy: llhttp parses the request line on whitespace boundaries and accepts ' +
  'repeated spaces (RFC 9112 section 3 allows it), answering GET /';

/** Requests refused on their head: the application is never called. */
const HEAD_REFUSALS: Refusal[] = [
  {
    name: 'Transfer-Encoding beside Content-Length',
    raw: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
  },
  {
    name: 'Transfer-Encoding: chunked in HTTP/1.0',
    raw: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  },
  {
    name: 'two different Content-Length fields',
    raw: 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  },
  { name: 'a Content-Length list of different values', raw: post('/', 'hello!').replace(': 6', ': 5, 6') },
  { name: 'Content-Length: +5', raw: post('/', 'hello').replace(': 5', ': +5') },
  { name: 'Content-Length: -1', raw: post('/', '').replace(': 0', ': -1') },
  { name: 'Content-Length: 0x10', raw: post('/', 'sixteen bytes!!!').replace(': 16', ': 0x10') },
  {
    name: 'Transfer-Encoding: gzip (chunked not final)',
    raw: 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nhello',
    nodeCallsApp: LLHTTP_TE,
  },
  {
    name: 'Transfer-Encoding: chunked, gzip',
    raw: chunkedPost('/', '5\r\nhello\r\n0\r\n\r\n').replace('chunked', 'chunked, gzip'),
  },
  { name: 'an obs-folded header', raw: get('/', 'X-Folded: a\r\n b\r\n') },
  { name: 'a space before the colon', raw: get('/', 'X-Spaced : b\r\n') },
  { name: 'a bare LF inside a header value', raw: get('/', 'X-A: a\nX-B: b\r\n') },
  { name: 'a NUL in the target', raw: get('/a\0b') },
  { name: 'two spaces after the method', raw: get(' /'), nodeAccepts: LLHTTP_SPACES },
  { name: 'two spaces before the version', raw: get('/ '), nodeAccepts: LLHTTP_SPACES },
  { name: 'HTTP/1.1 without Host', raw: 'GET / HTTP/1.1\r\n\r\n', status: 400 },
  { name: 'a lower-case method', raw: get('/', '', 'get'), status: 400 },
  { name: 'HTTP/2.0', raw: 'GET / HTTP/2.0\r\nHost: t\r\n\r\n', status: [505, 400] },
  {
    name: 'a head over buffer-size',
    raw: get('/', `X-Big: ${'a'.repeat(2000)}\r\n`),
    status: 431,
    options: { bufferSize: 1024 },
  },
  {
    name: 'more fields than limit-request-fields',
    raw: get('/', Array.from({ length: 6 }, (_, i) => `X-${i}: ${i}\r\n`).join('')),
    status: 431,
    options: { limitRequestFields: 5 },
  },
  {
    name: 'a request line over limit-request-line',
    raw: get(`/${'a'.repeat(200)}`),
    status: 414,
    options: { limitRequestLine: 100 },
  },
];

/** Requests whose chunked framing breaks inside the body: the application never gets a body. */
const BODY_REFUSALS: Refusal[] = [
  { name: 'a chunk size that is not hex (zz)', raw: chunkedPost('/', 'zz\r\nhello\r\n0\r\n\r\n') },
  {
    name: 'a chunk size that overflows (ffffffffffffffffff)',
    raw: chunkedPost('/', 'ffffffffffffffffff\r\nhello\r\n0\r\n\r\n'),
  },
  { name: 'no CRLF after the chunk data', raw: chunkedPost('/', '5\r\nhelloX\r\n0\r\n\r\n') },
  {
    name: 'a forbidden trailer (Content-Length)',
    raw: chunkedPost('/', '5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n'),
    status: 400,
  },
];

/** Refusals decided once the head is parsed, as [name, raw request, options]. */
const AFTER_REFUSAL: [string, string, Partial<ServerOptions>?][] = [
  ['a missing Host (400)', 'GET / HTTP/1.1\r\n\r\n'],
  ['a second Host (400)', get('/', 'Host: u\r\n')],
  ['a * target for GET (400)', get('*')],
  ['a request line over the limit (414)', get(`/${'a'.repeat(200)}`), { limitRequestLine: 100 }],
  ['a declared body over limit-post (413)', post('/', 'x'.repeat(20)), { limitPost: 10 }],
  [
    'Transfer-Encoding in HTTP/1.0 keep-alive (400)',
    'POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ],
  ['an unsupported Expect (417)', post('/', 'hello', 'Expect: something-else\r\n')],
  ['an unsupported version (505)', 'GET / HTTP/2.0\r\nHost: t\r\n\r\n'],
];

/** Cases where node:http still dispatches the pipelined request (a Portico bug, reported). */

for (const engine of ENGINES) {
  describe(`HTTP/1.1 engine: ${engine}`, () => {
    /**
     * Sends a refused request with {@link SMUGGLED} pipelined behind it and checks the
     * refusal: a close, at most one response (a 4xx, or the status the case names), and an
     * application never called for it (body-level cases: never given a body).
     */
    async function assertRefused(refusal: Refusal, { bodyLevel }: { bodyLevel: boolean }) {
      const { app, seen } = echo();
      const server = await startEngine(engine, app, refusal.options);
      const client = await RawClient.open(server.port);
      client.write(refusal.raw + SMUGGLED);
      assert.equal(await client.closedWithin(2000), true, 'the connection is closed');
      const responses = client.parse();
      assert.ok(
        responses.length <= 1,
        `one refusal at most, got ${responses.map((r) => r.status).join(', ')}`,
      );
      const status = responses[0]?.status;
      if (refusal.status !== undefined) {
        assert.ok([refusal.status].flat().includes(status ?? 0), `status ${status}, not ${refusal.status}`);
      } else if (status !== undefined) {
        assert.ok(status >= 400 && status < 500, `status ${status} is not a 4xx`);
      }
      // Whether /smuggled reached the app is the business of "4b" below.
      const refused = seen.filter((s) => s.path !== '/smuggled');
      if (bodyLevel || (engine === 'node' && refusal.nodeCallsApp !== undefined)) {
        assert.ok(refused.length <= 1 && refused[0]?.body === undefined, 'the application never gets a body');
      } else {
        assert.deepEqual(refused, [], 'the application is never called');
      }
    }

    describe('3. request bodies', () => {
      test('a Content-Length body reaches the application', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(post('/cl', 'hello world') + post('/empty', ''));
        const [first, second] = await client.responses(2);
        assert.equal(first?.body.toString(), 'hello world');
        assert.equal(second?.body.length, 0);
        assert.equal(seen[0]?.body?.toString(), 'hello world');
      });

      test('a chunked body with chunk extensions and trailers is decoded', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        const body =
          '5;name=value\r\nhello\r\n6;q="a;b"\r\n world\r\n0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n';
        client.write(chunkedPost('/chunked', body, 'Trailer: X-Checksum, X-Other\r\n') + get('/after'));
        const [first, second] = await client.responses(2);
        assert.equal(first?.status, 200);
        assert.equal(first?.body.toString(), 'hello world');
        assert.equal(
          second?.header('x-seen'),
          'GET /after',
          'the trailers were consumed, not parsed as a request',
        );
        assert.equal(seen[0]?.body?.toString(), 'hello world');
        // TSGI does not expose trailers to the application (docs/tsgi.md); they are only vetted.
      });

      test('a chunked body sent one byte per write is decoded', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        const body = '3\r\nabc\r\n1;x=y\r\nd\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n';
        await client.trickle(chunkedPost('/trickle', body));
        const [response] = await client.responses(1);
        assert.equal(response?.body.toString(), 'abcd0123456789abcdef');
        assert.equal(seen[0]?.body?.toString(), 'abcd0123456789abcdef');
      });

      test('a 5 MB body is uploaded and echoed back intact', async () => {
        const { app } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        const payload = randomBytes(5 * 1024 * 1024);
        client.write(`POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: ${payload.length}\r\n\r\n`);
        client.write(payload);
        const [response] = await client.responses(1, { ms: 8000 });
        assert.equal(response?.body.length, payload.length);
        assert.equal(sha256(response?.body ?? Buffer.alloc(0)), sha256(payload));
      });

      test('a body the application never reads is discarded, not parsed as a request', async () => {
        const paths: string[] = [];
        const app: Application = (environ, start) => {
          paths.push(environ.PATH_INFO as string);
          start('200 OK', [['Content-Type', 'text/plain']]);
          return [`answered ${environ.PATH_INFO as string}`];
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        // Each unread body looks like a request: a server that fails to skip it answers /smuggled.
        const chunk = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
        client.write(
          post('/ignore', SMUGGLED) + get('/next') + chunkedPost('/ignore-chunked', chunk) + get('/last'),
        );
        const responses = await client.responses(4);
        assert.deepEqual(
          responses.map((r) => r.body.toString()),
          ['answered /ignore', 'answered /next', 'answered /ignore-chunked', 'answered /last'],
        );
        assert.deepEqual(paths, ['/ignore', '/next', '/ignore-chunked', '/last']);
      });
    });

    describe('4. framing refusals (request smuggling)', () => {
      for (const refusal of HEAD_REFUSALS) {
        const skip = engine === 'node' && refusal.nodeAccepts !== undefined ? refusal.nodeAccepts : false;
        test(`refused: ${refusal.name}`, { skip }, () => assertRefused(refusal, { bodyLevel: false }));
      }
      for (const refusal of BODY_REFUSALS) {
        test(`refused: ${refusal.name}`, () => assertRefused(refusal, { bodyLevel: true }));
      }
    });

    describe('4b. nothing pipelined behind a refusal reaches the application', () => {
      for (const [name, raw, options] of AFTER_REFUSAL) {
        test(`behind ${name}`, async () => {
          const { app, seen } = echo();
          const server = await startEngine(engine, app, options);
          const client = await RawClient.open(server.port);
          client.write(raw + SMUGGLED);
          assert.equal(await client.closedWithin(2000), true, 'the connection is closed');
          const [response] = client.parse();
          assert.ok((response?.status ?? 400) >= 400, 'refused');
          assert.equal(client.parse().length, 1, 'one response only');
          assert.deepEqual(
            seen.map((s) => s.path),
            [],
            'RFC 9112 9.6: no request after a "close" response is processed',
          );
        });
      }
    });

    describe('6. Expect', () => {
      test('100-continue: the 100 comes before the final response, once the application reads', async () => {
        const { app } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
        await client.until(() => client.text.includes('\r\n\r\n'), 2000, 'waiting for 100 Continue');
        assert.match(client.text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
        client.write('hello');
        const responses = await client.responses(1);
        assert.deepEqual(
          responses.map((r) => r.status),
          [100, 200],
        );
        assert.equal(responses[1]?.body.toString(), 'hello');
      });

      test('100-continue: an application that refuses without reading sends no 100', async () => {
        const app: Application = (_environ, start) => {
          start('413 Content Too Large', [['Content-Type', 'text/plain']]);
          return ['too large'];
        };
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n');
        const responses = await client.responses(1);
        assert.deepEqual(
          responses.map((r) => r.status),
          [413],
        );
        if (responses[0]?.header('connection')?.toLowerCase() === 'close') {
          assert.equal(await client.closedWithin(2000), true);
        } else {
          // Kept open: the body the client may still send is skipped, not read as a request.
          client.write(`${SMUGGLED.slice(0, 10)}${get('/next')}`);
          const [, next] = await client.responses(2);
          assert.equal(next?.status, 413);
        }
      });

      test('an Expect other than 100-continue is a 417', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(post('/', 'hello', 'Expect: something-else\r\n'));
        const [response] = await client.responses(1);
        assert.equal(response?.status, 417);
        assert.deepEqual(seen, []);
      });
    });

    describe('7. special targets', () => {
      test('CONNECT is a 405', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
        const [response] = await client.responses(1);
        assert.equal(response?.status, 405);
        assert.deepEqual(seen, []);
      });

      test('OPTIONS * reaches the application with PATH_INFO *', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('*', '', 'OPTIONS'));
        const [response] = await client.responses(1);
        assert.equal(response?.status, 200);
        assert.equal(response?.header('x-seen'), 'OPTIONS *');
        assert.equal(seen[0]?.path, '*');
      });

      test('* with any other method is a 400', async () => {
        const { app, seen } = echo();
        const server = await startEngine(engine, app);
        const client = await RawClient.open(server.port);
        client.write(get('*'));
        const [response] = await client.responses(1);
        assert.equal(response?.status, 400);
        assert.deepEqual(seen, []);
      });
    });
  });
}
