/**
 * Reason phrases for the status line.
 *
 * Private on purpose: `src/tsgi/status.ts` is gaining the full registry, and once it is
 * part of the public tsgi surface this table should give way to it. Unknown codes get
 * Django's "Unknown Status Code".
 *
 * @module
 */

const REASONS: ReadonlyMap<number, string> = new Map([
  [100, 'Continue'],
  [101, 'Switching Protocols'],
  [103, 'Early Hints'],
  [200, 'OK'],
  [201, 'Created'],
  [202, 'Accepted'],
  [203, 'Non-Authoritative Information'],
  [204, 'No Content'],
  [205, 'Reset Content'],
  [206, 'Partial Content'],
  [300, 'Multiple Choices'],
  [301, 'Moved Permanently'],
  [302, 'Found'],
  [303, 'See Other'],
  [304, 'Not Modified'],
  [307, 'Temporary Redirect'],
  [308, 'Permanent Redirect'],
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [402, 'Payment Required'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [406, 'Not Acceptable'],
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
]);

/** `"200 OK"` and so on, built once: the status line of nearly every response. */
const STATUS_LINES: ReadonlyMap<number, string> = new Map(
  [...REASONS].map(([status, reason]) => [status, `${status} ${reason}`]),
);

/** The reason phrase for `status`, or `"Unknown Status Code"`. */
export function reasonPhraseFor(status: number): string {
  return REASONS.get(status) ?? 'Unknown Status Code';
}

/** The status line with the standard reason phrase, e.g. `"404 Not Found"`. */
export function statusLineFor(status: number): string {
  return STATUS_LINES.get(status) ?? `${status} Unknown Status Code`;
}
