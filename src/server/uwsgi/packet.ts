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
export interface Packet {
  readonly modifier1: number;
  readonly modifier2: number;
  readonly vars: UwsgiVar[];
  readonly rest: Buffer;
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
 * Parses a vars block strictly: every length must fit inside the block, keys must not be
 * empty (uWSGI's rule), values may be.
 *
 * @throws PorticoError `PORTICO_ERR_UWSGI_PROTOCOL` on any violation.
 */
export function parseVars(block: Uint8Array): UwsgiVar[] {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  const vars: UwsgiVar[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw protocolError(`vars block: key length cut at byte ${at}`);
    const keyLength = bytes.readUInt16LE(at);
    at += 2;
    if (keyLength === 0) throw protocolError(`vars block: empty key at byte ${at - 2}`);
    if (at + keyLength + 2 > bytes.length) throw protocolError(`vars block: key runs past the block`);
    const key = bytes.toString('latin1', at, at + keyLength);
    at += keyLength;
    const valueLength = bytes.readUInt16LE(at);
    at += 2;
    if (at + valueLength > bytes.length)
      throw protocolError(`vars block: value of ${key} runs past the block`);
    vars.push([key, bytes.toString('latin1', at, at + valueLength)]);
    at += valueLength;
  }
  return vars;
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
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    if (this.#length < HEADER_SIZE) return undefined;
    const data = this.#joined();
    if (this.#size === -1) this.#size = this.#checkHeader(data);
    const end = HEADER_SIZE + this.#size;
    if (data.length < end) return undefined;
    return {
      modifier1: data[0] as number,
      modifier2: data[3] as number,
      vars: parseVars(data.subarray(HEADER_SIZE, end)),
      rest: data.subarray(end),
    };
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
