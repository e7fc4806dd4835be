/**
 * The exceptions a view or middleware throws to ask for a particular error response,
 * and the framework's configuration errors. The handler maps them to statuses (see
 * `handlers/exception.ts`): {@link Http404} → 404, {@link PermissionDenied} → 403,
 * {@link BadRequest} and {@link SuspiciousOperation} → 400, anything else → 500.
 *
 * Each carries a stable code from the registry in `src/tsgi/errors.ts`.
 *
 * @module
 */
import { type ErrorCode, PorticoError } from '../tsgi/errors.ts';

/**
 * The settings, a URLconf, a middleware or a view is set up wrongly. The code is
 * `PORTICO_ERR_IMPROPERLY_CONFIGURED` unless a more precise one is given (an unknown
 * converter, a view that is not callable), which `portico check` reports as it is.
 */
export class ImproperlyConfigured extends PorticoError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'PORTICO_ERR_IMPROPERLY_CONFIGURED', message, options);
    this.name = 'ImproperlyConfigured';
  }
}

/**
 * Thrown by a middleware factory at startup to leave itself out of the chain (for
 * example when a feature it implements is switched off in the settings).
 */
export class MiddlewareNotUsed extends PorticoError {
  constructor(message = 'middleware not used') {
    super('PORTICO_ERR_MIDDLEWARE_NOT_USED', message);
    this.name = 'MiddlewareNotUsed';
  }
}

/** The requested resource does not exist: answered with the 404 handler. */
export class Http404 extends PorticoError {
  constructor(message = 'Not Found', options?: { cause?: unknown }) {
    super('PORTICO_ERR_NOT_FOUND', message, options);
    this.name = 'Http404';
  }
}

/** The user may not do this: answered with the 403 handler. */
export class PermissionDenied extends PorticoError {
  constructor(message = 'Permission denied', options?: { cause?: unknown }) {
    super('PORTICO_ERR_PERMISSION_DENIED', message, options);
    this.name = 'PermissionDenied';
  }
}

/** The request is malformed: answered with the 400 handler. */
export class BadRequest extends PorticoError {
  constructor(message = 'Bad Request', options?: { cause?: unknown }) {
    super('PORTICO_ERR_BAD_REQUEST', message, options);
    this.name = 'BadRequest';
  }
}

/**
 * The request tries something the framework refuses as unsafe: answered with the 400
 * handler and logged as a security event. Subclasses name the precise operation.
 */
export class SuspiciousOperation extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PORTICO_ERR_SUSPICIOUS_OPERATION', message, options);
    this.name = 'SuspiciousOperation';
  }
}

/** The Host header does not match `allowedHosts`. */
export class DisallowedHost extends SuspiciousOperation {
  override readonly code: ErrorCode = 'PORTICO_ERR_DISALLOWED_HOST';
  override name = 'DisallowedHost';
}

/** A redirect to a URL whose scheme is not http, https or ftp. */
export class DisallowedRedirect extends SuspiciousOperation {
  override readonly code: ErrorCode = 'PORTICO_ERR_DISALLOWED_REDIRECT';
  override name = 'DisallowedRedirect';
}

/**
 * The request body is larger than `dataUploadMaxMemorySize` (answered 413, where Django
 * answers 400: 413 tells a client that retrying with less data may work).
 */
export class RequestDataTooBig extends SuspiciousOperation {
  override readonly code: ErrorCode = 'PORTICO_ERR_REQUEST_DATA_TOO_BIG';
  override name = 'RequestDataTooBig';
}

/** An uploaded file is larger than `fileUploadMaxSize` (answered 413). */
export class FileTooBig extends RequestDataTooBig {
  override readonly code: ErrorCode = 'PORTICO_ERR_FILE_TOO_BIG';
  override name = 'FileTooBig';
}

/** A multipart body has more files than `dataUploadMaxNumberFiles`. */
export class TooManyFilesSent extends SuspiciousOperation {
  override readonly code: ErrorCode = 'PORTICO_ERR_TOO_MANY_FILES';
  override name = 'TooManyFilesSent';
}

/** A `multipart/form-data` body is malformed (answered 400). */
export class MultiPartParserError extends BadRequest {
  override readonly code: ErrorCode = 'PORTICO_ERR_MULTIPART';
  override name = 'MultiPartParserError';
}

/** `request.json()` met a body that is not JSON (answered 400, saying where it broke). */
export class InvalidJson extends BadRequest {
  override readonly code: ErrorCode = 'PORTICO_ERR_INVALID_JSON';
  override name = 'InvalidJson';
}

/** The query string or form has more fields than `dataUploadMaxNumberFields`. */
export class TooManyFieldsSent extends SuspiciousOperation {
  override readonly code: ErrorCode = 'PORTICO_ERR_TOO_MANY_FIELDS';
  override name = 'TooManyFieldsSent';
}

/** The content of a deferred-rendering response was read before `render()`. */
export class ContentNotRenderedError extends PorticoError {
  constructor(message = 'The response content must be rendered before it can be accessed.') {
    super('PORTICO_ERR_CONTENT_NOT_RENDERED', message);
    this.name = 'ContentNotRenderedError';
  }
}
