/**
 * The request head of HTTP/1.1 (RFC 9112 sections 3 and 5): the request line and the
 * header fields, parsed from the latin-1 text between the first byte and the blank line,
 * and the framing rules that decide where the body ends (section 6).
 *
 * Strict where leniency lets a proxy and this server disagree about a request: no
 * obsolete line folding, no space before a colon, no bare CR or LF, one Content-Length of
 * plain digits, Transfer-Encoding only with `chunked` last and never beside
 * Content-Length. What is refused is refused with the status a client can act on.
 *
 * @module
 */
import { METHODS } from 'node:http';

/** A head that cannot be served: the status and the one line the client is told. */
export class HeadError {
  readonly status: number;
  readonly message: string;
  constructor(status: number, message: string) {
    this.status = status;
    this.message = message;
  }
}

/** How the body of a request is delimited: none, `Content-Length` bytes, or the chunked coding. */
export type Framing = 'none' | 'length' | 'chunked';

/** A parsed request head. */
export interface ParsedHead {
  readonly method: string;
  readonly target: string;
  /** `HTTP/1.1`, `HTTP/1.0`, or another `HTTP/x.y` the server answers with 505. */
  readonly protocol: string;
  readonly rawHeaders: string[];
  readonly framing: Framing;
  /** The declared length ('length'), else 0. */
  readonly contentLength: number;
  /** True when the client lets the connection persist after this exchange. */
  readonly keepAlive: boolean;
  readonly expectsContinue: boolean;
}

// The registered methods llhttp knows (Node's list): methods are case-sensitive tokens,
// and one nobody registered is more likely a desynchronised stream than a request.
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

// A token (RFC 9110 5.6.2), for header names.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, SP, HTAB and obs-text; never a control character (a bare
// CR or LF left inside a line is one).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// A request target: visible ASCII only (RFC 3986 has no raw bytes above 0x7F; they are
// percent-encoded by every client, and a raw one is more likely an attack than a URL).
const TARGET = /^[\x21-\x7e]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;

function isSpace(code: number): boolean {
  return code === 32 || code === 9;
}

/** Splits one `name: value` line of `text` (from `start` to `end`) into `into`; returns an error or undefined. */
export function parseFieldLine(
  text: string,
  start: number,
  end: number,
  into: string[],
): HeadError | undefined {
  const first = text.charCodeAt(start);
  if (isSpace(first)) return new HeadError(400, 'obsolete line folding is not accepted');
  const colon = text.indexOf(':', start);
  if (colon === -1 || colon >= end) return new HeadError(400, 'a header line without a colon');
  const name = text.slice(start, colon);
  if (!TOKEN.test(name)) return new HeadError(400, 'an invalid header name');
  let from = colon + 1;
  let to = end;
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  const value = text.slice(from, to);
  if (!FIELD_VALUE.test(value)) return new HeadError(400, `an invalid character in the ${name} header`);
  into.push(name, value);
  return undefined;
}

/**
 * Strips HTTP's optional whitespace (RFC 9110 5.6.3: space and horizontal tab, nothing
 * else) from both ends. Never `String.prototype.trim()`, which also strips U+00A0, U+0085
 * and other characters a latin-1 decoded head may carry: `chunked\xa0` is not `chunked`.
 */
export function trimOws(text: string): string {
  let from = 0;
  let to = text.length;
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  return from === 0 && to === text.length ? text : text.slice(from, to);
}

/** The members of a comma-separated list (RFC 9110 5.6.1), each stripped of OWS only. */
export function listMembers(list: string): string[] {
  return list.split(',').map(trimOws);
}

/** True when the comma-separated `list` holds `token` (lower case; compared without case). */
export function hasToken(list: string, token: string): boolean {
  for (const part of list.split(',')) if (trimOws(part).toLowerCase() === token) return true;
  return false;
}

/** Checks a (joined) Transfer-Encoding: codings may precede `chunked`, which must come last, once. */
export function checkTransferEncoding(value: string): HeadError | undefined {
  const codings = listMembers(value).map((coding) => coding.toLowerCase());
  const chunked = codings.indexOf('chunked');
  if (chunked !== codings.length - 1) {
    return new HeadError(400, 'Transfer-Encoding must end with chunked, once');
  }
  if (codings.some((coding) => coding === '' || !TOKEN.test(coding))) {
    return new HeadError(400, 'an invalid Transfer-Encoding');
  }
  return undefined;
}

