import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../../../src/tsgi/errors.ts';
import {
  encodePacket,
  knownKeysAllSlotted,
  looksLikeHttp,
  type Packet,
  PacketReader,
  parseVars,
} from '../../../src/server/uwsgi/packet.ts';
import { WORKED_EXAMPLE, WORKED_VARS } from './client.ts';

function feed(bytes: Buffer, bufferSize = 4096, step = bytes.length): Packet | undefined {
  const reader = new PacketReader(bufferSize);
  let packet: Packet | undefined;
  for (let at = 0; at < bytes.length && packet === undefined; at += step) {
    packet = reader.push(bytes.subarray(at, at + step));
  }
  return packet;
}

function vars(block: number[]): ReturnType<typeof parseVars> {
  return parseVars(Uint8Array.from(block));
}

describe('the worked example', () => {
  test('header 00 99 00 00: a 153-byte vars block, parsed in order; the body follows', () => {
    assert.deepEqual([...WORKED_EXAMPLE.subarray(0, 4)], [0, 0x99, 0, 0]);
    for (const step of [WORKED_EXAMPLE.length, 1, 3, 7]) {
      const packet = feed(WORKED_EXAMPLE, 4096, step);
      assert.ok(packet, `step ${step}`);
      assert.deepEqual(packet.vars, WORKED_VARS);
      // Fed in pieces, the reader returns as soon as the vars are in: the rest may be partial.
      assert.ok('hello'.startsWith(packet.rest.toString()), `step ${step}`);
    }
  });

  test('encodePacket builds the same bytes', () => {
    assert.deepEqual(encodePacket(WORKED_VARS, 'hello'), WORKED_EXAMPLE);
  });
});

describe('vars parsing', () => {
  test('an empty value is valid, also last; keys may repeat; bytes are kept as latin-1', () => {
    assert.deepEqual(vars([1, 0, 65, 0, 0, 1, 0, 66, 1, 0, 0xe9]), [
      ['A', ''],
      ['B', 'é'],
    ]);
    const repeated = encodePacket([
      ['HTTP_X', '1'],
      ['HTTP_X', '2'],
    ]);
    assert.deepEqual(parseVars(repeated.subarray(4)), [
      ['HTTP_X', '1'],
      ['HTTP_X', '2'],
    ]);
  });

  test('usual keys come back as they were sent; near misses of them too', () => {
    // Each known key has a slot of its own (else it would only be slower: sliced, not its constant).
    assert.equal(knownKeysAllSlotted(), true);
    const sent: [string, string][] = [
      ['REQUEST_METHOD', 'GET'],
      // One byte off where the key's slot does not look (its first, middle and last bytes).
      ['REQUEST_MXTHOD', 'a'],
      ['RAQUEST_METHOD', 'b'],
      ['HTTP_HOST', 'h'],
      ['HTTP_HOsT', 'c'],
      ['HTTP_USER_AGENT', 'u'],
      ['HTTP_USER_AGENT_', 'd'],
      ['HTTPS', 'on'],
      ['HxTPS', 'e'],
      ['DOCUMENT_ROOT', '\xe9'],
    ];
    assert.deepEqual(parseVars(encodePacket(sent).subarray(4)), sent);
  });

  for (const [name, block] of [
    ['a zero-length key', [0, 0, 1, 0, 65]],
    ['a key length cut short', [5]],
    ['a key running past the block', [5, 0, 65, 66]],
    ['a value length missing', [1, 0, 65]],
    ['a value running past the block', [1, 0, 65, 9, 0, 66]],
  ] as const) {
    test(`${name} is a protocol error`, () => {
      assert.throws(
        () => vars([...block]),
        (error) => hasCode(error, 'PORTICO_ERR_UWSGI_PROTOCOL'),
      );
    });
  }
});

describe('packet header', () => {
  test('nothing is returned before the header and vars are complete', () => {
    const reader = new PacketReader(4096);
    assert.equal(reader.push(WORKED_EXAMPLE.subarray(0, 3)), undefined);
    assert.equal(reader.push(WORKED_EXAMPLE.subarray(3, 100)), undefined);
    assert.ok(reader.push(WORKED_EXAMPLE.subarray(100)));
  });

  const cases: [string, Buffer, number, string][] = [
    ['empty vars block', Buffer.from([0, 0, 0, 0]), 4096, 'PORTICO_ERR_UWSGI_PROTOCOL'],
    ['modifier1 10 (management)', Buffer.from([10, 1, 0, 0]), 4096, 'PORTICO_ERR_UWSGI_PROTOCOL'],
    ['modifier1 22 (code evaluation)', Buffer.from([22, 1, 0, 0]), 4096, 'PORTICO_ERR_UWSGI_PROTOCOL'],
    ['modifier2 not 0', Buffer.from([0, 1, 0, 1]), 4096, 'PORTICO_ERR_UWSGI_PROTOCOL'],
    ['vars block over buffer-size', WORKED_EXAMPLE, 100, 'PORTICO_ERR_HEADERS_TOO_LARGE'],
    ['GET request line', Buffer.from('GET / HTTP/1.1\r\n'), 65535, 'PORTICO_ERR_UWSGI_HTTP_REQUEST'],
    ['POST request line', Buffer.from('POST /x HTTP/1.1\r\n'), 65535, 'PORTICO_ERR_UWSGI_HTTP_REQUEST'],
  ];
  for (const [name, bytes, bufferSize, code] of cases) {
    test(`${name}: ${code}`, () => {
      assert.throws(
        () => feed(bytes, bufferSize),
        (error) => hasCode(error, code as 'PORTICO_ERR_UWSGI_PROTOCOL'),
      );
    });
  }

  test('the HTTP check knows the tell-tale headers (GET = 71/21573/32) and nothing else', () => {
    for (const method of ['GET ', 'POST', 'HEAD', 'PUT ', 'DELETE', 'OPTIONS', 'PATCH', 'PRI ']) {
      assert.ok(looksLikeHttp(Buffer.from(method)), method);
    }
    assert.deepEqual([...Buffer.from('GET ')], [71, 0x45, 0x54, 32]);
    assert.equal(Buffer.from('GET ').readUInt16LE(1), 21573);
    assert.equal(looksLikeHttp(WORKED_EXAMPLE), false);
    assert.equal(looksLikeHttp(Buffer.from('get /')), false);
  });
});
