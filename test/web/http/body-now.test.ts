/**
 * `HttpRequest.bodyNow()` / `textNow()`: the whole body without a promise when the server
 * has it at hand (`tsgi.input.readNow`), else null with the read going on for `body()`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../../../src/tsgi/errors.ts';
import { BufferedInput } from '../../../src/tsgi/input.ts';
import { HttpRequest, RequestDataTooBig } from '../../../src/web/index.ts';
import { makeEnviron } from '../helpers.ts';

/** Chunks at hand for the first `atHand` pulls, then only through an awaited pull. */
class Input extends BufferedInput {
  readonly #parts: Uint8Array[];
  #atHand: number;
  constructor(parts: (string | Uint8Array)[], atHand = Number.POSITIVE_INFINITY) {
    super();
    this.#parts = parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part));
    this.#atHand = atHand;
  }
  protected override pullNow(): Uint8Array | undefined | null {
    if (this.#atHand <= 0) return null;
    this.#atHand--;
    return this.#parts.shift();
  }
  protected async pull(): Promise<Uint8Array | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.#parts.shift();
  }
}

function request(
  input: BufferedInput,
  options: { length?: number; contentType?: string; max?: number | null } = {},
): HttpRequest {
  const environ = makeEnviron({
    method: 'POST',
    headers: { 'Content-Type': options.contentType ?? 'application/json' },
  });
  environ['tsgi.input'] = input;
  if (options.length !== undefined) environ.CONTENT_LENGTH = String(options.length);
  return new HttpRequest(environ, {
    settings: {
      debug: false,
      allowedHosts: ['testserver'],
      dataUploadMaxMemorySize: options.max === undefined ? 2.5 * 1024 * 1024 : options.max,
      dataUploadMaxNumberFields: 1000,
    },
  });
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString());

describe('bodyNow', () => {
  test('a body at hand, in one chunk or several: the bytes at once, the same ones body() then gives', async () => {
    const one = request(new Input(['{"a":1}']), { length: 7 });
    const bytes = one.bodyNow();
    assert.equal(text(bytes), '{"a":1}');
    assert.equal(one.bodyNow(), bytes, 'kept');
    assert.equal(await one.body(), bytes);
    const several = request(new Input(['{"a"', ':', '2}']), { length: 7 });
    assert.equal(text(several.bodyNow()), '{"a":2}');
    assert.deepEqual(await several.json(), { a: 2 });
  });

  test('a chunked body (no Content-Length) at hand up to its end', () => {
    assert.equal(text(request(new Input(['ab', 'cd'])).bodyNow()), 'abcd');
  });

  test('no body: empty at once, whatever the input', () => {
    assert.equal(request(new Input([]), { length: 0 }).bodyNow()?.length, 0);
  });

  test('a body still arriving: null, and body() gets all of it, the part taken before included', async () => {
    const req = request(new Input(['{"a":', '[1,2]}'], 1), { length: 11 });
    assert.equal(req.bodyNow(), null);
    assert.equal(req.bodyNow(), null, 'still reading');
    assert.equal(text(await req.body()), '{"a":[1,2]}');
    assert.equal(text(req.bodyNow()), '{"a":[1,2]}', 'at hand once read');
  });

  test('an input without readNow (another server): null, then body() reads it', async () => {
    const environ = makeEnviron({ method: 'POST', body: 'plain' });
    const req = new HttpRequest(environ);
    assert.equal(typeof environ['tsgi.input'].readNow, 'undefined');
    assert.equal(req.bodyNow(), null);
    assert.equal(text(await req.body()), 'plain');
  });

  test('over dataUploadMaxMemorySize, declared or not: null, and body() rejects with the 413', async () => {
    const declared = request(new Input(['x'.repeat(50)]), { length: 50, max: 10 });
    assert.equal(declared.bodyNow(), null);
    await assert.rejects(declared.body(), RequestDataTooBig);
    const chunked = request(new Input(['x'.repeat(6), 'x'.repeat(6)]), { max: 10 });
    assert.equal(chunked.bodyNow(), null);
    await assert.rejects(chunked.body(), RequestDataTooBig);
  });

  test('a failing input: null, and body() rejects with its error; nothing is left unhandled', async () => {
    const failing = new (class extends Input {
      protected override pullNow(): never {
        throw new Error('limit-post');
      }
    })([]);
    const req = request(failing, { length: 4 });
    assert.equal(req.bodyNow(), null);
    await assert.rejects(req.body(), /limit-post/);
    // A caller that gives up after the null must not leave a rejection nobody handles.
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    request(failing, { length: 4 }).bodyNow();
    request(new Input([], 0), { length: 4 }).bodyNow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', listener);
    assert.deepEqual(unhandled, []);
  });

  test('read() after bodyNow() is refused, as after body(); bodyNow() after read() is null', async () => {
    const req = request(new Input(['abc']), { length: 3 });
    assert.equal(text(req.bodyNow()), 'abc');
    await assert.rejects(req.read(1), (e) => hasCode(e, 'PORTICO_ERR_INPUT_CONSUMED'));
    const streamed = request(new Input(['abc']), { length: 3 });
    assert.equal(text(await streamed.read(1)), 'a');
    assert.equal(streamed.bodyNow(), null);
    await assert.rejects(streamed.body(), (e) => hasCode(e, 'PORTICO_ERR_INPUT_CONSUMED'));
  });
});

describe('textNow', () => {
  test('decodes with the request encoding (UTF-8 unless the Content-Type says otherwise)', () => {
    assert.equal(request(new Input([Buffer.from('"é"')]), { length: 4 }).textNow(), '"é"');
    const latin = request(new Input([Buffer.from([0x22, 0xe9, 0x22])]), {
      length: 3,
      contentType: 'application/json; charset=latin1',
    });
    assert.equal(latin.textNow(), '"é"');
  });

  test('null while the body is still arriving', async () => {
    const req = request(new Input(['"a', 'b"'], 1), { length: 4 });
    assert.equal(req.textNow(), null);
    assert.equal(await req.text(), '"ab"');
  });
});
