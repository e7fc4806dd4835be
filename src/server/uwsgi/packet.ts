/**
 * The uwsgi wire format, request side: a 4-byte header (`modifier1`, the vars block size
 * as a little-endian u16, `modifier2`), then the vars block, a flat run of
 * `u16le length, key, u16le length, value` pairs, then the body (framed by
 * `CONTENT_LENGTH`, never chunked). Keys and values are opaque bytes; they are read as
 * latin-1, one character per byte, as Node reads HTTP header values, so nothing is lost.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';

const NO_BYTES = Buffer.alloc(0);

/** Size of the packet header. */
export const HEADER_SIZE = 4;

/** The largest vars block the format can carry (a u16). */
export const MAX_VARS_SIZE = 0xffff;

/** One var, in wire order; a key may repeat (nginx before 1.23 repeats headers). */
export type UwsgiVar = [key: string, value: string];

/**
 * A request packet: its header's modifiers, its vars block (where it lies in {@link data}),
 * and the bytes that followed it (the body's start). The block's framing is checked when it
 * is read: by {@link fields} here, or by the engine's own single pass (`requestFromBlock`).
 */
export class Packet {
  readonly modifier1: number;
  readonly modifier2: number;
  /** The bytes the vars block lies in, from {@link blockStart} to {@link blockEnd}. */
  readonly data: Buffer;
  readonly blockStart: number;
  readonly blockEnd: number;
  readonly rest: Buffer;
  #fields: string[] | undefined = undefined;

  constructor(
    modifier1: number,
    modifier2: number,
    data: Buffer,
    blockStart: number,
    blockEnd: number,
    rest: Buffer,
  ) {
    this.modifier1 = modifier1;
    this.modifier2 = modifier2;
    this.data = data;
    this.blockStart = blockStart;
    this.blockEnd = blockEnd;
    this.rest = rest;
  }

