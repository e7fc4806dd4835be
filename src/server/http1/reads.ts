/**
 * Socket reads into one buffer shared by every connection, instead of a new one per read.
 *
 * `node:net` allocates a fresh 64 KiB `ArrayBuffer` for every read of a socket. V8 counts
 * that memory as external, and external bytes allocated since the last full collection
 * count against the old generation's limit: a worker receiving 200 MB/s (a flood of
 * 1-byte chunks, or just uploads) ran a mark-compact every 12–25 MiB received, each
 * pausing the event loop 3–4 ms (plus incremental steps). Reading into a buffer of our
 * own allocates nothing per read, so bytes received no longer drive full collections.
 *
 * Node offers this (`onread`) only for sockets it connects, not for those a server
 * accepts, so the accepted socket is switched over as `onread` would have set it up: its
 * handle's `useUserBuffer()` and the socket's `kBuffer`/`kBufferCb` fields, found by their
 * symbols' names. When any of them is missing (another Node), {@link readIntoShared}
 * returns false and the connection reads `'data'` events as before.
 *
 * The bytes passed to `onRead` are valid only during the call: the next read, of any
 * connection, overwrites them. Whatever outlives the call must be copied
 * ({@link isShared} tells).
 *
 * @module
 */
import type { Socket } from 'node:net';

/** The size of one read (as libuv asks of `node:net`). */
const READ_SIZE = 64 * 1024;
let shared: Buffer | undefined;

/** Hold stores given back, for the next connection whose read is cut (a flood opens many). */
const spares: Buffer[] = [];
const SPARES = 16;

/**
 * A buffer for the rest of a read cut at its turn (one read's worth): a spare one when there
 * is one, so that connections flooding one after another allocate none.
 */
export function takeStore(): Buffer {
  return spares.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
}

/** Gives back a store from {@link takeStore} that nothing refers to any more. */
export function giveStore(store: Buffer): void {
  if (spares.length < SPARES && store.length === READ_SIZE) spares.push(store);
}

/** True when `bytes` is (a view of) the shared read buffer: to be copied before it is kept. */
export function isShared(bytes: Uint8Array): boolean {
  return shared !== undefined && bytes.buffer === shared.buffer;
}

/** The socket's private fields `onread` sets, by their symbols (looked up on the first socket). */
interface Fields {
  kBuffer: symbol;
  kBufferCb: symbol;
  kBufferGen: symbol;
}
let fields: Fields | null | undefined;

function fieldsOf(socket: Socket): Fields | null {
  if (fields !== undefined) return fields;
  const symbols = Object.getOwnPropertySymbols(socket);
  const named = (name: string) => symbols.find((symbol) => symbol.description === name);
  const [kBuffer, kBufferCb, kBufferGen] = [named('kBuffer'), named('kBufferCb'), named('kBufferGen')];
  fields =
    kBuffer === undefined || kBufferCb === undefined || kBufferGen === undefined
      ? null
      : { kBuffer, kBufferCb, kBufferGen };
  return fields;
}

let enabled = true;

/**
 * Turns reading into the shared buffer off (or back on) for connections accepted from now
 * on: for tests of the `'data'` path that another Node would take.
 */
export function setSharedReads(on: boolean): void {
  enabled = on;
}

interface UserBufferHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

/**
 * Makes `socket` (just accepted, nothing read yet) read into the shared buffer and call
 * `onRead` with each read's bytes instead of emitting `'data'`. `pause()` then stops
 * reading at once (no read is buffered by the stream), `resume()` restarts it, and
 * `'end'` and `'close'` come as before. Returns false, changing nothing, when this Node
 * does not have what it needs.
 */
export function readIntoShared(socket: Socket, onRead: (bytes: Buffer) => void): boolean {
  if (!enabled) return false;
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle;
  const symbols = fieldsOf(socket);
  if (symbols === null || typeof handle?.useUserBuffer !== 'function') return false;
  const own = socket as unknown as Record<symbol, unknown>;
  // Set by a socket made with `onread` only: anything else means another layout.
  if (own[symbols.kBuffer] !== null || own[symbols.kBufferCb] !== null || own[symbols.kBufferGen] !== null) {
    return false;
  }
  const buffer = (shared ??= Buffer.allocUnsafeSlow(READ_SIZE));
  handle.useUserBuffer(buffer);
  own[symbols.kBuffer] = buffer;
  own[symbols.kBufferCb] = (length: number): void => onRead(buffer.subarray(0, length));
  return true;
}
