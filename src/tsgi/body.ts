/**
 * Response bodies and chunks: how any server takes apart what an application returned.
 *
 * @module
 */
import { PorticoError } from './errors.ts';
import type { BodyChunk } from './types.ts';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** True for a promise or any thenable. */
export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A short description of a value's type, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

/** Throws unless `chunk` is a string or a `Uint8Array` (rule TSGI-E36). */
export function assertChunk(chunk: unknown): asserts chunk is BodyChunk {
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    throw new PorticoError(
      'PORTICO_ERR_TSGI_VIOLATION',
      `a body chunk must be a string or a Uint8Array, got ${describeValue(chunk)}`,
    );
  }
}

/** A chunk's bytes (strings are UTF-8). */
export function chunkBytes(chunk: unknown): Uint8Array {
  assertChunk(chunk);
  if (typeof chunk !== 'string') return chunk;
  return chunk === '' ? EMPTY : encoder.encode(chunk);
}

/** The size of a chunk on the wire, without encoding a string twice where it can be avoided. */
export function chunkLength(chunk: BodyChunk): number {
  if (typeof chunk !== 'string') return chunk.byteLength;
  // Pure ASCII (the common case for JSON and HTML) is one byte per character.
  let ascii = true;
  for (let i = 0; i < chunk.length && ascii; i++) ascii = chunk.charCodeAt(i) < 0x80;
  return ascii ? chunk.length : encoder.encode(chunk).byteLength;
}

/** The iterator of a body, sync when the body is sync iterable (servers iterate those without promises). */
export type BodyIterator =
  { sync: true; iterator: Iterator<BodyChunk> } | { sync: false; iterator: AsyncIterator<BodyChunk> };

/** Opens a body for iteration; throws a TSGI violation for anything that is not a body (TSGI-E03 to E05). */
export function bodyIterator(body: unknown): BodyIterator {
  if (body === null || typeof body !== 'object' || body instanceof Uint8Array || ArrayBuffer.isView(body)) {
    throw new PorticoError(
      'PORTICO_ERR_TSGI_VIOLATION',
      `the application must return an iterable of chunks (an array, a generator...), got ${describeValue(body)}`,
    );
  }
  const sync = (body as Iterable<BodyChunk>)[Symbol.iterator];
  if (typeof sync === 'function') return { sync: true, iterator: sync.call(body) };
  const async = (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator];
  if (typeof async === 'function') return { sync: false, iterator: async.call(body) };
  throw new PorticoError(
    'PORTICO_ERR_TSGI_VIOLATION',
    'the response body is neither iterable nor async iterable',
  );
}
