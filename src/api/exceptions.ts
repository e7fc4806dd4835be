/**
 * The exceptions of the API layer (DRF's `rest_framework/exceptions.py`): each carries its
 * HTTP status, a `detail` that becomes the response body, and a machine-readable `code`
 * on every message. One exception handler (the views' `handleException`) turns any of
 * them into a response; a view or serializer only throws.
 *
 * @module
 */
import { type ErrorCode, PorticoError } from '../tsgi/errors.ts';
import './errors.ts';

/** A message with the code that says which rule produced it (`required`, `max_length`…). */
export class ErrorDetail {
  readonly message: string;
  readonly code: string;

  constructor(message: string, code: string) {
    this.message = message;
    this.code = code;
  }

  toString(): string {
    return this.message;
  }

  toJSON(): string {
    return this.message;
  }
}

/**
 * The detail of an exception: one message, a list of them, or (for validation) a tree of
 * them keyed by field name, nested for nested serializers, keyed by index for lists.
 */
export type ErrorTree = ErrorDetail | readonly ErrorTree[] | { readonly [key: string]: ErrorTree };

/** Turns strings in a detail into {@link ErrorDetail}s with the given default code. */
export function toErrorTree(detail: unknown, code: string): ErrorTree {
  if (detail instanceof ErrorDetail) return detail;
  if (typeof detail === 'string') return new ErrorDetail(detail, code);
  if (Array.isArray(detail)) return detail.map((item) => toErrorTree(item, code));
  if (typeof detail === 'object' && detail !== null) {
    const out: Record<string, ErrorTree> = Object.create(null) as Record<string, ErrorTree>;
    for (const [key, value] of Object.entries(detail)) out[key] = toErrorTree(value, code);
    return out;
  }
  return new ErrorDetail(String(detail), code);
}

/** The codes of each message in a detail, in its shape (DRF's `get_codes()`). */
export function errorCodes(tree: ErrorTree): unknown {
  if (tree instanceof ErrorDetail) return tree.code;
  if (Array.isArray(tree)) return tree.map(errorCodes);
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, errorCodes(v as ErrorTree)]));
}

/** The base of the API layer's exceptions: a status, a detail and a default code. */
export class APIException extends PorticoError {
  /**
   * The HTTP status the exception answers with. Writable because the view turns a 401 into
   * a 403 when its first authenticator has no `WWW-Authenticate` header (DRF's rule).
   */
  status: number;
  /** The `WWW-Authenticate` value of a 401, set by the view from its first authenticator. */
  authenticateHeader?: string;
  /** The body's content: `{"detail": …}` for a message, the tree itself for validation. */
  readonly detail: ErrorTree;

  constructor(
    detail: unknown,
    options: { status?: number; code?: string; errorCode?: ErrorCode; cause?: unknown } = {},
  ) {
    const tree = toErrorTree(detail ?? 'A server error occurred.', options.code ?? 'error');
    super(options.errorCode ?? 'PORTICO_ERR_API_ERROR', String(detailMessage(tree)), {
      cause: options.cause,
    });
    this.name = 'APIException';
    this.status = options.status ?? 500;
    this.detail = tree;
  }
}

function detailMessage(tree: ErrorTree): string {
  if (tree instanceof ErrorDetail) return tree.message;
  return JSON.stringify(tree);
}

function defineException(
  name: string,
  status: number,
  errorCode: ErrorCode,
  defaultDetail: string,
  defaultCode: string,
) {
  return class extends APIException {
    constructor(detail?: unknown, options: { code?: string; cause?: unknown } = {}) {
      super(detail ?? defaultDetail, {
        status,
        errorCode,
        code: options.code ?? defaultCode,
        cause: options.cause,
      });
      this.name = name;
    }
  };
}

/**
 * The data failed validation: 400 with the tree of messages (`{"field": ["…"]}`,
 * `non_field_errors` for object-level ones). A bare string becomes a one-item list.
 */
