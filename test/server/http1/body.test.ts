/**
 * Unit tests of the request body the connection feeds: ordering, the end, failure,
 * abandonment and backpressure, with a recording {@link BodySource} instead of a socket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BodySource, emptyBody, RequestBody } from '../../../src/server/http1/body.ts';

const KIB = 1024;

/** A source recording each setReading call. */
function source(): BodySource & { calls: boolean[] } {
  const calls: boolean[] = [];
  return { calls, setReading: (reading) => calls.push(reading) };
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Whether `promise` has settled once pending callbacks ran, and how. */
async function state<T>(
  promise: Promise<T>,
): Promise<['pending'] | ['fulfilled', T] | ['rejected', unknown]> {
  const pending = Symbol('pending');
  const settled = await Promise.race([
    promise.then(
      (value) => ['fulfilled', value] as ['fulfilled', T],
      (error: unknown) => ['rejected', error] as ['rejected', unknown],
    ),
    new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending))),
  ]);
  return settled === pending ? ['pending'] : settled;
}

/** `promise`, or a failure after `ms`: a regression fails the test instead of hanging the file. */
function within<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next step of `body`, bounded. */
function next(body: RequestBody): Promise<IteratorResult<Uint8Array>> {
  return within(body.next());
}

const DONE = { done: true, value: undefined };

describe('RequestBody: ordering and the end', () => {
  test('values pushed before next() are queued and come out in order, as pushed', async () => {
    const body = new RequestBody(source());
    const a = Buffer.alloc(4 * KIB, 'a');
    const b = Buffer.alloc(5 * KIB, 'b');
    const c = Buffer.alloc(6 * KIB, 'c');
    body.push(a);
    body.push(b);
    body.push(c);
    const first = await next(body);
    assert.equal(first.value, a, 'the same Buffer, not a copy');
    assert.deepEqual(await next(body), { done: false, value: b });
    assert.deepEqual(await next(body), { done: false, value: c });
    assert.deepEqual(await state(body.next()), ['pending']);
  });

  test('small, large, small: the large run is never overwritten by the gathered small ones', async () => {
    const body = new RequestBody(source());
    const large = Buffer.alloc(5 * KIB, 'L');
    body.push(bytes('ab'));
    body.push(large);
    body.push(bytes('cd'));
    body.pushRange(bytes('xefx'), 1, 3);
    body.end();
    let all = '';
    for (let step = await next(body); !step.done; step = await next(body)) {
      all += Buffer.from(step.value).toString('latin1');
    }
    assert.equal(all, `ab${'L'.repeat(5 * KIB)}cdef`);
  });

  test('small runs queued one after another come out gathered, in order', async () => {
    const body = new RequestBody(source());
    for (const text of ['a', 'bb', 'ccc']) body.push(bytes(text));
    assert.equal((await next(body)).value?.toString(), 'abbccc');
    body.push(bytes('d'));
    body.push(bytes('e'));
    assert.equal((await next(body)).value?.toString(), 'de');
  });

  test('a reader taking small runs as they come gets them from one gathering buffer, intact', async () => {
    const body = new RequestBody(source());
    const read = Buffer.from('abcdefghij', 'latin1');
    const values: Uint8Array[] = [];
    for (let i = 0; i < read.length; i += 2) {
      // Alternately: queued then taken, and handed to a next() already waiting.
      if (i % 4 === 0) {
        body.pushRange(read, i, i + 1);
        body.pushRange(read, i + 1, i + 2);
        values.push((await next(body)).value as Uint8Array);
      } else {
        const waiting = body.next();
        body.pushRange(read, i, i + 1);
        body.pushRange(read, i + 1, i + 2);
        values.push((await within(waiting)).value as Uint8Array);
        values.push((await next(body)).value as Uint8Array);
      }
    }
    assert.deepEqual(
      values.map((value) => Buffer.from(value).toString('latin1')),
      ['ab', 'c', 'd', 'ef', 'g', 'h', 'ij'],
    );
    // One 16 KiB buffer for them all, not one per run handed out.
    assert.equal(new Set(values.map((value) => value.buffer)).size, 1);
    assert.ok((values[0] as Uint8Array).buffer.byteLength <= 16 * KIB);
  });

  test('a small view of a large read is copied out, so it does not keep the read alive', async () => {
    const body = new RequestBody(source());
    const read = Buffer.alloc(64 * KIB, 'x');
    const waiting = body.next();
    body.push(read.subarray(10, 11));
    const value = (await within(waiting)).value as Uint8Array;
    assert.equal(value.length, 1);
    assert.ok(value.buffer.byteLength < 64 * KIB);
    body.push(read.subarray(20, 21));
    body.push(read.subarray(30, 30 + 5 * KIB));
    for (const chunk of [(await next(body)).value, (await next(body)).value]) {
      assert.ok((chunk as Uint8Array).buffer.byteLength < 64 * KIB);
    }
  });

  test('a next() waiting gets the next push', async () => {
    const body = new RequestBody(source());
    const waiting = body.next();
    assert.deepEqual(await state(waiting), ['pending']);
    const a = bytes('hello');
    body.push(a);
    body.push(bytes('later'));
    assert.deepEqual(await within(waiting), { done: false, value: a });
    assert.equal((await next(body)).value?.toString(), 'later');
  });

  test('an empty push is ignored: it neither wakes a waiting next() nor queues', async () => {
    const body = new RequestBody(source());
    const waiting = body.next();
    body.push(Buffer.alloc(0));
    assert.deepEqual(await state(waiting), ['pending']);
    body.push(bytes('x'));
    assert.equal((await within(waiting)).value?.toString(), 'x');
    body.push(Buffer.alloc(0));
    body.end();
    assert.deepEqual(await next(body), DONE);
  });

  test('end() reports done after the queue drains, and on every later next()', async () => {
    const body = new RequestBody(source());
    body.push(bytes('a'));
    body.push(bytes('b'));
    body.end();
    assert.equal((await next(body)).value?.toString(), 'ab');
    assert.deepEqual(await next(body), DONE);
    assert.deepEqual(await next(body), DONE);
  });

  test('end() resolves a waiting next() as done', async () => {
    const body = new RequestBody(source());
    const waiting = body.next();
    body.end();
    assert.deepEqual(await within(waiting), DONE);
  });

  test('pushes after end() are ignored', async () => {
    const body = new RequestBody(source());
    body.push(bytes('a'));
    body.end();
    body.push(bytes('late'));
    assert.equal((await next(body)).value?.toString(), 'a');
    assert.deepEqual(await next(body), DONE);
  });

  test('for await reads it all; it is its own iterator', async () => {
    const body = new RequestBody(source());
    assert.equal(body[Symbol.asyncIterator](), body);
    body.push(bytes('one '));
    setImmediate(() => {
      body.push(bytes('two '));
      body.push(bytes('three'));
      body.end();
    });
    const chunks: string[] = [];
    await within(
      (async () => {
        for await (const chunk of body) chunks.push(Buffer.from(chunk).toString());
      })(),
    );
    assert.deepEqual(chunks, ['one ', 'two ', 'three']);
  });
});

