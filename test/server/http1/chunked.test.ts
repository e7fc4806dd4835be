/**
 * Unit tests of the incremental chunked decoder: the same result however the bytes are
 * split, the offset where the body ends, and exact refusals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChunkedDecoder } from '../../../src/server/http1/chunked.ts';
import { HeadError } from '../../../src/server/http1/head.ts';

const LIMIT = 1024;

interface Decoded {
  /** The body bytes, as latin-1. */
  readonly body: string;
  readonly trailers: string[];
  /** Offset in the concatenated input just past the body, or undefined when more is needed. */
  readonly end: number | undefined;
}

/**
 * Feeds `pieces` in order (the decoder returning each piece's length while it needs more)
 * and stops at the end of the body or at a refusal.
 */
function feed(pieces: Buffer[], limit = LIMIT): Decoded | HeadError {
  const decoder = new ChunkedDecoder(limit);
  const body: Buffer[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const result = decoder.push(piece, 0, (data, from, to) => body.push(data.subarray(from, to)));
    if (result instanceof HeadError) return result;
    if (decoder.done) {
      return {
        body: Buffer.concat(body).toString('latin1'),
        trailers: decoder.trailers,
        end: offset + result,
      };
    }
    assert.equal(result, piece.length, 'a decoder that needs more consumes the whole piece');
    offset += piece.length;
  }
  assert.deepEqual(decoder.trailers, [], 'no trailers before the end');
  return { body: Buffer.concat(body).toString('latin1'), trailers: decoder.trailers, end: undefined };
}

function whole(text: string, limit = LIMIT): Decoded | HeadError {
  return feed([Buffer.from(text, 'latin1')], limit);
}

function byteByByte(text: string, limit = LIMIT): Decoded | HeadError {
  const bytes = Buffer.from(text, 'latin1');
  return feed(
    Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)),
    limit,
  );
}

function splitAt(text: string, at: number, limit = LIMIT): Decoded | HeadError {
  const bytes = Buffer.from(text, 'latin1');
  return feed([bytes.subarray(0, at), bytes.subarray(at)], limit);
}

function assertRefused(result: Decoded | HeadError, status: number, message: string): void {
  assert.ok(result instanceof HeadError, `accepted: ${JSON.stringify(result)}`);
  assert.deepEqual({ status: result.status, message: result.message }, { status, message });
}

/** Refused the same way whole, byte by byte and split anywhere. */
function assertRefusedAnyhow(text: string, status: number, message: string, limit = LIMIT): void {
  assertRefused(whole(text, limit), status, message);
  assertRefused(byteByByte(text, limit), status, message);
  for (let at = 0; at <= text.length; at++) assertRefused(splitAt(text, at, limit), status, message);
}

// Extensions (one with a quoted string holding `;`, `=` and an escaped quote), leading
// zeros, both cases of hex, a chunk holding CRLFs, and two trailers with OWS.
const CHUNKED =
  '4;name="va;l=\\"ue\\""\r\nWiki\r\n' +
  '05;a;b=c\r\npedia\r\n' +
  'E\r\n in\r\n\r\nchunks.\r\n' +
  '00a\r\n0123456789\r\n' +
  '0;last=1\r\n' +
  'Expires: Wed, 21 Oct 2015\r\n' +
  'X-Trail: \t v \r\n' +
  '\r\n';
const BODY = 'Wikipedia in\r\n\r\nchunks.0123456789';
const TRAILERS = ['Expires', 'Wed, 21 Oct 2015', 'X-Trail', 'v'];
const NEXT = 'GET /next HTTP/1.1\r\nHost: t\r\n\r\n';

