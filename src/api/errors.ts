/**
 * The API layer's error codes, with their meaning and the HTTP status each answers with.
 *
 * @module
 */
import { defineErrors } from '../tsgi/errors.ts';

/** The API layer's error codes. */
export const apiErrors = defineErrors('api', {
  PORTICO_ERR_API_ERROR: {
    message:
      'A view of the API layer failed in a way it chose to report (answered 500 unless a status is given).',
    status: 500,
  },
  PORTICO_ERR_API_VALIDATION: {
    message:
      'The request data did not pass the serializer; the body maps each field to its messages (answered 400).',
    status: 400,
  },
  PORTICO_ERR_API_PARSE: {
    message:
      'The request body could not be parsed as its content type says (answered 400, saying where it broke).',
    status: 400,
  },
  PORTICO_ERR_API_AUTHENTICATION_FAILED: {
    message: 'Credentials were sent but are wrong (answered 401 or 403 by DRF’s rule).',
    status: 401,
  },
  PORTICO_ERR_API_NOT_AUTHENTICATED: {
    message: 'A permission needs an authenticated user and none was (answered 401 or 403 by DRF’s rule).',
    status: 401,
  },
  PORTICO_ERR_API_PERMISSION_DENIED: {
    message: 'A permission class refused the request (answered 403).',
    status: 403,
  },
  PORTICO_ERR_API_NOT_FOUND: { message: 'The object asked for does not exist (answered 404).', status: 404 },
  PORTICO_ERR_API_METHOD_NOT_ALLOWED: {
    message: 'The view has no handler for the request method (answered 405 with Allow).',
    status: 405,
  },
  PORTICO_ERR_API_NOT_ACCEPTABLE: {
    message: 'No renderer of the view produces a media type the Accept header allows (answered 406).',
    status: 406,
  },
  PORTICO_ERR_API_UNSUPPORTED_MEDIA_TYPE: {
    message: 'No parser of the view reads the request’s Content-Type (answered 415).',
    status: 415,
  },
  PORTICO_ERR_API_THROTTLED: {
    message: 'A throttle’s rate was exceeded (answered 429 with Retry-After).',
    status: 429,
  },
  PORTICO_ERR_API_SERIALIZER: {
    message:
      'A serializer was declared or used wrongly (save() before isValid(), a ModelSerializer without fields, a nested write it does not implement).',
    status: 500,
  },
  PORTICO_ERR_API_CONFLICT: {
    message: 'The request conflicts with the current state of the resource (answered 409).',
    status: 409,
  },
});

/** The API layer's codes, as a type. */
export type ApiErrorCodes = typeof apiErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends ApiErrorCodes {}
}
