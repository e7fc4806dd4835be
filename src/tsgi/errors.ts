/**
 * The one registry of Portico's error codes.
 *
 * Every error Portico raises or reports carries one of these codes, so that logs can be
 * searched and handlers can branch on `error.code` instead of on message text. A code,
 * once published, keeps its meaning. `docs/errors.md` lists the same codes (a test keeps
 * the two in step).
 *
 * It lives in `src/tsgi/` because every layer may import `tsgi` and `tsgi` imports
 * nothing of ours: the registry is a leaf.
 *
 * @module
 */

/** Each code with its one-line meaning. */
export const errorCodes = {
  PORTICO_ERR_TSGI_VIOLATION: 'An application, server or middleware broke a rule of the TSGI spec.',
  PORTICO_ERR_HEADERS_ALREADY_SET:
    'start_response was called a second time without excInfo, or write() before start_response.',
  PORTICO_ERR_INVALID_STATUS: 'A status line is not three digits, a space and a reason phrase.',
  PORTICO_ERR_INVALID_HEADER: 'A response header name or value is not valid HTTP (or is hop-by-hop).',
  PORTICO_ERR_APP_FAILED: 'The application threw or rejected while handling a request.',
  PORTICO_ERR_RESPONSE_ABORTED:
    'The application failed after the headers were sent; the connection was aborted.',
  PORTICO_ERR_CONTENT_LENGTH_MISMATCH:
    'The body sent differs in size from the Content-Length the application declared.',
  PORTICO_ERR_BAD_REQUEST: 'The request is malformed (request line, headers, target or framing).',
  PORTICO_ERR_BODY_TOO_LARGE: 'The request body is larger than limit-post.',
  PORTICO_ERR_HEADERS_TOO_LARGE: 'The request head is larger than the header size limit.',
  PORTICO_ERR_REQUEST_TIMEOUT: 'The client did not send the request head in time.',
  PORTICO_ERR_CLIENT_GONE: 'The client closed the connection before the response was complete.',
  PORTICO_ERR_INPUT_CONSUMED: 'tsgi.input was read after it had already been fully consumed elsewhere.',
  PORTICO_ERR_BRIDGE: 'A fetch bridge could not translate a request or response.',
  PORTICO_ERR_CLI_USAGE: 'A command-line option is unknown, missing its value, or has a bad value.',
  PORTICO_ERR_APP_NOT_FOUND: 'The module given to serve cannot be loaded, or lacks the named export.',
  PORTICO_ERR_LISTEN: 'A listening socket could not be opened (address in use, no permission, bad address).',
  PORTICO_ERR_CONFIG:
    'An option from the environment, a config file or the app module is unknown or has a bad value, or the config file cannot be read.',
  PORTICO_ERR_WORKER_BOOT:
    'A worker process failed to start (its application did not load, or it could not listen).',
  PORTICO_ERR_WORKER_DIED: 'A worker process exited when the master had not asked it to; it is replaced.',
  PORTICO_ERR_WORKER_CRASH_LOOP:
    'Workers kept dying within min-worker-lifetime of starting; the master stopped instead of respawning forever.',
  PORTICO_ERR_RELOAD_ABORTED:
    'A reload was abandoned because new workers failed to start; the old workers keep serving.',
  PORTICO_ERR_HARAKIRI:
    'A request ran longer than harakiri; its worker was killed and replaced, the client answered 504.',
  PORTICO_ERR_GRACEFUL_TIMEOUT:
    'A stopping worker did not finish its requests within graceful-timeout and was killed.',
  PORTICO_ERR_HOOK_FAILED: 'A lifecycle hook named in the config could not be loaded, or threw.',
  PORTICO_ERR_CONTROL:
    'A control endpoint (master FIFO, stats socket, pidfile, ready file, systemd notify) failed.',
  PORTICO_ERR_UWSGI_PROTOCOL:
    'A uwsgi packet is malformed (header, modifier, vars block or CONTENT_LENGTH) or its body was cut short; the connection was closed.',
  PORTICO_ERR_UWSGI_HTTP_REQUEST:
    'An HTTP request was sent to a uwsgi socket; it was answered 400 and closed.',
  PORTICO_ERR_UWSGI_PEER_REFUSED:
    'A TCP peer outside the uwsgi allow-list connected to a uwsgi socket; the connection was closed unanswered.',
  PORTICO_ERR_IMPROPERLY_CONFIGURED:
    'The web settings, a URLconf, a middleware or a view is set up wrongly (detected at startup where possible).',
  PORTICO_ERR_MIDDLEWARE_NOT_USED:
    'A middleware factory opted out at startup, so it is left out of the chain (not a failure).',
  PORTICO_ERR_NOT_FOUND: 'A view raised Http404: the requested resource does not exist (answered 404).',
  PORTICO_ERR_RESOLVER_404: 'No URL pattern matched the request path (answered 404).',
  PORTICO_ERR_NO_REVERSE_MATCH: 'reverse() found no URL pattern for the name and arguments given.',
  PORTICO_ERR_PERMISSION_DENIED:
    'A view or middleware refused the request with PermissionDenied (answered 403).',
  PORTICO_ERR_SUSPICIOUS_OPERATION:
    'The request does something the framework refuses as unsafe (answered 400).',
  PORTICO_ERR_DISALLOWED_HOST: 'The Host of the request is not in allowedHosts (answered 400).',
  PORTICO_ERR_DISALLOWED_REDIRECT: 'A redirect target uses a scheme other than http, https or ftp.',
  PORTICO_ERR_REQUEST_DATA_TOO_BIG: 'The request body is larger than dataUploadMaxMemorySize (answered 413).',
  PORTICO_ERR_TOO_MANY_FIELDS:
    'The query string has more fields than dataUploadMaxNumberFields (answered 400).',
  PORTICO_ERR_VIEW_RETURNED_NOTHING:
    'A view, or a middleware hook that must return a response, returned nothing (answered 500).',
  PORTICO_ERR_CONTENT_NOT_RENDERED:
    'The content of a TemplateResponse was read before the response was rendered.',
  PORTICO_ERR_APPEND_SLASH_BODY_LOST:
    'In debug mode, a request with a body to a URL missing its trailing slash cannot be redirected without losing the body.',
  PORTICO_ERR_UNHANDLED_EXCEPTION:
    'A view or middleware threw an error that no handler turned into a response (answered 500 and logged).',
  PORTICO_ERR_JSON_NOT_SAFE: 'JsonResponse was given data that is not a plain object while safe is true.',
  PORTICO_ERR_TOO_MANY_FILES: 'A multipart body has more files than dataUploadMaxNumberFiles (answered 400).',
  PORTICO_ERR_FILE_TOO_BIG: 'An uploaded file is larger than fileUploadMaxSize (answered 413).',
  PORTICO_ERR_MULTIPART: 'A multipart/form-data body is malformed or cut short (answered 400).',
  PORTICO_ERR_INVALID_JSON:
    'request.json() found a body that is not valid JSON; the message says where it broke (answered 400).',
  PORTICO_ERR_BODY_NOT_LOADED:
    'request.POST or request.FILES was read before the body was loaded (await request.load() first).',
  PORTICO_ERR_IMMUTABLE_QUERYDICT: 'A QueryDict of the request was changed; copy() it first.',
  PORTICO_ERR_BAD_SIGNATURE:
    'A signed value (a signed cookie) does not match its signature under any key (answered 400 if uncaught).',
  PORTICO_ERR_SIGNATURE_EXPIRED:
    'A signed value is older than the maxAge asked for (answered 400 if uncaught).',
  PORTICO_ERR_TEMPLATE_DOES_NOT_EXIST:
    'No template directory holds the template asked for; the message lists the places searched.',
  PORTICO_ERR_TEMPLATE_ERROR: 'A template has a syntax error or failed while rendering.',
  PORTICO_ERR_UNKNOWN_CONVERTER:
    'A path() route names a converter that is neither built in nor registered (an ImproperlyConfigured at startup).',
  PORTICO_ERR_VIEW_NOT_CALLABLE:
    'A URL pattern was given a view that is not a function (or a class instead of Class.asView()).',
  PORTICO_ERR_MIDDLEWARE_DEPENDENCY:
    'portico check: a middleware requires another that is missing from settings.middleware or listed after it.',
  PORTICO_ERR_DUPLICATE_URL_NAME: 'portico check: two URL patterns in one namespace have the same name.',
  PORTICO_ERR_ALLOWED_HOSTS_EMPTY:
    'portico check: allowedHosts is empty, so only localhost is served in debug mode and nothing otherwise.',
  PORTICO_ERR_SECRET_KEY_MISSING:
    'portico check: settings.secretKey is not set, so nothing can be signed safely.',
  PORTICO_ERR_SETTINGS:
    'The settings file given with --settings is missing, fails to load, or exports no settings object.',
  PORTICO_ERR_TOO_MANY_CONNECTIONS:
    'A listener already had max-connections connections open: a new one was answered 503 and closed.',
  PORTICO_ERR_ACCEPT_FAILED:
    'Accepting a connection failed (EMFILE/ENFILE: out of file descriptors); the server keeps running.',
} as const;

/** A stable Portico error code. */
export type ErrorCode = keyof typeof errorCodes;

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
