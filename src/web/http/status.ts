/**
 * Status lines for the framework's responses, from the TSGI registry of reason phrases
 * (`src/tsgi/status.ts`). Unknown codes get Django's "Unknown Status Code".
 *
 * @module
 */
import { reasonPhrases as REASONS } from '../../tsgi/status.ts';

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
