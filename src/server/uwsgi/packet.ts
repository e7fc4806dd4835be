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

/** Size of the packet header. */
export const HEADER_SIZE = 4;

/** The largest vars block the format can carry (a u16). */
export const MAX_VARS_SIZE = 0xffff;

/** One var, in wire order; a key may repeat (nginx before 1.23 repeats headers). */
export type UwsgiVar = [key: string, value: string];

/** A parsed request packet: its vars, and the bytes that followed them (the body's start). */
export class Packet {
  readonly modifier1: number;
  readonly modifier2: number;
  /** The vars as `[key, value, key, value, ...]`, in wire order. */
  readonly fields: string[];
  readonly rest: Buffer;

  constructor(modifier1: number, modifier2: number, fields: string[], rest: Buffer) {
    this.modifier1 = modifier1;
    this.modifier2 = modifier2;
    this.fields = fields;
    this.rest = rest;
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

/**
 * Parses a vars block strictly into `[key, value, key, value, ...]`: every length must fit
 * inside the block, keys must not be empty (uWSGI's rule), values may be. The block is
 * decoded once, as latin-1 (one character per byte, so byte offsets are string offsets);
 * keys and values are cut out of that string.
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
    const key = text.slice(at, at + keyLength);
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
      parseFields(data, HEADER_SIZE, end),
      data.subarray(end),
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
