/**
 * The TSGI HTTP server: parsed requests in, environ built, application run, response out.
 */

import type { AddressInfo, Server } from 'node:net';
import { hasCode, PorticoError } from '../tsgi/errors.ts';
import type { Application, Environ } from '../tsgi/types.ts';
import type { Exchange, HttpEngine } from './engine.ts';
import { buildEnviron, type EnvironDefaults, parseTarget } from './environ.ts';
import { escapeLogValue, logError } from '../tsgi/log.ts';
import { fileWrapper } from './file-wrapper.ts';
import { ProxyTrust } from './forwarded.ts';
import { RequestInput } from './input.ts';
import { type Mount, MountTable } from './mounts.ts';
import { createHttp1Engine } from './http1/engine.ts';
import { checkTransferEncoding } from './http1/head.ts';
import { createNodeEngine } from './node-engine.ts';
import { resolveServerOptions, type ServerOptions } from './options.ts';
import { decodePathInfo } from '../tsgi/url.ts';
import { sendPlainResponse } from './plain-response.ts';
import { respond } from './respond.ts';

/** A running server. */
export interface TsgiServer {
  /** The bound address (useful with port 0). */
  readonly address: AddressInfo;
  /** `http://host:port`, for logs and tests. */
  readonly url: string;
  /**
   * The listening server, for what TSGI does not cover (its `connection` events, say): a
   * `net.Server`, an `http.Server` with `engine: 'node'`.
   */
  readonly listener: Server;
  /**
   * Stops accepting, lets in-flight requests finish, and resolves when every connection
   * is closed; after `graceMs` the rest are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The engine-independent request handler: everything between a parsed request and the
 * application. Exposed so another engine can reuse it unchanged.
 */
export function createExchangeHandler(
  mounts: readonly Mount[],
  options: ServerOptions,
): (exchange: Exchange) => void {
  const table = new MountTable(mounts);
  const rootOnly = table.rootOnly;
  const defaults: EnvironDefaults = {
    errors: options.errors,
    fileWrapper,
    multiprocess: options.multiprocess,
    proxyTrust: new ProxyTrust(options.forwardedAllowIps),
    limitRequestFieldSize: options.limitRequestFieldSize,
  };
  const { limitPost, limitRequestFields, limitRequestLine } = options;

  return (exchange) => {
    const head = exchange.head;
    if (head.protocol !== 'HTTP/1.1' && head.protocol !== 'HTTP/1.0') {
      return refuse(exchange, 505, `${head.protocol} is not supported.`);
    }
    // `METHOD SP target SP HTTP/1.x`, the line as sent, without its CRLF.
    if (limitRequestLine > 0 && head.method.length + head.target.length + 10 > limitRequestLine) {
      return refuse(exchange, 414, 'Request line too long.', 'PORTICO_ERR_HEADERS_TOO_LARGE');
    }
    const target = parseTarget(head.method, head.target);
    if (target === undefined) return refuse(exchange, 400, 'Bad Request: invalid request target.');
    if (limitRequestFields > 0 && head.rawHeaders.length > limitRequestFields * 2) {
      return refuse(exchange, 431, 'Request header fields too large.', 'PORTICO_ERR_HEADERS_TOO_LARGE');
    }
    let path = target.rawPath === '*' ? '*' : decodePathInfo(target.rawPath);
    // A prefix the front server already routed on (uwsgi's SCRIPT_NAME) stays in
    // SCRIPT_NAME, and mounts are matched below it.
    const outer = head.scriptName;
    const under =
      outer !== undefined &&
      path.startsWith(outer) &&
      (path.length === outer.length || path[outer.length] === '/');
    if (under) path = path.slice(outer.length);
    let app = rootOnly;
    let scriptName = under ? (outer as string) : '';
    let pathInfo = path;
    if (app === undefined) {
      const match = table.match(path);
      if (match === undefined) return sendPlainResponse(exchange, 404, 'Not Found');
      ({ app, pathInfo } = match);
      scriptName += match.scriptName;
    }
    const input = new RequestInput(exchange, limitPost);
    let environ: Environ;
    try {
      environ = buildEnviron(head, target, scriptName, pathInfo, input, defaults);
    } catch (error) {
      if (hasCode(error, 'PORTICO_ERR_HEADERS_TOO_LARGE')) {
        return refuse(exchange, 431, 'Request header fields too large.', 'PORTICO_ERR_HEADERS_TOO_LARGE');
      }
      return refuse(exchange, 400, `Bad Request: ${(error as Error).message}.`);
    }
    const te = environ.HTTP_TRANSFER_ENCODING as string | undefined;
    if (te !== undefined) {
      if (head.protocol === 'HTTP/1.0') {
        return refuse(exchange, 400, 'Bad Request: Transfer-Encoding is not allowed in HTTP/1.0.');
      }
      // The same rule on every engine: llhttp takes `chunked\xa0` for a coding other than
      // chunked and frames the request without a body; it is a 400 here, as in http1/.
      const error = checkTransferEncoding(te);
      if (error !== undefined) return refuse(exchange, 400, `Bad Request: ${error.message}.`);
    }
    if (limitPost > 0 && environ.CONTENT_LENGTH !== undefined && Number(environ.CONTENT_LENGTH) > limitPost) {
      // Refused before a byte of the body is read, and the connection closed so the
      // body is never read either.
      return refuse(
        exchange,
        413,
        `Request body too large (limit-post is ${limitPost} bytes).`,
        'PORTICO_ERR_BODY_TOO_LARGE',
      );
    }
    // Its promise, when there is one, never rejects (failures are answered or logged inside).
    void respond(app, environ, exchange);
  };

  function refuse(
    exchange: Exchange,
    status: number,
    text: string,
    code:
      | 'PORTICO_ERR_BAD_REQUEST'
      | 'PORTICO_ERR_HEADERS_TOO_LARGE'
      | 'PORTICO_ERR_BODY_TOO_LARGE' = 'PORTICO_ERR_BAD_REQUEST',
  ): void {
    const head = exchange.head;
    logError(
      options.errors,
      new PorticoError(
        code,
        `${status} for "${escapeLogValue(`${head.method} ${head.target}`)}" from ${head.remoteAddress}: ${text}`,
      ),
    );
    sendPlainResponse(exchange, status, text, true);
  }
}

/** The HTTP engine `options.engine` names, feeding `onExchange`. */
export function createHttpEngine(
  options: ServerOptions,
  onExchange: (exchange: Exchange) => void,
): HttpEngine {
  return options.engine === 'node'
    ? createNodeEngine(options, options.errors, onExchange)
    : createHttp1Engine(options, options.errors, onExchange);
}

/**
 * Serves a TSGI application (or several, each at its mount prefix) over HTTP/1.1.
 *
 * @example
 * ```ts
 * const server = await serve(app, { port: 8000 });
 * // ...
 * await server.close();
 * ```
 */
export async function serve(
  app: Application | readonly Mount[],
  partialOptions: Partial<ServerOptions> = {},
): Promise<TsgiServer> {
  const options = resolveServerOptions(partialOptions);
  const mounts = typeof app === 'function' ? [{ prefix: '', app }] : app;
  const engine = createHttpEngine(options, createExchangeHandler(mounts, options));
  const listener = engine.server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
      reject(
        new PorticoError(
          'PORTICO_ERR_LISTEN',
          `cannot listen on ${options.host}:${options.port}: ${reason}`,
          { cause: error },
        ),
      );
    };
    listener.once('error', onError);
    listener.listen({ port: options.port, host: options.host, backlog: options.backlog }, () => {
      listener.off('error', onError);
      resolve();
    });
  });
  const address = listener.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    address,
    url: `http://${host}:${address.port}`,
    listener,
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => engine.closeAllConnections(), graceMs);
        listener.close(() => {
          clearTimeout(timer);
          resolve();
        });
        engine.drain();
        engine.closeIdleConnections();
      });
    },
  };
}