export class ValidationError extends APIException {
  constructor(detail?: unknown, options: { code?: string; cause?: unknown } = {}) {
    const shaped =
      detail === undefined
        ? ['Invalid input.']
        : typeof detail === 'string' || detail instanceof ErrorDetail
          ? [detail]
          : detail;
    super(shaped, {
      status: 400,
      errorCode: 'PORTICO_ERR_API_VALIDATION',
      code: options.code ?? 'invalid',
      cause: options.cause,
    });
    this.name = 'ValidationError';
  }
}

/** The body is malformed for its content type: 400. */
export class ParseError extends defineException(
  'ParseError',
  400,
  'PORTICO_ERR_API_PARSE',
  'Malformed request.',
  'parse_error',
) {}
/** Credentials were given and are wrong: 401 or 403 (DRF's rule, in the exception handler). */
export class AuthenticationFailed extends defineException(
  'AuthenticationFailed',
  401,
  'PORTICO_ERR_API_AUTHENTICATION_FAILED',
  'Incorrect authentication credentials.',
  'authentication_failed',
) {}
/** No credentials where a permission needs them: 401 or 403 (DRF's rule). */
export class NotAuthenticated extends defineException(
  'NotAuthenticated',
  401,
  'PORTICO_ERR_API_NOT_AUTHENTICATED',
  'Authentication credentials were not provided.',
  'not_authenticated',
) {}
/** A permission refused the request: 403. */
export class PermissionDenied extends defineException(
  'PermissionDenied',
  403,
  'PORTICO_ERR_API_PERMISSION_DENIED',
  'You do not have permission to perform this action.',
  'permission_denied',
) {}
/** No such object: 404. */
export class NotFound extends defineException(
  'NotFound',
  404,
  'PORTICO_ERR_API_NOT_FOUND',
  'Not found.',
  'not_found',
) {}
/** A conflict with the resource's state (a slug already taken): 409. */
export class Conflict extends defineException(
  'Conflict',
  409,
  'PORTICO_ERR_API_CONFLICT',
  'Conflict.',
  'conflict',
) {}

/** The method has no handler on the view: 405. */
export class MethodNotAllowed extends APIException {
  constructor(method: string, detail?: string) {
    super(detail ?? `Method "${method}" not allowed.`, {
      status: 405,
      errorCode: 'PORTICO_ERR_API_METHOD_NOT_ALLOWED',
      code: 'method_not_allowed',
    });
    this.name = 'MethodNotAllowed';
  }
}

/** Nothing the view renders is acceptable: 406. */
export class NotAcceptable extends defineException(
  'NotAcceptable',
  406,
  'PORTICO_ERR_API_NOT_ACCEPTABLE',
  'Could not satisfy the request Accept header.',
  'not_acceptable',
) {}

/** No parser reads the request's content type: 415. */
export class UnsupportedMediaType extends APIException {
  constructor(mediaType: string, detail?: string) {
    super(detail ?? `Unsupported media type "${mediaType}" in request.`, {
      status: 415,
      errorCode: 'PORTICO_ERR_API_UNSUPPORTED_MEDIA_TYPE',
      code: 'unsupported_media_type',
    });
    this.name = 'UnsupportedMediaType';
  }
}

/** A throttle's rate was exceeded: 429, with `Retry-After` in whole seconds, rounded up. */
export class Throttled extends APIException {
  /** Seconds until a request would be allowed, when known. */
  readonly wait: number | null;

  constructor(wait: number | null = null, detail?: string) {
    const base = detail ?? 'Request was throttled.';
    const seconds = wait === null ? null : Math.ceil(wait);
    const message =
      seconds === null ? base : `${base} Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`;
    super(message, { status: 429, errorCode: 'PORTICO_ERR_API_THROTTLED', code: 'throttled' });
    this.name = 'Throttled';
    this.wait = seconds;
  }
}
