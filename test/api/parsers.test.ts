/**
 * The JSON parser: a body that came with the request is parsed without a promise (over a
 * real socket: in the head's packet, or after it), and JSON whose keys could reach a
 * prototype is copied into objects without one; other JSON is used as parsed.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { APIView, JSONParser, type ParsedBody, Request, Response } from '../../src/api/index.ts';
import { apiSettingsOf } from '../../src/api/settings.ts';
import { DefaultContentNegotiation } from '../../src/api/negotiation.ts';
import { BufferedInput } from '../../src/tsgi/input.ts';
import { getTsgiApplication, HttpRequest, path, type Settings } from '../../src/web/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { startServer } from '../helpers/apps.ts';
import { makeEnviron } from '../web/helpers.ts';

/** What the handler saw of `request.data`. */
function describeData(data: unknown) {
  const record = data as Record<string, unknown>;
  return {
    data,
    proto: Object.getPrototypeOf(data) === null ? 'null' : 'Object.prototype',
    ownProto: Object.hasOwn(record, '__proto__'),
    polluted: ({} as Record<string, unknown>).polluted ?? null,
    assignedProto: Object.getPrototypeOf(Object.assign({}, data)) === Object.prototype,
  };
}

class Echo extends APIView {
  post(request: Request) {
    return new Response(describeData(request.data), { status: 201 });
  }
}

const settings: Settings = {
  rootUrlconf: [path('echo/', Echo.asView())],
  allowedHosts: ['127.0.0.1', 'testserver'],
};

