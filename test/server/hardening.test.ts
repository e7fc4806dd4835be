/**
 * Regression tests of issue 11 ("the HTTP engines, hardened"), over real loopback sockets
 * on both engines where the point applies: each names the defect it guards against.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/tsgi/types.ts';
import { escapeLogValue } from '../../src/tsgi/log.ts';
import { compileAccessLog, type AccessRecord } from '../../src/appserver/logging/access-log.ts';
import { ENGINES, echo, get, RawClient, sleep, startEngine } from '../helpers/http1.ts';
import { bigBody, neverReader } from '../helpers/send-timeout.ts';

const environHost: Application = (environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [`${environ.HTTP_HOST}|${environ.SERVER_NAME}|${environ.SERVER_PORT}|${environ.PATH_INFO}`];
};

for (const engine of ENGINES) {
  describe(`hardening: ${engine} engine`, () => {
    test('Transfer-Encoding padded with non-ASCII whitespace is a 400, never chunked', async () => {
      const { app, seen } = echo();
      const server = await startEngine(engine, app);
      for (const te of ['chunked\xa0', '\xa0chunked', 'gzip,\xa0chunked', 'chunked\x85']) {
        const client = await RawClient.open(server.port);
        client.write(
          Buffer.from(
            `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ${te}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
            'latin1',
          ),
        );
        const [response] = await client.responses(1);
        assert.equal(response?.status, 400, JSON.stringify(te));
        client.destroy();
      }
      assert.equal(seen.length, 0);
    });

    test('an invalid Host is a 400; a valid one, with or without a port, is served', async () => {
      const server = await startEngine(engine, environHost);
      for (const host of ['a b', 'a/b', 'a:b', 'a:99999', 'a@b', 'a:1:2']) {
        const client = await RawClient.open(server.port);
        client.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        const [response] = await client.responses(1);
        assert.equal(response?.status, 400, host);
        client.destroy();
      }
      for (const host of ['example.com', 'example.com:8080', '[::1]:80', '127.0.0.1', '']) {
        const client = await RawClient.open(server.port);
        client.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        const [response] = await client.responses(1);
        assert.equal(response?.status, 200, host);
        client.destroy();
      }
    });

    test('the authority of an absolute-form target wins over Host (RFC 9112 3.2.2)', async () => {
      const server = await startEngine(engine, environHost);
      const client = await RawClient.open(server.port);
      client.write('GET http://example.com:81/x HTTP/1.1\r\nHost: other.test\r\n\r\n');
      const [response] = await client.responses(1);
      assert.equal(response?.status, 200);
      assert.equal(response?.body.toString(), 'example.com:81|example.com|81|/x');
    });

    test('LF-only line endings are refused at once, not after header-timeout', async () => {
      const server = await startEngine(engine, echo().app, { headerTimeout: 10 });
      const client = await RawClient.open(server.port);
      const started = Date.now();
      client.write('GET / HTTP/1.1\nHost: x\n\n');
      const [response] = await client.responses(1, { ms: 3000 });
      assert.equal(response?.status, 400);
      assert.ok(Date.now() - started < 3000);
    });

    test('limit-post 0 means no limit', async () => {
      const { app, seen } = echo();
      const server = await startEngine(engine, app, { limitPost: 0 });
      const client = await RawClient.open(server.port);
      const body = 'x'.repeat(100_000);
      client.write(`POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
      const responses = await client.responses(2);
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200],
      );
      assert.equal(seen[0]?.body?.length, 100_000);
    });

    test('leading zeros in Content-Length and in a chunk size are valid', async () => {
      const { app, seen } = echo();
      const server = await startEngine(engine, app);
      const client = await RawClient.open(server.port);
      client.write('POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0005\r\n\r\nhello');
      client.write(
        'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0005\r\nworld\r\n00\r\n\r\n',
      );
      const responses = await client.responses(2);
      assert.deepEqual(
        responses.map((r) => r.body.toString()),
        ['hello', 'world'],
      );
      assert.equal(seen.length, 2);
    });

    test('a body of many 1-byte chunks, read whole, arrives intact', async () => {
      const { app, seen } = echo();
      const server = await startEngine(engine, app);
      const client = await RawClient.open(server.port);
      const count = 50_000;
      client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
      const piece = '1\r\nz\r\n'.repeat(1000);
      for (let i = 0; i < count / 1000; i++) client.write(piece);
      client.write('0\r\n\r\n');
      const [response] = await client.responses(1, { ms: 10_000 });
      assert.equal(response?.status, 200);
      assert.equal(seen[0]?.body?.length, count);
      assert.ok(seen[0]?.body?.every((byte) => byte === 0x7a));
    });

    test('bare CRLFs on a kept-alive connection do not keep it open', async () => {
      const server = await startEngine(engine, echo().app, { keepaliveTimeout: 1, headerTimeout: 1 });
      const client = await RawClient.open(server.port);
      client.write(get('/'));
      await client.responses(1);
      const started = Date.now();
      // One CRLF every 300 ms: they move no deadline (portico closes after keepalive-timeout;
      // node:http restarts its own timer on each byte, so Portico's sweep closes it after
      // keepalive-timeout + header-timeout).
      for (let i = 0; i < 15 && !client.closed; i++) {
        await sleep(300);
        client.write('\r\n');
      }
      assert.ok(client.closed, 'closed while the CRLFs kept coming');
      const limit = engine === 'portico' ? 2500 : 3500;
      assert.ok(client.closedAt - started < limit, `closed after ${client.closedAt - started} ms`);
    });

    test('an unread chunked body that never ends is cut after the response (bounded skip)', async () => {
      const discard: Application = (_environ, start) => {
        start('200 OK', [['Content-Type', 'text/plain']]);
        return ['ok'];
      };
      const server = await startEngine(engine, discard);
      const client = await RawClient.open(server.port);
      client.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
      const burst = '1\r\nx\r\n'.repeat(10_000);
      const started = Date.now();
      // At most 30 MB, 60 KB at a time, for at most 5 s.
      for (let i = 0; i < 500 && !client.closed && Date.now() - started < 5000; i++) {
        if (client.socket.writableLength < 1_000_000) client.write(burst);
        await sleep(5);
      }
      assert.ok(await client.closedWithin(2000), 'closed while the flood went on');
      assert.equal(client.parse()[0]?.status, 200);
    });

    test('CONNECT followed by a reset does not take the server down', async () => {
      const server = await startEngine(engine, echo().app);
      for (let i = 0; i < 10; i++) {
        const client = await RawClient.open(server.port);
        client.write(`CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n${'x'.repeat(100_000)}`);
        await new Promise((resolve) => setImmediate(resolve));
        client.socket.resetAndDestroy();
        await sleep(10);
      }
      await sleep(100);
      const client = await RawClient.open(server.port);
      client.write(get('/'));
      assert.equal((await client.responses(1))[0]?.status, 200);
    });

    test('max-connections: one connection past it is answered 503 and closed', async () => {
      const server = await startEngine(engine, echo().app, { maxConnections: 2 });
      const a = await RawClient.open(server.port);
      const b = await RawClient.open(server.port);
      await sleep(50);
      const c = await RawClient.open(server.port);
      const [refused] = await c.responses(1);
      assert.equal(refused?.status, 503);
      assert.ok(await c.closedWithin(2000));
      a.write(get('/'));
      assert.equal((await a.responses(1))[0]?.status, 200);
      b.destroy();
      await sleep(100);
      const d = await RawClient.open(server.port);
      d.write(get('/'));
      assert.equal((await d.responses(1))[0]?.status, 200);
      assert.match(server.errors.text(), /PORTICO_ERR_TOO_MANY_CONNECTIONS/);
    });
  });
}

for (const engine of ENGINES) {
  describe(`send-timeout: ${engine} engine`, () => {
    test('a client that never reads is reset after send-timeout, and the body is no longer pulled', async () => {
      const big = bigBody();
      const server = await startEngine(engine, big.app, { sendTimeout: 1 });
      const client = await neverReader(server.port, get('/big'));
      const started = Date.now();
      while (!big.state.closed && Date.now() - started < 6000) await sleep(20);
      const elapsed = Date.now() - started;
      assert.ok(big.state.closed, 'the body was closed');
      assert.ok(elapsed >= 900 && elapsed < 3000, `closed after ${elapsed} ms (send-timeout 1 s)`);
      // Backpressure: only what the socket buffers took was pulled, not the 32 MiB.
      assert.ok(big.state.pulled < big.chunks / 2, `${big.state.pulled} of ${big.chunks} chunks pulled`);
      const log = server.errors.text();
      assert.equal(log.match(/PORTICO_ERR_SEND_TIMEOUT/g)?.length, 1, log);
      assert.equal(log.split('\n').filter(Boolean).length, 1, log);
      // The client sees a reset as soon as it looks, not a FIN queued behind megabytes.
      assert.ok(await client.closedWithin(2000));
    });

    test('a response that ended while the client reads nothing is reset too; 0 turns it off', async () => {
      const payload = 'x'.repeat(16 * 1024 * 1024);
      const app: Application = (_environ, start) => {
        start('200 OK', [['Content-Type', 'text/plain']]);
        return [payload];
      };
      const server = await startEngine(engine, app, { sendTimeout: 1 });
      const client = await neverReader(server.port, get('/'));
      const started = Date.now();
      while (!/PORTICO_ERR_SEND_TIMEOUT/.test(server.errors.text()) && Date.now() - started < 6000) {
        await sleep(20);
      }
      assert.ok(Date.now() - started < 3000, `logged after ${Date.now() - started} ms`);
      assert.ok(await client.closedWithin(2000));

      const off = await startEngine(engine, app, { sendTimeout: 0 });
      const patient = await neverReader(off.port, get('/'));
      await sleep(1500);
      assert.doesNotMatch(off.errors.text(), /SEND_TIMEOUT/);
      assert.equal(await patient.closedWithin(50), false);
    });
  });
}

describe('hardening: the portico engine only', () => {
  test('a flood of chunk extensions is refused (bounded per body; node:http bounds them per chunk only)', async () => {
    const { app, seen } = echo();
    const server = await startEngine('portico', app);
    const client = await RawClient.open(server.port);
    const chunk = `1;e=${'x'.repeat(900)}\r\na\r\n`;
    client.write(
      `POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(40)}0\r\n\r\n`,
    );
    const responses = await client.responses(1);
    assert.equal(responses[0]?.status, 400);
    assert.ok(seen.every((s) => s.body === undefined));
  });

  test('an unread chunked body is skipped up to 4,096 chunks (as on the node engine), then the connection closes', async () => {
    const answer: Application = (_environ, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      return ['ok'];
    };
    const server = await startEngine('portico', answer);
    const head = 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n';
    // The rest of the body arrives after the response: it is skipped, within bounds.
    const few = await RawClient.open(server.port);
    few.write(`${head}1\r\nx\r\n`);
    await few.responses(1);
    few.write(`${'1\r\nx\r\n'.repeat(100)}0\r\n\r\n${get('/')}`);
    assert.deepEqual(
      (await few.responses(2)).map((r) => r.status),
      [200, 200],
    );
    const many = await RawClient.open(server.port);
    many.write(`${head}1\r\nx\r\n`);
    await many.responses(1);
    many.write(`${'1\r\nx\r\n'.repeat(5000)}0\r\n\r\n${get('/')}`);
    assert.ok(await many.closedWithin(3000));
    assert.deepEqual(
      many.parse().map((r) => r.status),
      [200],
    );
  });

  test('the first head of a connection must arrive within header-timeout of the accept, not of its first byte', async () => {
    const server = await startEngine('portico', echo().app, { headerTimeout: 2 });
    const client = await RawClient.open(server.port);
    const opened = Date.now();
    await sleep(1200);
    client.write('GET / HTTP/1.1\r\n');
    for (let i = 0; i < 6 && !client.closed; i++) {
      await sleep(400);
      client.write('X: y\r\n');
    }
    assert.ok(await client.closedWithin(3000));
    assert.ok(client.closedAt - opened < 3300, `closed ${client.closedAt - opened} ms after the accept`);
    assert.equal(client.parse()[0]?.status, 408);
  });

  test('more than a few empty lines before a request line is a 400', async () => {
    const server = await startEngine('portico', echo().app);
    const client = await RawClient.open(server.port);
    client.write('\r\n'.repeat(5));
    const [response] = await client.responses(1);
    assert.equal(response?.status, 400);
    const ok = await RawClient.open(server.port);
    ok.write(`${'\r\n'.repeat(4)}${get('/')}`);
    assert.equal((await ok.responses(1))[0]?.status, 200);
  });

  test('an empty chunk-extension name and raw bytes above 0x7F in the target are 400s', async () => {
    const { app, seen } = echo();
    const server = await startEngine('portico', app);
    const a = await RawClient.open(server.port);
    a.write('POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;\r\nab\r\n0\r\n\r\n');
    assert.equal((await a.responses(1))[0]?.status, 400);
    const b = await RawClient.open(server.port);
    b.write(Buffer.from('GET /caf\xe9 HTTP/1.1\r\nHost: t\r\n\r\n', 'latin1'));
    assert.equal((await b.responses(1))[0]?.status, 400);
    assert.ok(seen.every((s) => s.body === undefined));
  });

  test('a head trickled a byte at a time is parsed (the scan resumes, it does not restart)', async () => {
    const server = await startEngine('portico', echo().app);
    const client = await RawClient.open(server.port);
    const head = `GET / HTTP/1.1\r\nHost: t\r\nX-Long: ${'v'.repeat(4000)}\r\n\r\n`;
    const buffer = Buffer.from(head, 'latin1');
    // 64 bytes per write keeps the test short; the unit tests trickle a byte at a time.
    for (let i = 0; i < buffer.length; i += 64) client.write(buffer.subarray(i, i + 64));
    assert.equal((await client.responses(1))[0]?.status, 200);
  });

  test('a refused request line is logged escaped: a bare LF cannot forge a log line', async () => {
    const server = await startEngine('portico', echo().app);
    const client = await RawClient.open(server.port);
    client.write('GET /x HTTP/1.1\n2026-01-01T00:00:00.000Z portico error: forged\r\n\r\n');
    await client.responses(1);
    await sleep(20);
    const log = server.errors.text();
    assert.equal(log.split('\n').filter(Boolean).length, 1, log);
    assert.doesNotMatch(log, /\nforged|\n2026-01-01/);
  });
});

describe('hardening: log escaping', () => {
  test('escapeLogValue turns controls, quotes, backslashes and non-ASCII into \\xHH', () => {
    assert.equal(escapeLogValue('GET / HTTP/1.1'), 'GET / HTTP/1.1');
    assert.equal(escapeLogValue('a\nb\rc"d\\e\x7f\xe9'), 'a\\x0ab\\x0dc\\x22d\\x5ce\\x7f\\xe9');
  });

  test('access log: text and JSON lines stay one line with wire values that hold CR, LF and quotes', () => {
    const record: AccessRecord = {
      method: 'GET',
      uri: '/a\nb',
      proto: 'HTTP/1.1',
      status: 200,
      addr: '127.0.0.1',
      headers: { 'user-agent': 'x" 200 "evil\r\nforged', referer: 'r' },
      rsize: 10,
      hsize: 5,
      startMs: 0,
      micros: 1,
      pid: 1,
      wid: 1,
    };
    for (const format of ['combined', 'json', '%(var.HTTP_USER_AGENT) %(uri)']) {
      const line = compileAccessLog(format)(record);
      assert.equal(line.indexOf('\n'), line.length - 1, format);
      assert.ok(!line.includes('\r'), format);
      if (format === 'combined') assert.match(line, /"x\\x22 200 \\x22evil\\x0d\\x0aforged"$/m);
      if (format === 'json') assert.equal(JSON.parse(line).uagent, 'x" 200 "evil\r\nforged');
    }
  });
});
