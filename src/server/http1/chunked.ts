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

// The chunk extensions of one size line, from its first `;` (RFC 9112 7.1.1):
// `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )`, ext-val a token or a quoted string.
// An empty name (`2;`, `2;=x`) is refused, as llhttp does.
const EXTENSIONS =
  /^(?:[\t ]*;[\t ]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[\t ]*=[\t ]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t\x20\x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t\x20-\x7e\x80-\xff])*"))?)*[\t ]*$/;

/** The most chunk-extension bytes one size line may carry, and one body in all. */
export const EXTENSION_LIMIT_PER_CHUNK = 1024;
export const EXTENSION_LIMIT_PER_BODY = 16 * 1024;
/** The most digits of a chunk size, leading zeros included (the value stays below 2^53). */
const SIZE_DIGITS_LIMIT = 64;

/** Decodes one chunked body. */
export class ChunkedDecoder {
  /** Trailer fields, flat `[name, value, ...]`; complete once {@link done}. */
  readonly trailers: string[] = [];
  readonly #limit: number;
  readonly #perChunk: number;
  readonly #perBody: number;
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #remaining = 0;
  #extension = '';
  #extensionBytes = 0;
  #trailerText = '';
  /** Where the search for the trailer section's end resumes in {@link #trailerText}. */
  #trailerScan = 0;

  /**
   * @param limit - the most bytes the trailer section may take.
   * @param perChunk - the most bytes of chunk extensions on one size line.
   * @param perBody - the most bytes of chunk extensions in the whole body: extensions carry
   *   nothing an application sees, and a flood of them would cost memory and CPU for none.
   */
  constructor(limit: number, perChunk = EXTENSION_LIMIT_PER_CHUNK, perBody = EXTENSION_LIMIT_PER_BODY) {
    this.#limit = limit;
    this.#perChunk = Math.min(perChunk, limit);
    this.#perBody = perBody;
  }

  get done(): boolean {
    return this.#state === DONE;
  }

  /** Chunks (of data) begun so far: the unit of per-chunk work, for fairness and bounds. */
  chunks = 0;

  /**
   * Decodes `input` from `start`; calls `onData` with each run of body bytes, as a range
   * of `input` (no view is made: a flood of 1-byte chunks would cost one object per byte).
   * Returns the offset where the body ended (the rest is the next request), `input.length`
   * when more is needed, or a {@link HeadError}.
   *
   * `stopAt`: once {@link chunks} reaches it, decoding stops at the start of the next size
   * line and returns its offset, with {@link done} still false: the caller pushes the rest
   * later (a read of 1-byte chunks is ~11,000 of them; this bounds the work of one call).
   */
  push(
    input: Buffer,
    start: number,
    onData: (input: Buffer, start: number, end: number) => void,
    stopAt = Infinity,
  ): number | HeadError {
    let i = start;
    const length = input.length;
    while (i < length) {
      switch (this.#state) {
        case SIZE: {
          if (this.chunks >= stopAt && this.#digits === 0) return i;
          // The digits in one tight loop (a flood of 1-byte chunks is mostly size lines).
          let code = input[i] as number;
          let digit = hexValue(code);
          while (digit !== -1) {
            this.#size = this.#size * 16 + digit;
            // Past 2^53 sizes could no longer be counted exactly. Leading zeros are valid
            // (1*HEXDIG) but bounded too, so that a line of zeros is not read forever.
            if (this.#size > Number.MAX_SAFE_INTEGER || ++this.#digits > SIZE_DIGITS_LIMIT) {
              return new HeadError(400, 'a chunk size too large');
            }
            if (++i === length) break;
            code = input[i] as number;
            digit = hexValue(code);
          }
          if (i === length) break;
          if (this.#digits === 0) return new HeadError(400, 'an invalid chunk size');
          if (code === 59 /* ; */) {
            this.#state = EXTENSION;
            this.#extension = '';
          } else if (code === CR) {
            if (i + 1 < length && input[i + 1] === LF) {
              i += 2;
              this.#sizeLineEnded();
            } else {
              this.#state = SIZE_LF;
              i++;
            }
          } else return new HeadError(400, 'an invalid chunk size');
          break;
        }
        case EXTENSION: {
          // Only what this read adds is looked at; the whole is checked once, at its CR.
          const cr = input.indexOf(CR, i);
          const end = cr === -1 ? length : cr;
          const added = end - i;
          this.#extensionBytes += added;
          // The leading `;` is not counted.
          if (
            this.#extension.length + added > this.#perChunk + 1 ||
            this.#extensionBytes > this.#perBody + 1
          ) {
            return new HeadError(400, 'chunk extensions too long');
          }
          this.#extension += input.toString('latin1', i, end);
          i = end;
          if (cr !== -1) {
            if (!EXTENSIONS.test(this.#extension)) return new HeadError(400, 'an invalid chunk extension');
            this.#extension = '';
            this.#state = SIZE_LF;
            i++;
          }
          break;
        }
        case SIZE_LF: {
          if (input[i] !== LF) return new HeadError(400, 'a chunk-size line not ended by CRLF');
          i++;
          this.#sizeLineEnded();
          break;
        }
        case DATA: {
          const take = Math.min(this.#remaining, length - i);
          onData(input, i, i + take);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            // The CRLF after the data, when it is in this read, without two more turns.
            if (i + 1 < length && input[i] === CR && input[i + 1] === LF) {
              i += 2;
              this.#state = SIZE;
            } else this.#state = DATA_CR;
          }
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

  /** A size line's CRLF was read: the chunk's data follows, or the trailers after the last chunk. */
  #sizeLineEnded(): void {
    this.#digits = 0;
    if (this.#size === 0) {
      this.#state = TRAILERS;
      this.#trailerText = '';
      this.#trailerScan = 0;
    } else {
      this.#remaining = this.#size;
      this.#size = 0;
      this.#state = DATA;
      this.chunks++;
    }
  }

  /**
   * Collects the trailer section up to its empty line; returns where it stopped. Each
   * byte is looked at once: the search for the end and the line-ending check resume
   * where the previous read left them (a section trickled a byte at a time stays linear).
   */
  #readTrailers(input: Buffer, start: number): number | HeadError {
    const previous = this.#trailerText.length;
    this.#trailerText += input.toString('latin1', start, Math.min(input.length, start + this.#limit + 4));
    const text = this.#trailerText;
    let end = -1;
    if (text.startsWith('\r\n'))
      end = 0; // no trailers: the section is just the final CRLF
    else {
      // Every LF must follow a CR, every CR precede an LF; an LF that follows CRLF CR ends the section.
      let i = this.#trailerScan;
      for (; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code === LF) {
          if (i === 0 || text.charCodeAt(i - 1) !== CR)
            return new HeadError(400, 'a trailer line not ended by CRLF');
          if (i >= 3 && text.charCodeAt(i - 2) === LF) {
            end = i - 3;
            break;
          }
        } else if (i > 0 && text.charCodeAt(i - 1) === CR) {
          return new HeadError(400, 'a trailer line not ended by CRLF');
        }
      }
      this.#trailerScan = i;
    }
    if (end === -1) {
      // Up to three bytes of the closing CRLF CRLF may already be in: not part of the section.
      if (text.length > this.#limit + 3) return new HeadError(431, 'trailer section too large');
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
