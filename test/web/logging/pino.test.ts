import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import {
  HttpResponse,
  pinoLogger,
  type HttpRequest,
  path,
  requestIdOf,
  requestLogging,
  type Settings,
  StreamingHttpResponse,
} from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';

function memory() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

function site(extra: Partial<Settings> = {}) {
  const sink = memory();
  const logger = pinoLogger({ level: 'info' }, sink.stream);
  const settings: Settings = {
    rootUrlconf: [
      path('ok/', (request: HttpRequest) => new HttpResponse(`id=${requestIdOf(request)}`)),
      path('missing/', () => new HttpResponse('no', { status: 404 })),
      path('boom/', () => {
        throw new TypeError('kaput');
      }),
      path(
        'slow/',
        () =>
          new StreamingHttpResponse(
            (async function* () {
              await new Promise((resolve) => setTimeout(resolve, 20));
              yield 'done';
            })(),
          ),
      ),
    ],
    allowedHosts: ['testserver'],
    logger,
    middleware: [requestLogging()],
    ...extra,
  };
  return { client: new Client(settings, { raiseRequestException: false }), lines: sink.lines };
}

describe('request logging with pino', () => {
  test('one JSON line per request: method, path, status, duration, request id (also in X-Request-Id)', async () => {
    const { client, lines } = site();
    const response = await client.get('/ok/');
    const id = response.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(response.text(), `id=${id}`);
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.msg, 'request');
    assert.equal(line?.level, 30);
    assert.equal(line?.reqId, id);
    assert.equal(line?.method, 'GET');
    assert.equal(line?.path, '/ok/');
    assert.equal(line?.status, 200);
    assert.equal(typeof line?.durationMs, 'number');
    assert.equal(line?.name, 'portico');
  });

  test('the duration covers streaming the body; the line is written when the response is closed', async () => {
    const { client, lines } = site();
    await client.get('/slow/');
    assert.ok((lines[0]?.durationMs as number) >= 15, String(lines[0]?.durationMs));
  });

  test('a safe incoming X-Request-Id is kept; anything else is replaced', async () => {
    const { client, lines } = site();
    await client.get('/ok/', { headers: { 'X-Request-Id': 'lb-1234' } });
    await client.get('/ok/', { headers: { 'X-Request-Id': 'bad id\n{"level":60}' } });
    assert.equal(lines[0]?.reqId, 'lb-1234');
    assert.match(String(lines[1]?.reqId), /^[0-9a-f-]{36}$/);
  });

  test('errors: the 500 is logged with its stack, code and request id, then the request line at error level', async () => {
    const { client, lines } = site();
    await client.get('/boom/');
    const [report, request] = lines;
    assert.equal(report?.level, 50);
    assert.equal(report?.msg, 'Internal Server Error: /boom/');
    assert.equal(report?.code, 'PORTICO_ERR_UNHANDLED_EXCEPTION');
    const err = report?.err as { type: string; message: string; stack: string };
    assert.equal(err.type, 'TypeError');
    assert.equal(err.message, 'kaput');
    assert.match(err.stack, /at .*logging\/pino\.test\.ts/);
    assert.equal(report?.reqId, request?.reqId);
    assert.equal(request?.level, 50);
    assert.equal(request?.status, 500);
  });

  test('4xx are warnings; a given pino logger can be used directly', async () => {
    const { client, lines } = site();
    await client.get('/missing/');
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.status]),
      [
        [40, 'Not Found: /missing/', 404],
        [40, 'request', 404],
      ],
    );
    const sink = memory();
    const own = pino({ base: null }, sink.stream);
    const { client: other } = site({
      logger: pinoLogger(own),
      middleware: [requestLogging({ responseIdHeader: null })],
    });
    const response = await other.get('/ok/');
    assert.equal(response.headers.get('x-request-id'), null);
    assert.equal(sink.lines.length, 1);
    assert.equal(sink.lines[0]?.path, '/ok/');
  });
});
