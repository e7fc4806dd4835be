/**
 * Status codes and their standard reason phrases, and the parser for the `status` string
 * an application passes to `startResponse`.
 *
 * The table is written out here rather than taken from `node:http` so that `tsgi` runs on
 * any fetch runtime (Deno, Bun, workers). Phrases follow the IANA registry as of RFC 9110
 * (so 413 is "Content Too Large" and 422 "Unprocessable Content"), plus 418.
 *
 * @module
 */
import { PorticoError } from './errors.ts';

/** The standard reason phrase of every registered status code. */
export const reasonPhrases: ReadonlyMap<number, string> = new Map([
  [100, 'Continue'],
  [101, 'Switching Protocols'],
  [102, 'Processing'],
  [103, 'Early Hints'],
  [200, 'OK'],
  [201, 'Created'],
  [202, 'Accepted'],
  [203, 'Non-Authoritative Information'],
  [204, 'No Content'],
  [205, 'Reset Content'],
  [206, 'Partial Content'],
  [207, 'Multi-Status'],
  [208, 'Already Reported'],
  [226, 'IM Used'],
  [300, 'Multiple Choices'],
  [301, 'Moved Permanently'],
  [302, 'Found'],
  [303, 'See Other'],
  [304, 'Not Modified'],
  [305, 'Use Proxy'],
  [307, 'Temporary Redirect'],
  [308, 'Permanent Redirect'],
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [402, 'Payment Required'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [406, 'Not Acceptable'],
  [407, 'Proxy Authentication Required'],
  [408, 'Request Timeout'],
  [409, 'Conflict'],
  [410, 'Gone'],
  [411, 'Length Required'],
  [412, 'Precondition Failed'],
  [413, 'Content Too Large'],
  [414, 'URI Too Long'],
  [415, 'Unsupported Media Type'],
  [416, 'Range Not Satisfiable'],
  [417, 'Expectation Failed'],
  [418, "I'm a Teapot"],
  [421, 'Misdirected Request'],
  [422, 'Unprocessable Content'],
  [423, 'Locked'],
  [424, 'Failed Dependency'],
  [425, 'Too Early'],
  [426, 'Upgrade Required'],
  [428, 'Precondition Required'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
  [451, 'Unavailable For Legal Reasons'],
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Gateway Timeout'],
  [505, 'HTTP Version Not Supported'],
  [506, 'Variant Also Negotiates'],
  [507, 'Insufficient Storage'],
  [508, 'Loop Detected'],
  [510, 'Not Extended'],
  [511, 'Network Authentication Required'],
]);

/**
 * The standard reason phrase for `code`, or `"Unknown"` for a code with none.
 *
 * @param code - a numeric status code, e.g. `404`.
 */
export function reasonPhrase(code: number): string {
  return reasonPhrases.get(code) ?? 'Unknown';
}

/**
 * A TSGI status string for `code`: `statusLine(404)` is `"404 Not Found"`, and a code
 * with no registered phrase gets `"Unknown"` (`"599 Unknown"`).
 *
 * @param code - an integer from 100 to 999.
 * @throws PorticoError `PORTICO_ERR_INVALID_STATUS` when `code` is not a three-digit integer.
 */
export function statusLine(code: number): string {
  if (!Number.isInteger(code) || code < 100 || code > 999) {
    throw new PorticoError('PORTICO_ERR_INVALID_STATUS', `status code ${code} is not a three-digit integer`);
  }
  return `${code} ${reasonPhrase(code)}`;
}

/**
 * Parses a TSGI status string and returns its numeric code.
 *
 * The status must be three digits forming a final status code (200–599; informational
 * 1xx responses are the server's business), exactly one space, and a non-empty reason
 * phrase with no leading or trailing whitespace, no control character (tab excepted) and
 * nothing outside latin-1. Any reason phrase is accepted, not only the standard one.
 *
 * @param status - what the application passed to `startResponse`, e.g. `"200 OK"`.
 * @returns the code, e.g. `200`.
 * @throws PorticoError `PORTICO_ERR_INVALID_STATUS`, saying what is wrong.
 */
export function parseStatus(status: string): number {
  if (typeof status !== 'string') {
    throw new PorticoError('PORTICO_ERR_INVALID_STATUS', `status must be a string, got ${typeof status}`);
  }
  const d0 = status.charCodeAt(0) - 48;
  const d1 = status.charCodeAt(1) - 48;
  const d2 = status.charCodeAt(2) - 48;
  if (!(d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) {
    throw invalid(status, 'does not start with a three-digit code');
  }
  const code = d0 * 100 + d1 * 10 + d2;
  if (code < 200 || code > 599) {
    throw invalid(status, 'is not a final status code (200-599)');
  }
  if (status.charCodeAt(3) !== 32) {
    throw invalid(status, 'lacks the single space between code and reason phrase');
  }
  const length = status.length;
  if (length === 4) throw invalid(status, 'has an empty reason phrase');
  const first = status.charCodeAt(4);
  const last = status.charCodeAt(length - 1);
  if (first === 32 || first === 9 || last === 32 || last === 9) {
    throw invalid(status, 'has whitespace around its reason phrase');
  }
  for (let i = 4; i < length; i++) {
    const c = status.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) {
      throw invalid(status, 'has a control character or a character outside latin-1');
    }
  }
  return code;
}

function invalid(status: string, problem: string): PorticoError {
  return new PorticoError('PORTICO_ERR_INVALID_STATUS', `status ${JSON.stringify(status)} ${problem}`);
}