describe('RequestBody: failure', () => {
  test('fail() rejects a waiting next() and every later one with the same error', async () => {
    const body = new RequestBody(source());
    const waiting = body.next();
    const error = new Error('cut short');
    body.fail(error);
    assert.deepEqual(await state(waiting), ['rejected', error]);
    await assert.rejects(next(body), (thrown) => thrown === error);
    await assert.rejects(next(body), (thrown) => thrown === error);
  });

  test('bytes queued before the failure are still read, then the error', async () => {
    const body = new RequestBody(source());
    body.push(bytes('partial'));
    const error = new Error('malformed');
    body.fail(error);
    assert.equal((await next(body)).value?.toString(), 'partial');
    await assert.rejects(next(body), (thrown) => thrown === error);
  });

  test('the first failure is kept; a failure after end() is ignored', async () => {
    const failed = new RequestBody(source());
    const first = new Error('first');
    failed.fail(first);
    failed.fail(new Error('second'));
    await assert.rejects(next(failed), (thrown) => thrown === first);

    const ended = new RequestBody(source());
    ended.end();
    ended.fail(new Error('too late'));
    assert.deepEqual(await next(ended), DONE);
  });

  test('for await throws the failure', async () => {
    const body = new RequestBody(source());
    body.push(bytes('a'));
    const error = new Error('stalled');
    setImmediate(() => body.fail(error));
    const chunks: string[] = [];
    await assert.rejects(
      within(
        (async () => {
          for await (const chunk of body) chunks.push(Buffer.from(chunk).toString());
        })(),
      ),
      (thrown) => thrown === error,
    );
    assert.deepEqual(chunks, ['a']);
  });
});