  /**
   * The vars as `[key, value, key, value, ...]`, in wire order.
   *
   * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` when the block is malformed.
   */
  get fields(): string[] {
    return (this.#fields ??= parseFields(this.data, this.blockStart, this.blockEnd));
  }

  /** The vars as `[key, value]` pairs, in wire order. */
  get vars(): UwsgiVar[] {
    return pairs(this.fields);
  }
}

function protocolError(message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_UWSGI_PROTOCOL', message);
}

function isUpper(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x41 && byte <= 0x5a;
}

/**
 * True when the first bytes are an HTTP request line (`GET `, `POST`, `PRI `...), i.e. an
 * HTTP client or proxy was pointed at a uwsgi socket. No request modifier1 is an upper-case
 * ASCII letter, so the check cannot hide a real packet.
 */
export function looksLikeHttp(bytes: Uint8Array): boolean {
  return (
    isUpper(bytes[0]) && isUpper(bytes[1]) && isUpper(bytes[2]) && (isUpper(bytes[3]) || bytes[3] === 0x20)
  );
}

// The keys nginx's uwsgi_params send, and the request headers most clients do. A key found
// here is handed out as this constant (an internalized string) instead of a fresh slice of
// the block: comparing it with the constants `requestFromFields` switches on is then a
// pointer check (a slice of 13 characters or more is a sliced string, which V8 compares in
// the runtime), and a Map lookup uses its cached hash.
export const KNOWN_KEYS: readonly string[] = [
  'QUERY_STRING',
  'REQUEST_METHOD',
  'CONTENT_TYPE',
  'CONTENT_LENGTH',
  'REQUEST_URI',
  'PATH_INFO',
  'DOCUMENT_ROOT',
  'SERVER_PROTOCOL',
  'REQUEST_SCHEME',
  'HTTPS',
  'REMOTE_ADDR',
  'REMOTE_PORT',
  'SERVER_PORT',
  'SERVER_NAME',
  'SCRIPT_NAME',
  'UWSGI_SCHEME',
  'HTTP_HOST',
  'HTTP_USER_AGENT',
  'HTTP_ACCEPT',
  'HTTP_ACCEPT_ENCODING',
  'HTTP_ACCEPT_LANGUAGE',
  'HTTP_CONNECTION',
  'HTTP_COOKIE',
  'HTTP_REFERER',
  'HTTP_AUTHORIZATION',
  'HTTP_CACHE_CONTROL',
  'HTTP_ORIGIN',
  'HTTP_X_FORWARDED_FOR',
  'HTTP_X_FORWARDED_PROTO',
  'HTTP_X_REAL_IP',
  'HTTP_X_REQUESTED_WITH',
  'HTTP_IF_NONE_MATCH',
  'HTTP_IF_MODIFIED_SINCE',
  'HTTP_UPGRADE_INSECURE_REQUESTS',
];

/** A key's slot in {@link KEY_INDEX}: from its length and three of its bytes. */
function keySlot(length: number, first: number, middle: number, last: number): number {
  return (length + first * 5 + middle * 7 + last * 2) & 255;
}

/**
 * Known keys by slot (their index in {@link KNOWN_KEYS}, -1 for none); their bytes, all in
 * one array, where {@link KEY_AT} says (a key is recognized by comparing bytes: cheaper than
 * `startsWith` on the decoded block, or than an array of arrays). A later key whose slot is
 * taken is simply not known.
 */
const KEY_INDEX = new Int8Array(256).fill(-1);
const KEY_LENGTH = new Uint8Array(256);
const KEY_AT = new Uint16Array(256);
const KEY_CHARS = new Uint8Array(KNOWN_KEYS.reduce((sum, key) => sum + key.length, 0));
let keyCharsUsed = 0;
for (let index = 0; index < KNOWN_KEYS.length; index++) {
  const key = KNOWN_KEYS[index] as string;
  const slot = keySlot(
    key.length,
    key.charCodeAt(0),
    key.charCodeAt(key.length >> 1),
    key.charCodeAt(key.length - 1),
  );
  if (KEY_INDEX[slot] !== -1) continue;
  KEY_INDEX[slot] = index;
  KEY_LENGTH[slot] = key.length;
  KEY_AT[slot] = keyCharsUsed;
  for (let i = 0; i < key.length; i++) KEY_CHARS[keyCharsUsed++] = key.charCodeAt(i);
}

/** The index in {@link KNOWN_KEYS} of the key whose bytes are `bytes[at, at + length)`, or -1. */
export function knownKeyIndex(bytes: Uint8Array, at: number, length: number): number {
  const slot = keySlot(
    length,
    bytes[at] as number,
    bytes[at + (length >> 1)] as number,
    bytes[at + length - 1] as number,
  );
  if (KEY_LENGTH[slot] !== length) return -1;
  const from = (KEY_AT[slot] as number) - at;
  for (let i = at; i < at + length; i++) if (bytes[i] !== KEY_CHARS[from + i]) return -1;
  return KEY_INDEX[slot] as number;
}

/** True when every known key has a slot of its own (checked by the tests: a lost key is only slower). */
export function knownKeysAllSlotted(): boolean {
  return KNOWN_KEYS.every(
    (key, index) =>
      KEY_INDEX[
        keySlot(
          key.length,
          key.charCodeAt(0),
          key.charCodeAt(key.length >> 1),
          key.charCodeAt(key.length - 1),
        )
      ] === index,
  );
}

/**
 * Parses a vars block strictly into `[key, value, key, value, ...]`: every length must fit
 * inside the block, keys must not be empty (uWSGI's rule), values may be. The block is
 * decoded once, as latin-1 (one character per byte, so byte offsets are string offsets);
 * keys and values are cut out of that string (a usual key is its constant instead).
 *
 * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` on any violation.
 */
export function parseFields(bytes: Uint8Array, start = 0, end = bytes.length): string[] {
  const text = (
    bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ).toString('latin1', start, end);
  const size = end - start;
  const fields: string[] = [];
  let n = 0;
  let at = 0;
  while (at < size) {
    if (at + 2 > size) throw protocolError(`vars block: key length cut at byte ${at}`);
    const keyLength = (bytes[start + at] as number) | ((bytes[start + at + 1] as number) << 8);
    at += 2;
    if (keyLength === 0) throw protocolError(`vars block: empty key at byte ${at - 2}`);
    if (at + keyLength + 2 > size) throw protocolError(`vars block: key runs past the block`);
    const known = knownKeyIndex(bytes, start + at, keyLength);
    const key = known === -1 ? text.slice(at, at + keyLength) : (KNOWN_KEYS[known] as string);
    at += keyLength;
    const valueLength = (bytes[start + at] as number) | ((bytes[start + at + 1] as number) << 8);
    at += 2;
    if (at + valueLength > size) throw protocolError(`vars block: value of ${key} runs past the block`);
    // Two stores rather than push(key, value), which is not inlined with two arguments.
    fields[n++] = key;
    fields[n++] = valueLength === 0 ? '' : text.slice(at, at + valueLength);
    at += valueLength;
  }
  return fields;
}

/** `[key, value, ...]` as pairs. */
function pairs(fields: readonly string[]): UwsgiVar[] {
  const vars: UwsgiVar[] = [];
  for (let i = 0; i < fields.length; i += 2) vars.push([fields[i] as string, fields[i + 1] as string]);
  return vars;
}

/**
 * Parses a vars block strictly: every length must fit inside the block, keys must not be
 * empty (uWSGI's rule), values may be.
 *
 * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` on any violation.
 */
export function parseVars(block: Uint8Array): UwsgiVar[] {
  return pairs(parseFields(block));
}

/**
 * Encodes a request packet (header, vars, and an optional body): what nginx's
 * `uwsgi_pass` sends. For clients, health checks and tests.
 */
export function encodePacket(vars: readonly UwsgiVar[], body: Uint8Array | string = ''): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of vars) {
    for (const text of [key, value]) {
      const bytes = Buffer.from(text, 'latin1');
      const length = Buffer.alloc(2);
      length.writeUInt16LE(bytes.length);
      parts.push(length, bytes);
    }
  }
  const block = Buffer.concat(parts);
  if (block.length > MAX_VARS_SIZE) throw new RangeError(`vars block of ${block.length} bytes exceeds 65535`);
  const header = Buffer.from([0, block.length & 0xff, block.length >> 8, 0]);
  return Buffer.concat([header, block, typeof body === 'string' ? Buffer.from(body) : body]);
}

