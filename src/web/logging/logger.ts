/**
 * Where error responses are reported (Django's `django.request` logger): the `WebLogger`
 * contract, the default one (the request's `tsgi.errors`), and the call the handler makes.
 *
 * @module
 */
import type { ErrorCode } from '../../tsgi/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response-base.ts';

/** What a log record carries besides its message. */
export interface LogContext {
  readonly request: HttpRequest;
  readonly statusCode: number;
  /** The error that caused the response, if any. */
  readonly error?: unknown;
  /** A Portico error code to search logs by. */
  readonly code?: ErrorCode | undefined;
}

/** Where the framework reports 4xx (warning) and 5xx (error) responses. */
export interface WebLogger {
  warning(message: string, context: LogContext): void;
  error(message: string, context: LogContext): void;
}

function write(request: HttpRequest, text: string): void {
  const stream = request.META['tsgi.errors'];
  if (stream && typeof stream.write === 'function') {
    stream.write(text);
    stream.flush?.();
  } else {
    process.stderr.write(text);
  }
}

function format(level: string, message: string, context: LogContext): string {
  const code = context.code ? ` [${context.code}]` : '';
  const error = context.error;
  const detail =
    error instanceof Error
      ? `\n${error.stack ?? `${error.name}: ${error.message}`}`
      : error !== undefined
        ? `\n${String(error)}`
        : '';
  return `${level}${code} ${message}${detail}\n`;
}

/**
 * The default logger: writes to the request's `tsgi.errors` stream. Errors are always
 * written; warnings (4xx) only in debug mode, as Django's default logging does.
 */
export const defaultLogger: WebLogger = {
  warning(message, context) {
    if (context.request.settings.debug) write(context.request, format('WARNING', message, context));
  },
  error(message, context) {
    write(context.request, format('ERROR', message, context));
  },
};

const logged = new WeakSet<HttpResponseBase>();

/**
 * Logs an error response once (later calls for the same response do nothing): an error
 * for 5xx, a warning for 4xx, nothing below.
 */
export function logResponse(
  logger: WebLogger,
  message: string,
  request: HttpRequest,
  response: HttpResponseBase,
  error?: unknown,
  code?: ErrorCode,
): void {
  const status = response.statusCode;
  if (status < 400 || logged.has(response)) return;
  logged.add(response);
  const context: LogContext = { request, statusCode: status, error, code };
  if (status >= 500) logger.error(`${message}: ${request.path}`, context);
  else logger.warning(`${message}: ${request.path}`, context);
}
