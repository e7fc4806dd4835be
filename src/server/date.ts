/**
 * The `Date` response header (RFC 9110 6.6.1: an origin server with a clock sends one),
 * formatted once per second rather than once per response.
 *
 * @module
 */

let text = '';
let expiresAt = 0;

/** The current time as an IMF-fixdate, e.g. `Sat, 21 Nov 2026 10:00:00 GMT`. */
export function httpDate(): string {
  const now = Date.now();
  if (now >= expiresAt) {
    text = new Date(now).toUTCString();
    expiresAt = now - (now % 1000) + 1000;
  }
  return text;
}