/**
 * Accumulates bytes off a connection until one request packet's header and vars are in,
 * never assuming where TCP segments end.
 */
export class PacketReader {
  readonly #bufferSize: number;
  #chunks: Buffer[] = [];
  #length = 0;
  #size = -1;

  /** @param bufferSize - the largest vars block accepted (uWSGI's `buffer-size`). */
  constructor(bufferSize: number) {
    this.#bufferSize = Math.min(bufferSize, MAX_VARS_SIZE);
  }

  /** Bytes received so far. */
  get received(): number {
    return this.#length;
  }

  /**
   * Adds bytes; returns the packet once complete, else undefined.
   *
   * @throws PorticoError `PORTICO_ERR_UWSGI_HTTP_REQUEST` for an HTTP request line,
   *   `PORTICO_ERR_UWSGI_PROTOCOL` for a modifier other than 0 or an empty vars block,
   *   `PORTICO_ERR_HEADERS_TOO_LARGE` for a vars block over `bufferSize`.
   */
  push(chunk: Buffer): Packet | undefined {
    // The usual case, the whole packet in the first read, keeps and joins nothing.
    if (this.#chunks.length === 0 && chunk.length >= HEADER_SIZE) {
      this.#size = this.#checkHeader(chunk);
      if (chunk.length >= HEADER_SIZE + this.#size) return this.#packet(chunk);
    }
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    if (this.#length < HEADER_SIZE) return undefined;
    // Joined only when the header can be read, then when the whole packet is in: a
    // packet sent byte by byte costs no more than one sent at once.
    if (this.#size === -1) this.#size = this.#checkHeader(this.#joined());
    if (this.#length < HEADER_SIZE + this.#size) return undefined;
    return this.#packet(this.#joined());
  }

  #packet(data: Buffer): Packet {
    const end = HEADER_SIZE + this.#size;
    return new Packet(
      data[0] as number,
      data[3] as number,
      data,
      HEADER_SIZE,
      end,
      // The usual packet has no body bytes after its vars: no view to make.
      end === data.length ? NO_BYTES : data.subarray(end),
    );
  }

  #joined(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] as Buffer;
  }

  #checkHeader(data: Buffer): number {
    if (looksLikeHttp(data)) {
      throw new PorticoError(
        'PORTICO_ERR_UWSGI_HTTP_REQUEST',
        `an HTTP request ("${data.toString('latin1', 0, Math.min(data.length, 16)).split('\r')[0]}...") was sent to a uwsgi socket`,
      );
    }
    const modifier1 = data[0] as number;
    const size = data.readUInt16LE(1);
    // Only modifier1 0 (a WSGI-style request) is served; the others are uWSGI's
    // management, spooler, RPC and code-evaluation packets, never honoured here.
    if (modifier1 !== 0 || data[3] !== 0) {
      throw protocolError(`unsupported packet modifiers ${modifier1}/${data[3]} (only 0/0 is a request)`);
    }
    if (size === 0) throw protocolError('empty vars block (no REQUEST_METHOD)');
    if (size > this.#bufferSize) {
      throw new PorticoError(
        'PORTICO_ERR_HEADERS_TOO_LARGE',
        `invalid request block size: ${size} bytes (buffer-size is ${this.#bufferSize}); raise --buffer-size`,
      );
    }
    return size;
  }
}
