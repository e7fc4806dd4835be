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