describe('ChunkedDecoder: decoding', () => {
  test('a body in one push: the bytes, the trailers, the end', () => {
    assert.deepEqual(whole(CHUNKED), { body: BODY, trailers: TRAILERS, end: CHUNKED.length });
  });

  test('byte by byte gives the same bytes, trailers and end', () => {
    assert.deepEqual(byteByByte(CHUNKED), { body: BODY, trailers: TRAILERS, end: CHUNKED.length });
    assert.deepEqual(byteByByte(CHUNKED + NEXT), { body: BODY, trailers: TRAILERS, end: CHUNKED.length });
  });

  test('every split point gives the same bytes, trailers and end', () => {
    const text = CHUNKED + NEXT;
    for (let at = 0; at <= text.length; at++) {
      assert.deepEqual(
        splitAt(text, at),
        { body: BODY, trailers: TRAILERS, end: CHUNKED.length },
        `split at ${at}`,
      );
    }
  });

  test('without trailers, split anywhere, the body ends after the final CRLF', () => {
    const text = `5\r\nhello\r\n0\r\n\r\n${NEXT}`;
    const expected = { body: 'hello', trailers: [], end: 15 };
    assert.deepEqual(whole(text), expected);
    assert.deepEqual(byteByByte(text), expected);
    for (let at = 0; at <= text.length; at++) assert.deepEqual(splitAt(text, at), expected, `split at ${at}`);
  });

  test('the return value is the offset just past the final CRLF when a pipelined request follows', () => {
    const decoder = new ChunkedDecoder(LIMIT);
    const input = Buffer.from(`3\r\nabc\r\n0\r\nX: y\r\n\r\n${NEXT}`, 'latin1');
    assert.equal(decoder.done, false);
    const end = decoder.push(input, 0, () => {});
    assert.equal(end, input.length - NEXT.length);
    assert.equal(decoder.done, true);
    assert.equal(input.toString('latin1', end as number), NEXT);
  });

  test('decoding starts at `start`, and offsets count from the start of the input', () => {
    const prefix = 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n';
    const input = Buffer.from(prefix + CHUNKED + NEXT, 'latin1');
    const decoder = new ChunkedDecoder(LIMIT);
    const body: Buffer[] = [];
    const end = decoder.push(input, prefix.length, (data, from, to) => body.push(data.subarray(from, to)));
    assert.equal(end, prefix.length + CHUNKED.length);
    assert.equal(Buffer.concat(body).toString('latin1'), BODY);
    assert.deepEqual(decoder.trailers, TRAILERS);
  });

  test('a push that ends mid-body returns the input length', () => {
    const decoder = new ChunkedDecoder(LIMIT);
    const input = Buffer.from('5\r\nhel', 'latin1');
    assert.equal(
      decoder.push(input, 0, () => {}),
      input.length,
    );
    assert.equal(
      decoder.push(input, input.length, () => {}),
      input.length,
    );
    assert.equal(decoder.done, false);
  });

  test('body bytes are views of the input, not copies', () => {
    const input = Buffer.from('5\r\nhello\r\n0\r\n\r\n', 'latin1');
    const seen: Buffer[] = [];
    new ChunkedDecoder(LIMIT).push(input, 0, (data, from, to) => seen.push(data.subarray(from, to)));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.buffer, input.buffer);
    assert.equal(seen[0]?.byteOffset, input.byteOffset + 3);
    assert.equal(seen[0]?.toString(), 'hello');
  });

  test('stopAt: decoding stops at the size line after that many chunks, and resumes there', () => {
    const text = CHUNKED + NEXT;
    const input = Buffer.from(text, 'latin1');
    // Where the size lines of the 2nd, 3rd and 4th chunks and of the last one start.
    const lines = ['05;a', 'E\r\n', '00a\r\n', '0;last'].map((line) => text.indexOf(line));
    for (const [budget, expectedStops] of [
      [1, lines],
      [2, [lines[1], lines[3]]],
    ] as const) {
      const decoder = new ChunkedDecoder(LIMIT);
      const body: Buffer[] = [];
      const stops: number[] = [];
      let offset = 0;
      while (!decoder.done && stops.length < 10) {
        const before = decoder.chunks;
        const end = decoder.push(
          input,
          offset,
          (data, from, to) => body.push(data.subarray(from, to)),
          before + budget,
        );
        assert.ok(!(end instanceof HeadError));
        assert.ok(decoder.chunks - before <= budget, 'no more chunks begun than the budget');
        offset = end;
        if (!decoder.done) stops.push(offset);
      }
      assert.deepEqual(stops, expectedStops, `budget ${budget}`);
      assert.equal(offset, CHUNKED.length);
      assert.equal(Buffer.concat(body).toString('latin1'), BODY);
      assert.deepEqual(decoder.trailers, TRAILERS);
    }
    // A budget of none consumes nothing before a size line.
    const decoder = new ChunkedDecoder(LIMIT);
    assert.equal(
      decoder.push(input, 0, () => assert.fail('no data'), 0),
      0,
    );
    assert.equal(decoder.done, false);
  });

  test('stopAt mid-chunk: the data in hand is still delivered, the stop comes at the next size line', () => {
    const decoder = new ChunkedDecoder(LIMIT);
    const body: string[] = [];
    const onData = (data: Buffer, from: number, to: number) => body.push(data.toString('latin1', from, to));
    assert.equal(decoder.push(Buffer.from('a\r\n01234'), 0, onData), 8);
    const rest = Buffer.from('56789\r\n1\r\nx\r\n0\r\n\r\n');
    // The chunk begun in an earlier push finishes; no new one begins.
    assert.equal(decoder.push(rest, 0, onData, decoder.chunks), 7);
    assert.equal(decoder.chunks, 1);
    assert.equal(decoder.push(rest, 7, onData), rest.length);
    assert.equal(decoder.done, true);
    assert.equal(body.join(''), '0123456789x');
  });

  test('after the end, a push consumes nothing', () => {
    const decoder = new ChunkedDecoder(LIMIT);
    decoder.push(Buffer.from('0\r\n\r\n'), 0, () => {});
    assert.equal(decoder.done, true);
    let called = false;
    assert.equal(
      decoder.push(Buffer.from(`1\r\nx\r\n${NEXT}`), 0, () => (called = true)),
      0,
    );
    assert.equal(called, false);
  });

  test('leading zeros and upper- or lower-case hex sizes', () => {
    const text = `0000A\r\n${'a'.repeat(10)}\r\n1f\r\n${'b'.repeat(31)}\r\nFf\r\n${'c'.repeat(255)}\r\n000\r\n\r\n`;
    const result = whole(text);
    assert.ok(!(result instanceof HeadError));
    assert.equal(result.body, 'a'.repeat(10) + 'b'.repeat(31) + 'c'.repeat(255));
    assert.equal(result.end, text.length);
  });

  test('leading zeros are valid (RFC 9112 7.1: 1*HEXDIG), up to 64 digits', () => {
    for (const zeros of [1, 14, 15, 63]) {
      const text = `${'0'.repeat(zeros)}5\r\nhello\r\n0\r\n\r\n`;
      assert.deepEqual(whole(text), { body: 'hello', trailers: [], end: text.length });
    }
  });

  test('chunk extensions with quoted values and whitespace around `;` and `=`', () => {
    const text = '5 ;a=b ; c = "d\\"e" ;f\r\nhello\r\n0\r\n\r\n'.replace('5 ;', '5;');
    assert.deepEqual(whole(text), { body: 'hello', trailers: [], end: text.length });
  });

  test('extensions of exactly the limit are accepted, each line on its own, whole or byte by byte', () => {
    const line = `1;${'e'.repeat(16)}\r\nx\r\n`;
    const text = `${line}${line}${line}0;${'e'.repeat(16)}\r\n\r\n`;
    const expected = { body: 'xxx', trailers: [], end: text.length };
    assert.deepEqual(whole(text, 16), expected);
    assert.deepEqual(byteByByte(text, 16), expected);
  });

  test('a trailer section under the limit is accepted, whole or byte by byte', () => {
    const text = `0\r\n${'X: abc'}\r\n\r\n`;
    const expected = { body: '', trailers: ['X', 'abc'], end: text.length };
    assert.deepEqual(whole(text, 16), expected);
    assert.deepEqual(byteByByte(text, 16), expected);
  });

  test('a trailer section of exactly the limit is accepted however it is split', () => {
    const limit = 16;
    const trailer = `X: ${'a'.repeat(limit - 3)}`; // `limit` characters before the final CRLF CRLF
    const text = `0\r\n${trailer}\r\n\r\n`;
    const expected = { body: '', trailers: ['X', 'a'.repeat(limit - 3)], end: text.length };
    assert.deepEqual(whole(text, limit), expected);
    for (let at = 0; at <= text.length; at++) {
      assert.deepEqual(splitAt(text, at, limit), expected, `split at ${at}`);
    }
    assert.deepEqual(byteByByte(text, limit), expected);
  });
});