describe('RequestBody: abandonment', () => {
  test('abandon() drops queued bytes and reports done', async () => {
    const body = new RequestBody(source());
    body.push(bytes('a'));
    body.push(bytes('b'));
    body.abandon();
    assert.deepEqual(await next(body), DONE);
    assert.deepEqual(await next(body), DONE);
  });

  test('return() drops queued bytes and reports done, now and on later next()', async () => {
    const body = new RequestBody(source());
    body.push(bytes('a'));
    assert.deepEqual(await within(body.return()), DONE);
    assert.deepEqual(await next(body), DONE);
  });

  test('pushes after abandon() are ignored', async () => {
    const body = new RequestBody(source());
    body.abandon();
    body.push(bytes('late'));
    body.push(bytes('later'));
    assert.deepEqual(await next(body), DONE);
  });

  test('breaking out of for await abandons the rest', async () => {
    const body = new RequestBody(source());
    body.push(Buffer.alloc(4 * KIB, 'f'));
    body.push(Buffer.alloc(4 * KIB, 's'));
    for await (const chunk of body) {
      assert.equal(Buffer.from(chunk).toString(), 'f'.repeat(4 * KIB));
      break;
    }
    body.push(bytes('third'));
    assert.deepEqual(await next(body), DONE);
  });

  test('abandon() or return() settles a next() already waiting, as done', async () => {
    const abandoned = new RequestBody(source());
    const waiting = abandoned.next();
    abandoned.abandon();
    assert.deepEqual(await state(waiting), ['fulfilled', DONE]);

    const returned = new RequestBody(source());
    const pending = returned.next();
    await within(returned.return());
    assert.deepEqual(await state(pending), ['fulfilled', DONE]);
  });
});

describe('RequestBody: backpressure', () => {
  test('more than 64 KiB queued stops reading, once; reading below 16 KiB restarts it', async () => {
    const src = source();
    const body = new RequestBody(src);
    // 4 KiB pushes: queued one entry each (smaller runs are gathered).
    const push = () => body.push(Buffer.alloc(4 * KIB));
    for (let i = 0; i < 16; i++) push();
    assert.deepEqual(src.calls, [], 'exactly 64 KiB queued is not too much');
    push();
    assert.deepEqual(src.calls, [false]);
    for (let i = 0; i < 3; i++) push();
    assert.deepEqual(src.calls, [false], 'paused once');
    // 80 KiB queued: 16 reads leave exactly 16 KiB, not below the low mark yet.
    for (let i = 0; i < 16; i++) await next(body);
    assert.deepEqual(src.calls, [false]);
    await next(body);
    assert.deepEqual(src.calls, [false, true]);
    for (let i = 0; i < 3; i++) await next(body);
    assert.deepEqual(await state(body.next()), ['pending']);
    assert.deepEqual(src.calls, [false, true], 'resumed once');
    // Paused again by a new excess (the first push goes to the next() left waiting).
    for (let i = 0; i < 18; i++) push();
    assert.deepEqual(src.calls, [false, true, false]);
  });

  test('bytes handed to a waiting next() are not queued and never pause', async () => {
    const src = source();
    const body = new RequestBody(src);
    for (let i = 0; i < 3; i++) {
      const waiting = body.next();
      body.push(Buffer.alloc(64 * KIB));
      assert.equal((await within(waiting)).value?.length, 64 * KIB);
    }
    body.push(Buffer.alloc(64 * KIB));
    assert.deepEqual(src.calls, [], '64 KiB queued is at the mark, not over it');
  });

  test('one push over the mark pauses; reading it resumes', async () => {
    const src = source();
    const body = new RequestBody(src);
    body.push(Buffer.alloc(64 * KIB + 1));
    assert.deepEqual(src.calls, [false]);
    await next(body);
    assert.deepEqual(src.calls, [false, true]);
  });

  test('abandon() while paused restarts reading (the rest is skipped by the connection)', () => {
    const src = source();
    const body = new RequestBody(src);
    body.push(Buffer.alloc(65 * KIB));
    body.abandon();
    assert.deepEqual(src.calls, [false, true]);
    body.push(Buffer.alloc(65 * KIB));
    assert.deepEqual(src.calls, [false, true], 'ignored pushes do not pause');
  });

  test('abandon() when not paused does not touch reading', () => {
    const src = source();
    const body = new RequestBody(src);
    body.push(Buffer.alloc(KIB));
    body.abandon();
    assert.deepEqual(src.calls, []);
  });
});

