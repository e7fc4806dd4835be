/**
 * The web framework's error codes, with their meaning and, where one applies, the HTTP status.
 *
 * @module
 */
import { defineErrors } from '../tsgi/errors.ts';

/** The web framework's error codes. */
export const webErrors = defineErrors('web', {
  PORTICO_ERR_IMPROPERLY_CONFIGURED: {
    message:
      'The web settings, a URLconf, a middleware or a view is set up wrongly (detected at startup where possible).',
  },
  PORTICO_ERR_MIDDLEWARE_NOT_USED: {
    message: 'A middleware factory opted out at startup, so it is left out of the chain (not a failure).',
  },
  PORTICO_ERR_NOT_FOUND: {
    message: 'A view raised Http404: the requested resource does not exist (answered 404).',
    status: 404,
  },
  PORTICO_ERR_RESOLVER_404: {
    message: 'No URL pattern matched the request path (answered 404).',
    status: 404,
  },
  PORTICO_ERR_NO_REVERSE_MATCH: {
    message: 'reverse() found no URL pattern for the name and arguments given.',
  },
  PORTICO_ERR_PERMISSION_DENIED: {
    message: 'A view or middleware refused the request with PermissionDenied (answered 403).',
    status: 403,
  },
  PORTICO_ERR_SUSPICIOUS_OPERATION: {
    message: 'The request does something the framework refuses as unsafe (answered 400).',
    status: 400,
  },
  PORTICO_ERR_DISALLOWED_HOST: {
    message: 'The Host of the request is not in allowedHosts (answered 400).',
    status: 400,
  },
  PORTICO_ERR_DISALLOWED_REDIRECT: {
    message: 'A redirect target uses a scheme other than http, https or ftp.',
  },
  PORTICO_ERR_REQUEST_DATA_TOO_BIG: {
    message: 'The request body is larger than dataUploadMaxMemorySize (answered 413).',
    status: 413,
  },
  PORTICO_ERR_TOO_MANY_FIELDS: {
    message: 'The query string has more fields than dataUploadMaxNumberFields (answered 400).',
    status: 400,
  },
  PORTICO_ERR_VIEW_RETURNED_NOTHING: {
    message: 'A view, or a middleware hook that must return a response, returned nothing (answered 500).',
    status: 500,
  },
  PORTICO_ERR_CONTENT_NOT_RENDERED: {
    message: 'The content of a TemplateResponse was read before the response was rendered.',
  },
  PORTICO_ERR_APPEND_SLASH_BODY_LOST: {
    message:
      'In debug mode, a request with a body to a URL missing its trailing slash cannot be redirected without losing the body.',
    status: 500,
  },
  PORTICO_ERR_UNHANDLED_EXCEPTION: {
    message:
      'A view or middleware threw an error that no handler turned into a response (answered 500 and logged).',
    status: 500,
  },
  PORTICO_ERR_JSON_NOT_SAFE: {
    message: 'JsonResponse was given data that is not a plain object while safe is true.',
  },
  PORTICO_ERR_TOO_MANY_FILES: {
    message: 'A multipart body has more files than dataUploadMaxNumberFiles (answered 400).',
    status: 400,
  },
  PORTICO_ERR_FILE_TOO_BIG: {
    message: 'An uploaded file is larger than fileUploadMaxSize (answered 413).',
    status: 413,
  },
  PORTICO_ERR_MULTIPART: {
    message: 'A multipart/form-data body is malformed or cut short (answered 400).',
    status: 400,
  },
  PORTICO_ERR_INVALID_JSON: {
    message:
      'request.json() found a body that is not valid JSON; the message says where it broke (answered 400).',
    status: 400,
  },
  PORTICO_ERR_BODY_NOT_LOADED: {
    message:
      'request.POST or request.FILES was read before the body was loaded (await request.load() first).',
  },
  PORTICO_ERR_IMMUTABLE_QUERYDICT: { message: 'A QueryDict of the request was changed; copy() it first.' },
  PORTICO_ERR_BAD_SIGNATURE: {
    message:
      'A signed value (a signed cookie) does not match its signature under any key (answered 400 if uncaught).',
    status: 400,
  },
  PORTICO_ERR_SIGNATURE_EXPIRED: {
    message: 'A signed value is older than the maxAge asked for (answered 400 if uncaught).',
    status: 400,
  },
  PORTICO_ERR_TEMPLATE_DOES_NOT_EXIST: {
    message: 'No template directory holds the template asked for; the message lists the places searched.',
  },
  PORTICO_ERR_TEMPLATE_ERROR: { message: 'A template has a syntax error or failed while rendering.' },
  PORTICO_ERR_UNKNOWN_CONVERTER: {
    message:
      'A path() route names a converter that is neither built in nor registered (an ImproperlyConfigured at startup).',
  },
  PORTICO_ERR_VIEW_NOT_CALLABLE: {
    message: 'A URL pattern was given a view that is not a function (or a class instead of Class.asView()).',
  },
});

/** The web framework's codes, as a type. */
export type WebErrorCodes = typeof webErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends WebErrorCodes {}
}
