/**
 * The chunked transfer coding (RFC 9112 section 7.1), decoded incrementally: bytes go in
 * as they arrive off the socket, body bytes and at the end the trailer fields come out.
 *
 * Strict on what smuggling attacks rely on: a chunk size is hex digits only (no sign, no
 * space, below 2^53), every line ends in CRLF (never a bare LF or CR), chunk data
 * is followed by CRLF, and extensions and trailers are bounded in size.
 *
 * @module
 */
import { HeadError, parseFieldLine } from './head.ts';

const CR = 13;
const LF = 10;

/** Where the decoder is in the coding. */
const SIZE = 0; // hex digits of a chunk size
const EXTENSION = 1; // after `;`, up to CR
const SIZE_LF = 2; // the LF after a size line's CR
const DATA = 3; // chunk data
const DATA_CR = 4; // the CR after chunk data
const DATA_LF = 5; // the LF after chunk data
const TRAILERS = 6; // trailer lines, up to the empty one
const DONE = 7;

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

// A chunk extension: token/quoted-string characters, `;`, `=`, spaces; no controls.
const EXTENSION_TEXT = /^[\t\x20-\x7e\x80-\xff]*$/;

// A CR not followed by LF, or an LF not preceded by CR (a CR at the very end may still
// meet its LF in the next read).
const BARE_CR_OR_LF = /\r[^\n]|(?:^|[^\r])\n/;

/** Decodes one chunked body. */
export class ChunkedDecoder {
  /** Trailer fields, flat `[name, value, ...]`; complete once {@link done}. */
  readonly trailers: string[] = [];
  readonly #limit: number;
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #remaining = 0;
  #extension = '';
  #trailerText = '';

  /** @param limit - the most bytes a chunk-size line's extensions or the trailer section may take. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * Decodes `input` from `start`; calls `onData` with each run of body bytes (views of
   * `input`). Returns the offset where the body ended (the rest is the next request),
   * `input.length` when more is needed, or a {@link HeadError}.
   */
  push(input: Buffer, start: number, onData: (bytes: Buffer) => void): number | HeadError {
    let i = start;
    const length = input.length;
    while (i < length) {
      switch (this.#state) {
        case SIZE: {
          const code = input[i] as number;
          const digit = hexValue(code);
          if (digit !== -1) {
            this.#size = this.#size * 16 + digit;
            // Past 2^53 sizes could no longer be counted exactly; leading zeros are bounded too.
            if (this.#size > Number.MAX_SAFE_INTEGER || ++this.#digits > 15) {
              return new HeadError(400, 'a chunk size too large');
            }
            i++;
            break;
          }
          if (this.#digits === 0) return new HeadError(400, 'an invalid chunk size');
          if (code === 59 /* ; */) {
            this.#state = EXTENSION;
            this.#extension = '';
            i++;
          } else if (code === CR) {
            this.#state = SIZE_LF;
            i++;
          } else return new HeadError(400, 'an invalid chunk size');
          break;
        }
        case EXTENSION: {
          const cr = input.indexOf(CR, i);
          const end = cr === -1 ? length : cr;
          this.#extension += input.toString('latin1', i, end);
          if (this.#extension.length > this.#limit) return new HeadError(400, 'chunk extensions too long');
          if (!EXTENSION_TEXT.test(this.#extension)) return new HeadError(400, 'an invalid chunk extension');
          i = end;
          if (cr !== -1) {
            this.#state = SIZE_LF;
            i++;
          }
          break;
        }
        case SIZE_LF: {
          if (input[i] !== LF) return new HeadError(400, 'a chunk-size line not ended by CRLF');
          i++;
          this.#digits = 0;
          if (this.#size === 0) {
            this.#state = TRAILERS;
            this.#trailerText = '';
          } else {
            this.#remaining = this.#size;
            this.#size = 0;
            this.#state = DATA;
          }
          break;
        }
        case DATA: {
          const take = Math.min(this.#remaining, length - i);
          onData(input.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = DATA_CR;
          break;
        }
        case DATA_CR:
          if (input[i] !== CR) return new HeadError(400, 'chunk data not followed by CRLF');
          this.#state = DATA_LF;
          i++;
          break;
        case DATA_LF:
          if (input[i] !== LF) return new HeadError(400, 'chunk data not followed by CRLF');
          this.#state = SIZE;
          i++;
          break;
        case TRAILERS: {
          const end = this.#readTrailers(input, i);
          if (end instanceof HeadError) return end;
          i = end;
          break;
        }
        default:
          return i;
      }
    }
    return this.#state === DONE ? i : length;
  }

  /** Collects the trailer section up to its empty line; returns where it stopped. */
  #readTrailers(input: Buffer, start: number): number | HeadError {
    const previous = this.#trailerText.length;
    // Look for the end from a few bytes back: the CRLF may straddle two reads.
    this.#trailerText += input.toString('latin1', start, Math.min(input.length, start + this.#limit + 4));
    const text = this.#trailerText;
    // No trailers: the section is just the final CRLF.
    const end = text.startsWith('\r\n') ? 0 : text.indexOf('\r\n\r\n');
    if (end === -1) {
      // Up to three bytes of the closing CRLF CRLF may already be in: not part of the section.
      if (text.length > this.#limit + 3) return new HeadError(431, 'trailer section too large');
      if (BARE_CR_OR_LF.test(text)) {
        return new HeadError(400, 'a trailer line not ended by CRLF');
      }
      return input.length;
    }
    if (end > this.#limit) return new HeadError(431, 'trailer section too large');
    for (let position = 0; position < end;) {
      let lineEnd = text.indexOf('\r\n', position);
      if (lineEnd === -1 || lineEnd > end) lineEnd = end;
      const error = parseFieldLine(text, position, lineEnd, this.trailers);
      if (error !== undefined) return error;
      position = lineEnd + 2;
    }
    this.#state = DONE;
    const consumed = (end === 0 ? 2 : end + 4) - previous;
    return start + consumed;
  }
}
