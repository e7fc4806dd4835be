/**
 * `JsonResponse`: data serialized with `JSON.stringify`.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import { HttpResponse } from './response.ts';
import type { ResponseOptions } from './response-base.ts';

/** Options of {@link JsonResponse}. */
export interface JsonResponseOptions extends ResponseOptions {
  /**
   * When true (the default) only a plain object is accepted: a top-level array or scalar
   * is usually a mistake (and top-level arrays were once a JSON-hijacking vector).
   */
  safe?: boolean;
  /** Passed to `JSON.stringify` (Django's `encoder`). */
  replacer?: (this: unknown, key: string, value: unknown) => unknown;
  /** Indentation passed to `JSON.stringify`. */
  space?: string | number;
}

const JSON_OPTIONS: ResponseOptions = Object.freeze({ contentType: 'application/json' });

/**
 * A JSON response; Content-Type defaults to `application/json`.
 *
 * @throws PorticoError `PORTICO_ERR_JSON_NOT_SAFE` when `safe` and `data` is not a plain object.
 */
export class JsonResponse extends HttpResponse {
  constructor(data: unknown, options?: JsonResponseOptions) {
    // Without options (the common case) nothing is destructured or copied.
    const safe = options?.safe ?? true;
    if (safe && (data === null || typeof data !== 'object' || Array.isArray(data))) {
      throw new PorticoError(
        'PORTICO_ERR_JSON_NOT_SAFE',
        'In order to allow non-object data to be serialized set the safe option to false.',
      );
    }
    if (options === undefined) {
      super(JSON.stringify(data), JSON_OPTIONS);
      return;
    }
    super(JSON.stringify(data, options.replacer, options.space), {
      ...options,
      contentType: options.contentType ?? 'application/json',
    });
  }
}
