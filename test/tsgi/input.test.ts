/**
 * `BufferedInput`: reading a body whole costs memory proportional to its bytes, however
 * many chunks it came in (issue 11: a million 1-byte chunks once took a worker past 2 GB).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferedInput } from '../../src/tsgi/input.ts';

/** A body of `count` chunks of `size` bytes, each a view into a much larger buffer (a socket read). */
class Chunks extends BufferedInput {
  #left: number;
  readonly #size: number;
  readonly #read = Buffer.alloc(64 * 1024, 'z');
  constructor(count: number, size: number) {
    super();
    this.#left = count;
    this.#size = size;
  }
  protected pull(): Promise<Uint8Array | undefined> {
    if (this.#left === 0) return Promise.resolve(undefined);
    this.#left--;
    return Promise.resolve(this.#read.subarray(0, this.#size));
  }
}

test('read() of 200,000 1-byte chunks: one array, at most about twice the bytes, no view of a read', async () => {
  const body = await new Chunks(200_000, 1).read();
  assert.equal(body.length, 200_000);
  assert.ok(body.every((byte) => byte === 0x7a));
  assert.ok(body.buffer.byteLength <= 2 * body.length + 4096, `${body.buffer.byteLength} bytes held`);
});

test('read() of one chunk returns it without a copy; of several, their bytes in order', async () => {
  const one = await new Chunks(1, 10).read();
  assert.equal(one.length, 10);
  const many = new (class extends BufferedInput {
    #parts = ['ab', 'c', '', 'def'].map((text) => Buffer.from(text));
    protected pull(): Promise<Uint8Array | undefined> {
      return Promise.resolve(this.#parts.shift());
    }
  })();
  assert.equal(Buffer.from(await many.read()).toString(), 'abcdef');
});

test('read() of chunks of every size, across block boundaries: the bytes in order, held at about their size', async () => {
  // Sizes around the blocks' (4 KiB growing to 1 MiB): the largest body spans many blocks.
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (const total of [0, 1, 4095, 4096, 4097, 300_000, 3_000_000]) {
    const parts: Buffer[] = [];
    for (let length = 0; length < total;) {
      const size = Math.min(total - length, 1 + Math.floor(random() * (random() < 0.1 ? 400_000 : 5_000)));
      parts.push(Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256))));
      length += size;
    }
    const expected = Buffer.concat(parts);
    const several = parts.length > 1;
    const input = new (class extends BufferedInput {
      protected pull(): Promise<Uint8Array | undefined> {
        return Promise.resolve(parts.shift());
      }
    })();
    const body = await input.read();
    assert.equal(body.length, total);
    assert.ok(Buffer.from(body).equals(expected), `${total} bytes`);
    // (A body in one chunk is returned as it came: its buffer is the source's.)
    if (several)
      assert.ok(body.buffer.byteLength <= 2 * total + 4096, `${body.buffer.byteLength} held for ${total}`);
  }
});

test('readLine and read(size) still work after the change', async () => {
  const input = new (class extends BufferedInput {
    #parts = ['line one\nline', ' two\nrest'].map((text) => Buffer.from(text));
    protected pull(): Promise<Uint8Array | undefined> {
      return Promise.resolve(this.#parts.shift());
    }
  })();
  assert.equal(Buffer.from(await input.readLine()).toString(), 'line one\n');
  assert.equal(Buffer.from(await input.read(4)).toString(), 'line');
  assert.equal(Buffer.from(await input.read()).toString(), ' two\nrest');
});

/**
 * A source whose chunks are at hand (`pullNow`) until `waitAt`, from where they must be
 * waited for (`pull`), as the engine's body is for bytes that came with the head and those
 * still on the wire.
 */
class AtHand extends BufferedInput {
  readonly #parts: (Uint8Array | Error)[];
  #waitAt: number;
  pulls = 0;
  constructor(parts: (string | Error)[], waitAt = Number.POSITIVE_INFINITY) {
    super();
    this.#parts = parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part));
    this.#waitAt = waitAt;
  }
  /** The chunks from now on are at hand too. */
  arrive(): void {
    this.#waitAt = Number.POSITIVE_INFINITY;
  }
  #next(): Uint8Array | undefined {
    this.#waitAt--;
    const part = this.#parts.shift();
    if (part instanceof Error) throw part;
    return part;
  }
  protected override pullNow(): Uint8Array | undefined | null {
    return this.#waitAt <= 0 ? null : this.#next();
  }
  protected async pull(): Promise<Uint8Array | undefined> {
    this.pulls++;
    await new Promise((resolve) => setImmediate(resolve));
    return this.#next();
  }
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());

test('readNow(size) takes what is at hand, up to size, with no promise; an empty array at the end', () => {
  const input = new AtHand(['hello ', 'world']);
  assert.equal(text(input.readNow(3)), 'hel');
  assert.equal(text(input.readNow(100)), 'lo ');
  assert.equal(text(input.readNow(100)), 'world');
  assert.equal(input.readNow(100)?.length, 0);
  assert.equal(input.readNow(0)?.length, 0);
  assert.equal(input.pulls, 0, 'nothing was awaited');
});

test('readNow is null when the bytes must be waited for, and consumes nothing: read() then gets them', async () => {
  const input = new AtHand(['ab', 'cd'], 1);
  assert.equal(text(input.readNow(10)), 'ab');
  assert.equal(input.readNow(10), null);
  assert.equal(input.readNow(10), null, 'still nothing at hand');
  assert.equal(text(await input.read(10)), 'cd');
  assert.equal((await input.read(10)).length, 0);
});

test('readNow(-1) is the whole rest only when all of it is at hand; else null, with nothing lost', async () => {
  assert.equal(text(new AtHand(['a', 'b', 'c']).readNow(-1)), 'abc');
  const partial = new AtHand(['a', 'b', 'c'], 2);
  assert.equal(partial.readNow(-1), null);
  assert.equal(text(await partial.read()), 'abc', 'what was taken before waiting is read again');
  const later = new AtHand(['x', 'y'], 1);
  assert.equal(later.readNow(-1), null);
  later.arrive();
  assert.equal(text(later.readNow(-1)), 'xy');
});

test('readNow throws what the source throws (limit-post, a bad body), and the input is over', async () => {
  const input = new AtHand(['ok', new Error('too large')]);
  assert.equal(text(input.readNow(10)), 'ok');
  assert.throws(() => input.readNow(10), /too large/);
  assert.equal((await input.read(10)).length, 0);
});

test('readNow is null while a read() is waiting on the source: two reads never interleave', async () => {
  const input = new AtHand(['first', 'second'], 0);
  const pending = input.read(100);
  input.arrive();
  assert.equal(input.readNow(100), null);
  assert.equal(text(await pending), 'first');
  assert.equal(text(input.readNow(100)), 'second');
});

test('a source without pullNow: readNow is always null, read() works as before', async () => {
  const input = new Chunks(2, 3);
  assert.equal(input.readNow(10), null);
  assert.equal((await input.read()).length, 6);
});
