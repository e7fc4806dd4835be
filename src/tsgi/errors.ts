/**
 * Portico's error codes: the base class every layer throws, and the registry each layer
 * adds its own codes to.
 *
 * Every error Portico raises or reports carries a code, so that logs can be searched and
 * handlers can branch on `error.code` instead of on message text. A code, once published,
 * keeps its meaning. Each layer declares its codes in its own `errors.ts` with
 * {@link defineErrors} — the code, its meaning and, when it becomes a response, its HTTP
 * status, together (as Fastify's `createError`) — and adds them to {@link ErrorCodes} by
 * declaration merging, so `new PorticoError(code, …)` accepts exactly the declared codes.
 * `docs/errors.md` is generated from every layer's registry (`npm run docs:errors`; a test
 * keeps it in step).
 *
 * This module lives in `src/tsgi/` because every layer may import `tsgi`, and `tsgi`
 * imports nothing of ours: the base of the registry is a leaf.
 *
 * @module
 */

/** What an error code means and, when it becomes an HTTP response, with which status. */
export interface ErrorSpec {
  /** The code's meaning: one sentence, as `docs/errors.md` lists it. */
  readonly message: string;
  /** The HTTP status a request gets when this error answers it. */
  readonly status?: number;
}

/** A layer's codes and their specs. */
export type ErrorSpecs = Readonly<Record<`PORTICO_ERR_${string}`, ErrorSpec>>;

const layers = new Map<string, ErrorSpecs>();

/**
 * Declares a layer's error codes, once, at module level. A code belongs to one layer:
 * declaring it twice is a programming error.
 *
 * @example
 * ```ts
 * export const serverErrors = defineErrors('server', {
 *   PORTICO_ERR_…: { message: 'What the code means, in one sentence.', status: 413 },
 * });
 * declare module '../tsgi/errors.ts' {
 *   interface ErrorCodes extends ServerErrorCodes {}
 * }
 * ```
 */
export function defineErrors<const T extends ErrorSpecs>(layer: string, specs: T): T {
  for (const [other, known] of layers) {
    if (other === layer) continue;
    const clash = Object.keys(specs).find((code) => Object.hasOwn(known, code));
    if (clash !== undefined) throw new Error(`${clash} is declared by both ${other} and ${layer}`);
  }
  const frozen = Object.freeze({ ...specs }) as T;
  layers.set(layer, frozen);
  return frozen;
}

/** The layers whose codes are loaded, with their codes (what `docs/errors.md` is made from). */
export function errorLayers(): ReadonlyMap<string, ErrorSpecs> {
  return layers;
}

/** The spec of a code, when the layer that declares it is loaded. */
export function errorSpec(code: string): ErrorSpec | undefined {
  for (const specs of layers.values()) {
    const spec = (specs as Record<string, ErrorSpec>)[code];
    if (spec !== undefined) return spec;
  }
  return undefined;
}

/** The codes of the gateway layer, and those every layer shares. */
export const tsgiErrors = defineErrors('tsgi', {
  PORTICO_ERR_TSGI_VIOLATION: {
    message: 'An application, server or middleware broke a rule of the TSGI spec.',
  },
  PORTICO_ERR_HEADERS_ALREADY_SET: {
    message: 'start_response was called a second time without excInfo, or write() before start_response.',
  },
  PORTICO_ERR_INVALID_STATUS: { message: 'A status line is not three digits, a space and a reason phrase.' },
  PORTICO_ERR_INVALID_HEADER: {
    message: 'A response header name or value is not valid HTTP (or is hop-by-hop).',
  },
  PORTICO_ERR_APP_FAILED: {
    message: 'The application threw or rejected while handling a request.',
    status: 500,
  },
  PORTICO_ERR_RESPONSE_ABORTED: {
    message: 'The application failed after the headers were sent; the connection was aborted.',
  },
  PORTICO_ERR_CONTENT_LENGTH_MISMATCH: {
    message: 'The body sent differs in size from the Content-Length the application declared.',
  },
  PORTICO_ERR_BAD_REQUEST: {
    message: 'The request is malformed (request line, headers, target or framing).',
    status: 400,
  },
  PORTICO_ERR_INPUT_CONSUMED: {
    message: 'tsgi.input was read after it had already been fully consumed elsewhere.',
  },
  PORTICO_ERR_BRIDGE: { message: 'A fetch bridge could not translate a request or response.' },
  PORTICO_ERR_LOAD_FAILED: {
    message:
      'A module (application, settings, URLconf, view) exists but failed to load: a syntax error, or it threw while being imported; the message gives file, line and column.',
  },
  PORTICO_ERR_CLI_USAGE: {
    message: 'A command-line option is unknown, missing its value, or has a bad value.',
  },
});

/** The gateway's codes, as a type (what other layers' codes extend {@link ErrorCodes} with). */
export type TsgiErrorCodes = typeof tsgiErrors;

/**
 * Every declared code, by declaration merging: each layer's `errors.ts` adds its own
 * (`interface ErrorCodes extends ServerErrorCodes {}`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- extended by each layer.
export interface ErrorCodes extends TsgiErrorCodes {}

/** A stable Portico error code. */
export type ErrorCode = keyof ErrorCodes & string;

/** An error with a stable `code` from the registry. */
export class PorticoError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PorticoError';
    this.code = code;
  }
}

/** True when `error` carries the given Portico code. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