describe('RequestBody: takeNow, what has arrived without a promise', () => {
  test('queued bytes come out in order, as next() would give them; then null until more arrive', async () => {
    const body = new RequestBody(source());
    const large = Buffer.alloc(5 * KIB, 'L');
    body.push(bytes('ab'));
    body.push(large);
    assert.equal(body.takeNow()?.toString(), 'ab');
    assert.equal(body.takeNow(), large);
    assert.equal(body.takeNow(), null);
    body.push(bytes('c'));
    assert.equal((await next(body)).value?.toString(), 'c', 'next() carries on from takeNow');
    body.end();
    assert.equal(body.takeNow(), undefined, 'undefined at the end');
  });

  test('after a failure: null, and next() rejects with it once the queued bytes are taken', async () => {
    const body = new RequestBody(source());
    body.push(bytes('ok'));
    body.fail(new Error('cut short'));
    assert.equal(body.takeNow()?.toString(), 'ok');
    assert.equal(body.takeNow(), null);
    await assert.rejects(next(body), /cut short/);
  });

  test('an abandoned body is over: undefined', () => {
    const body = new RequestBody(source());
    body.push(bytes('dropped'));
    body.abandon();
    assert.equal(body.takeNow(), undefined);
  });

  test('taking below the low mark resumes reading, as next() does', () => {
    const src = source();
    const body = new RequestBody(src);
    body.push(Buffer.alloc(70 * KIB));
    assert.deepEqual(src.calls, [false]);
    assert.equal(body.takeNow()?.length, 70 * KIB);
    assert.deepEqual(src.calls, [false, true]);
  });

  test('the last bytes of a small body are kept at their own size, not in a 16 KiB gathering buffer', () => {
    const body = new RequestBody(source());
    const read = Buffer.from('POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n{"a":"b"}', 'latin1');
    body.pushRange(read, read.length - 9, read.length, true);
    const value = body.takeNow() as Uint8Array;
    assert.equal(Buffer.from(value).toString(), '{"a":"b"}');
    assert.ok(value.buffer.byteLength <= 2 * 9, `${value.buffer.byteLength} bytes held for 9`);
    // Not the last: small runs are still gathered (into a buffer with room for more).
    const more = new RequestBody(source());
    more.pushRange(read, read.length - 9, read.length);
    more.pushRange(read, 0, 4, true);
    assert.equal(Buffer.from(more.takeNow() as Uint8Array).toString(), '{"a":"b"}POST');
  });
});

describe('RequestBody: wakeOnNextPass (the node engine, which pushes chunk by chunk)', () => {
  test('small runs for a waiting reader are gathered through the pass and handed over together', async () => {
    const body = new RequestBody(source(), { wakeOnNextPass: true });
    const next = body.next();
    for (const byte of 'abcdef') body.push(bytes(byte));
    // Still waiting when the pushes are done: the reader is woken on the next pass, once.
    assert.deepEqual(await state(Promise.race([next, Promise.resolve('not yet')])), ['fulfilled', 'not yet']);
    const result = await within(next);
    assert.equal(Buffer.from(result.value as Uint8Array).toString('latin1'), 'abcdef');
    assert.deepEqual(await state(body.next()), ['pending']);
  });

  test('a large run still wakes the reader at once', async () => {
    const body = new RequestBody(source(), { wakeOnNextPass: true });
    const next = body.next();
    body.push(Buffer.alloc(8 * KIB, 0x61));
    assert.equal(((await state(next))[1] as IteratorResult<Uint8Array>).value?.length, 8 * KIB);
  });

  test('the end arriving before the wake-up: the gathered bytes come first, then done', async () => {
    const body = new RequestBody(source(), { wakeOnNextPass: true });
    const next = body.next();
    body.push(bytes('xy'));
    body.end();
    const first = await within(next);
    assert.equal(Buffer.from(first.value as Uint8Array).toString('latin1'), 'xy');
    assert.deepEqual(await within(body.next()), { done: true, value: undefined });
  });
});

describe('emptyBody', () => {
  test('yields nothing, every time', async () => {
    for (let round = 0; round < 2; round++) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of emptyBody) chunks.push(chunk);
      assert.deepEqual(chunks, []);
    }
    assert.ok(Object.isFrozen(emptyBody));
  });

  test('takeNow says it is over at once', () => {
    assert.equal(emptyBody.takeNow(), undefined);
  });
});