describe('ChunkedDecoder: refusals', () => {
  test('a size that is not hex', () => {
    assertRefusedAnyhow('g\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('5g\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('0x5\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
  });

  test('an empty size, also before an extension', () => {
    assertRefusedAnyhow('\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow(';ext\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('5\r\nhello\r\n\r\n\r\n', 400, 'an invalid chunk size');
  });

  test('a sign', () => {
    assertRefusedAnyhow('+5\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('-5\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
  });

  test('a space (or tab) around the size', () => {
    assertRefusedAnyhow('5 \r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('5 ;a=b\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow(' 5\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('5\t\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
  });

  test('16 significant hex digits, or more than 64 digits with leading zeros', () => {
    assertRefusedAnyhow(`${'f'.repeat(16)}\r\n`, 400, 'a chunk size too large');
    assertRefusedAnyhow(`${'0'.repeat(64)}5\r\nhello\r\n0\r\n\r\n`, 400, 'a chunk size too large');
  });

  test('an empty chunk-extension name', () => {
    assertRefusedAnyhow('2;\r\nab\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
    assertRefusedAnyhow('2;=x\r\nab\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
    assertRefusedAnyhow('2;a;\r\nab\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
    assertRefusedAnyhow('2;a=\r\nab\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
  });

  test('extensions past their bound per body, each line within its own', () => {
    const line = `1;${'e'.repeat(1000)}\r\nx\r\n`;
    assertRefusedAnyhow(`${line.repeat(17)}0\r\n\r\n`, 400, 'chunk extensions too long', 65536);
  });

  test('a size past Number.MAX_SAFE_INTEGER, which a double cannot count down exactly', () => {
    const result = whole('20000000000001\r\n');
    assert.ok(result instanceof HeadError, 'a size the decoder cannot represent is accepted');
    assert.equal(result.status, 400);
  });

  test('chunk data not followed by CRLF', () => {
    assertRefusedAnyhow('5\r\nhelloX\r\n0\r\n\r\n', 400, 'chunk data not followed by CRLF');
    assertRefusedAnyhow('5\r\nhello\rX0\r\n\r\n', 400, 'chunk data not followed by CRLF');
    assertRefusedAnyhow('5\r\nhello\n0\r\n\r\n', 400, 'chunk data not followed by CRLF');
    assertRefusedAnyhow('5\r\nhello0\r\n\r\n', 400, 'chunk data not followed by CRLF');
  });

  test('a bare LF or a bare CR in a size line', () => {
    assertRefusedAnyhow('5\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('5\r\nhello\r\n0\n\r\n', 400, 'an invalid chunk size');
    assertRefusedAnyhow('5\rhello\r\n0\r\n\r\n', 400, 'a chunk-size line not ended by CRLF');
    assertRefusedAnyhow('5;a=b\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
    assertRefusedAnyhow('5;a=b\rhello\r\n0\r\n\r\n', 400, 'a chunk-size line not ended by CRLF');
  });

  test('a control character in an extension', () => {
    assertRefusedAnyhow('5;a=\x01\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
    assertRefusedAnyhow('5;a=\x00\r\nhello\r\n0\r\n\r\n', 400, 'an invalid chunk extension');
  });

  test('an extension longer than the limit', () => {
    assertRefusedAnyhow(`1;${'e'.repeat(17)}\r\nx\r\n0\r\n\r\n`, 400, 'chunk extensions too long', 16);
    // Never ended: refused without waiting for the CR.
    assertRefused(byteByByte(`1;${'e'.repeat(17)}`, 16), 400, 'chunk extensions too long');
  });

  test('a bare LF or a bare CR in the trailer section', () => {
    // Not yet complete: refused as soon as the bare LF or CR is seen.
    assertRefusedAnyhow('0\r\nX: a\nY: b', 400, 'a trailer line not ended by CRLF');
    assertRefusedAnyhow('0\r\nX: a\r\n\nGET / HTTP/1.1', 400, 'a trailer line not ended by CRLF');
    assertRefusedAnyhow('0\r\nX: a\rY: b', 400, 'a trailer line not ended by CRLF');
    assertRefusedAnyhow('0\r\n\n', 400, 'a trailer line not ended by CRLF');
    // Complete: refused all the same, at the bare LF.
    assertRefused(whole('0\r\nX: a\nY: b\r\n\r\n'), 400, 'a trailer line not ended by CRLF');
    assertRefused(whole('0\r\nX: a\r\n\nY: b\r\n\r\n'), 400, 'a trailer line not ended by CRLF');
  });

  test('trailer lines are held to the header rules', () => {
    assertRefused(whole('0\r\nX: a\r\n folded\r\n\r\n'), 400, 'obsolete line folding is not accepted');
    assertRefused(whole('0\r\nX : a\r\n\r\n'), 400, 'an invalid header name');
    assertRefused(whole('0\r\nNoColon\r\n\r\n'), 400, 'a header line without a colon');
    assertRefused(whole('0\r\nX: a\x7f\r\n\r\n'), 400, 'an invalid character in the X header');
  });

  test('a trailer section over the limit is refused with 431', () => {
    const long = `0\r\nX: ${'a'.repeat(40)}\r\n\r\n`;
    assertRefusedAnyhow(long, 431, 'trailer section too large', 16);
    // Never ended, arriving a byte at a time: refused once past the limit.
    assertRefused(byteByByte(`0\r\nX: ${'a'.repeat(40)}`, 16), 431, 'trailer section too large');
    // Many short lines add up.
    assertRefusedAnyhow(`0\r\n${'A: b\r\n'.repeat(5)}\r\n`, 431, 'trailer section too large', 16);
  });

  test('a refusal after good chunks still delivered their bytes first', () => {
    const decoder = new ChunkedDecoder(LIMIT);
    const body: Buffer[] = [];
    const result = decoder.push(Buffer.from('5\r\nhello\r\nz\r\n'), 0, (data, from, to) =>
      body.push(data.subarray(from, to)),
    );
    assert.deepEqual(result, new HeadError(400, 'an invalid chunk size'));
    assert.equal(Buffer.concat(body).toString(), 'hello');
    assert.equal(decoder.done, false);
  });
});