describe('JSON and prototypes', () => {
  const client = new APIClient(settings);
  const send = async (body: string) => {
    const response = await client.post('/echo/', undefined, { body, contentType: 'application/json' });
    assert.equal(response.status, 201, response.text());
    return response.json() as ReturnType<typeof describeData>;
  };

  test('JSON that names no prototype key is used as JSON.parse made it', async () => {
    const seen = await send('{"name":"Ada","tags":["a"],"nested":{"x":1}}');
    assert.deepEqual(seen.data, { name: 'Ada', tags: ['a'], nested: { x: 1 } });
    assert.equal(seen.proto, 'Object.prototype');
  });

  for (const [what, body] of [
    ['a __proto__ key', '{"__proto__":{"polluted":"yes"},"a":1}'],
    ['a __proto__ key spelt with a \\u escape', '{"\\u005f_proto__":{"polluted":"yes"},"a":1}'],
    ['a nested __proto__ key', '{"a":[{"__proto__":{"polluted":"yes"}}]}'],
    ['a constructor.prototype chain', '{"constructor":{"prototype":{"polluted":"yes"}},"a":1}'],
    ['a constructor key spelt with escapes', '{"\\u0063onstructor":{"prototype":{"polluted":"yes"}}}'],
  ] as const) {
    test(`${what}: objects without a prototype, __proto__ dropped, nothing polluted`, async () => {
      const seen = await send(body);
      assert.equal(seen.proto, 'null');
      assert.equal(seen.ownProto, false);
      assert.equal(seen.polluted, null);
      assert.equal(seen.assignedProto, true, 'Object.assign of the data leaves the target prototype alone');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  test('the words in a value, or any \\u escape, take the copy too (same data)', async () => {
    for (const body of ['{"note":"see __proto__"}', '{"note":"caf\\u00e9"}', '{"note":"prototype"}']) {
      const seen = await send(body);
      assert.equal(seen.proto, 'null', body);
      assert.deepEqual(seen.data, JSON.parse(body));
    }
  });

  test('deep nesting is refused however the text is spelt (a long body is scanned)', async () => {
    const deep = `{"a":${'['.repeat(1500)}${']'.repeat(1500)}}`;
    const response = await client.post('/echo/', undefined, { body: deep, contentType: 'application/json' });
    assert.equal(response.status, 400);
    assert.match((response.json() as { detail: string }).detail, /nested deeper than 1000 levels/);
  });
});

/** A body at hand (as the HTTP engine has one that came with its head), or only after waiting. */
class Input extends BufferedInput {
  #bytes: Uint8Array | undefined;
  readonly #atHand: boolean;
  constructor(text: string, atHand: boolean) {
    super();
    this.#bytes = Buffer.from(text);
    this.#atHand = atHand;
  }
  protected override pullNow(): Uint8Array | undefined | null {
    if (!this.#atHand) return null;
    const bytes = this.#bytes;
    this.#bytes = undefined;
    return bytes;
  }
  protected async pull(): Promise<Uint8Array | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    const bytes = this.#bytes;
    this.#bytes = undefined;
    return bytes;
  }
}

function apiRequest(body: string, atHand: boolean): Request {
  const environ = makeEnviron({ method: 'POST', headers: { 'Content-Type': 'application/json' } });
  environ['tsgi.input'] = new Input(body, atHand);
  environ.CONTENT_LENGTH = String(Buffer.byteLength(body));
  const http = new HttpRequest(environ);
  const parser = new JSONParser();
  return new Request(http, {
    parsers: [parser],
    authenticators: [],
    negotiator: new DefaultContentNegotiation(),
    settings: apiSettingsOf(http.settings),
  });
}

describe('a body at hand is parsed without a promise', () => {
  test('JSONParser answers at once with the body at hand, with a promise otherwise', async () => {
    const now = new JSONParser().parse(apiRequest('{"a":1}', true));
    assert.ok(!(now instanceof Promise));
    assert.deepEqual((now as ParsedBody).data, { a: 1 });
    const later = new JSONParser().parse(apiRequest('{"a":2}', false));
    assert.ok(later instanceof Promise);
    assert.deepEqual((await later).data, { a: 2 });
  });

  test('request.dataLoaded() needs no promise then; a malformed body is kept for data, both ways', async () => {
    const now = apiRequest('{"a":1}', true);
    assert.equal(now.dataLoaded(), undefined);
    assert.deepEqual(now.data, { a: 1 });
    const bad = apiRequest('{"a":', true);
    assert.equal(bad.dataLoaded(), undefined);
    assert.throws(() => bad.data, /JSON parse error/);
    const badLater = apiRequest('{"a":', false);
    await badLater.dataLoaded();
    assert.throws(() => badLater.data, /JSON parse error/);
  });
});

describe('over a socket: the body in the head packet, or after it', () => {
  const application = getTsgiApplication(settings);

  /** Sends `parts` with a pause between them; resolves with the raw response. */
  async function exchange(port: number, parts: string[]): Promise<string> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    for (const [i, part] of parts.entries()) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 30));
      socket.write(part);
    }
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    socket.destroy();
    return received;
  }

  const head = (body: string) =>
    `POST /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { data: unknown };

  test('the same data whether the body came with the head, after it, or in pieces', async () => {
    const server = await startServer(application);
    const body = '{"name":"Ada","age":36}';
    for (const parts of [
      [head(body) + body],
      [head(body), body],
      [head(body) + body.slice(0, 5), body.slice(5)],
    ]) {
      const raw = await exchange(server.port, parts);
      assert.match(raw, /^HTTP\/1\.1 201 /, raw);
      assert.deepEqual(bodyOf(raw).data, { name: 'Ada', age: 36 });
    }
  });

  test('malformed JSON in the head packet is a 400 saying where; a __proto__ key is dropped', async () => {
    const server = await startServer(application);
    const bad = '{"a":\n tru}';
    const raw = await exchange(server.port, [head(bad) + bad]);
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /line 2, column 2/);
    const proto = '{"__proto__":{"polluted":"yes"}}';
    const seen = bodyOf(await exchange(server.port, [head(proto) + proto])) as ReturnType<
      typeof describeData
    >;
    assert.equal(seen.ownProto, false);
    assert.equal(seen.polluted, null);
  });

  test('a body past limit-post is a 413, whether it came with the head or not', async () => {
    const server = await startServer(application, { limitPost: 10 });
    const chunked = (body: string) =>
      `POST /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const body = '{"long":"enough to pass ten bytes"}';
    assert.match(await exchange(server.port, [chunked(body)]), /^HTTP\/1\.1 413 /);
    const split = chunked(body);
    assert.match(await exchange(server.port, [split.slice(0, 120), split.slice(120)]), /^HTTP\/1\.1 413 /);
  });
});