/**
 * Parses a request head: `text` is everything before the blank line (latin-1, the
 * leading empty lines RFC 9112 2.2 lets a server skip already skipped).
 */
export function parseHead(text: string): ParsedHead | HeadError {
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd === -1) lineEnd = text.length;
  const space1 = text.indexOf(' ');
  const space2 = space1 === -1 ? -1 : text.indexOf(' ', space1 + 1);
  if (space1 <= 0 || space2 === -1 || space2 >= lineEnd || space2 === space1 + 1) {
    return new HeadError(400, 'a malformed request line');
  }
  const method = text.slice(0, space1);
  if (!KNOWN_METHODS.has(method)) return new HeadError(400, 'an unknown method');
  const target = text.slice(space1 + 1, space2);
  if (!TARGET.test(target)) return new HeadError(400, 'an invalid request target');
  let protocol = text.slice(space2 + 1, lineEnd);
  let http11: boolean;
  if (protocol === 'HTTP/1.1') http11 = true;
  else {
    const version = VERSION.exec(protocol);
    if (version === null) return new HeadError(400, 'a malformed HTTP version');
    // Interned, so later comparisons against the constant are cheap and exact.
    if (protocol === 'HTTP/1.0') protocol = 'HTTP/1.0';
    http11 = version[1] === '1' && version[2] !== '0';
  }

  const rawHeaders: string[] = [];
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let expect: string | undefined;
  let hosts = 0;
  let position = lineEnd + 2;
  while (position < text.length) {
    let end = text.indexOf('\r\n', position);
    if (end === -1) end = text.length;
    const error = parseFieldLine(text, position, end, rawHeaders);
    if (error !== undefined) return error;
    position = end + 2;
    // The few fields that decide framing and persistence, found by length first.
    const name = rawHeaders[rawHeaders.length - 2] as string;
    const value = rawHeaders[rawHeaders.length - 1] as string;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') hosts++;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') expect = expect === undefined ? value : `${expect}, ${value}`;
        break;
      case 10:
        if (name.toLowerCase() === 'connection')
          connection = connection === undefined ? value : `${connection}, ${value}`;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (contentLength !== undefined && contentLength !== value) {
            return new HeadError(400, 'two different Content-Length headers');
          }
          contentLength = value;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        }
        break;
    }
  }

  if (http11 && hosts === 0) return new HeadError(400, 'an HTTP/1.1 request without Host');
  let framing: Framing = 'none';
  let length = 0;
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined) {
      return new HeadError(400, 'Transfer-Encoding together with Content-Length');
    }
    if (!http11) return new HeadError(400, `Transfer-Encoding is not allowed in ${protocol}`);
    const error = checkTransferEncoding(transferEncoding);
    if (error !== undefined) return error;
    framing = 'chunked';
  } else if (contentLength !== undefined) {
    // Plain digits only: no sign, no list form, no spaces. Leading zeros are valid (RFC 9110
    // 8.6: 1*DIGIT); what they pad must stay within 15 significant digits (a safe integer).
    if (!/^\d+$/.test(contentLength) || contentLength.replace(/^0+/, '').length > 15) {
      return new HeadError(400, 'an invalid Content-Length');
    }
    length = Number(contentLength);
    if (length > 0) framing = 'length';
  }

  let keepAlive = http11;
  if (connection !== undefined) {
    if (hasToken(connection, 'close')) keepAlive = false;
    else if (!http11 && hasToken(connection, 'keep-alive')) keepAlive = protocol === 'HTTP/1.0';
  }
  let expectsContinue = false;
  if (expect !== undefined) {
    if (expect.toLowerCase() !== '100-continue')
      return new HeadError(417, 'only "Expect: 100-continue" is supported');
    expectsContinue = http11;
  }
  return { method, target, protocol, rawHeaders, framing, contentLength: length, keepAlive, expectsContinue };
}
