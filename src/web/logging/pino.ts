/**
 * Structured logging with pino: a `WebLogger` that writes the framework's error reports
 * as JSON (with the error's stack), and a middleware that writes one line per request
 * (method, path, status, duration, request id) when the response is over.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { environKey } from '../../tsgi/headers.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response-base.ts';
import type { LogContext, WebLogger } from './logger.ts';
import type {
  GetResponse,
  MiddlewareContext,
  MiddlewareFactory,
  MiddlewareFunction,
} from '../middleware/types.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';

/** The environ key holding the request id. */
export const REQUEST_ID_KEY = 'portico.request_id';

/** The request id the logging middleware gave this request, if any. */
export function requestIdOf(request: HttpRequest): string | undefined {
  const id = request.META[REQUEST_ID_KEY];
  return typeof id === 'string' ? id : undefined;
}

function requestFields(request: HttpRequest): Record<string, unknown> {
  return { reqId: requestIdOf(request), method: request.method, path: request.path };
}

/** A {@link WebLogger} writing to pino; `pino` is the underlying logger. */
export interface PinoWebLogger extends WebLogger {
  readonly pino: pino.Logger;
}

/**
 * A `settings.logger` that writes JSON lines through pino: 4xx reports as `warn`, 5xx as
 * `error` with the error (message, type, stack, `code`) under `err`, each with the
 * request id, method and path.
 *
 * @param logger - a pino logger, or options for a new one (default: info level, to stdout).
 * @param destination - where a new logger writes (default stdout).
 */
export function pinoLogger(
  logger: pino.Logger | pino.LoggerOptions = {},
  destination?: pino.DestinationStream,
): PinoWebLogger {
  // The type arguments spelt out: inferred, they differ from `pino.Logger`'s, and relating the
  // two made the type checker work out pino's variance (~0.3 s per program).
  const instance = isPinoLogger(logger)
    ? logger
    : destination === undefined
      ? pino<never, boolean>({ name: 'portico', ...logger })
      : pino<never, boolean>({ name: 'portico', ...logger }, destination);
  const fields = (context: LogContext) => ({
    ...requestFields(context.request),
    status: context.statusCode,
    code: context.code,
  });
  return {
    pino: instance,
    warning(message, context) {
      instance.warn(fields(context), message);
    },
    error(message, context) {
      instance.error({ ...fields(context), err: context.error }, message);
    },
  };
}

function isPinoLogger(value: unknown): value is pino.Logger {
  return (
    typeof (value as pino.Logger).child === 'function' && typeof (value as pino.Logger).info === 'function'
  );
}

/** Options of {@link requestLogging}. */
export interface RequestLoggingOptions {
  /**
   * The logger for request lines. Default: `settings.logger`'s pino when it is a
   * {@link pinoLogger}, else a new pino logger to stdout.
   */
  logger?: pino.Logger;
  /**
   * A request header whose value becomes the request id when it looks like one (set by a
   * trusted proxy or load balancer); `null` to always generate one. Default `X-Request-Id`.
   */
  requestIdHeader?: string | null;
  /** Response header carrying the request id back. `null` for none. Default `X-Request-Id`. */
  responseIdHeader?: string | null;
}

// Ids from outside go into logs: only short, plain tokens are accepted (no log injection).
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A middleware (put it first) that gives each request an id (`META['portico.request_id']`,
 * echoed in `X-Request-Id`) and logs one line when the server closes the response, so the
 * duration includes streaming the body:
 * `{"level":30,"reqId":"…","method":"GET","path":"/","status":200,"durationMs":1.2,"msg":"request"}`.
 * 5xx lines are `error`, 4xx `warn`, the rest `info`.
 */
export function requestLogging(options: RequestLoggingOptions = {}): MiddlewareFactory {
  const { requestIdHeader = 'X-Request-Id', responseIdHeader = 'X-Request-Id' } = options;
  return function RequestLogMiddleware(
    getResponse: GetResponse,
    context: MiddlewareContext,
  ): MiddlewareFunction {
    const fromSettings = (context.settings.logger as Partial<PinoWebLogger>).pino;
    const logger = options.logger ?? fromSettings ?? pino<never, boolean>({ name: 'portico' });
    const incoming = requestIdHeader === null ? null : environKey(requestIdHeader);
    const finish = (request: HttpRequest, response: HttpResponseBase, start: number): HttpResponseBase => {
      const id = requestIdOf(request) as string;
      if (responseIdHeader !== null) response.headers.set(responseIdHeader, id);
      response.addCloser(() => {
        const status = response.statusCode;
        const line = {
          ...requestFields(request),
          status,
          durationMs: Math.round((performance.now() - start) * 1000) / 1000,
        };
        if (status >= 500) logger.error(line, 'request');
        else if (status >= 400) logger.warn(line, 'request');
        else logger.info(line, 'request');
      });
      return response;
    };
    return (request: HttpRequest): MaybePromise<HttpResponseBase> => {
      const start = performance.now();
      const given = incoming === null ? undefined : request.META[incoming];
      request.META[REQUEST_ID_KEY] = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
      const response = getResponse(request);
      return isPromise(response)
        ? response.then((r) => finish(request, r, start))
        : finish(request, response, start);
    };
  };
}
