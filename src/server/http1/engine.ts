/**
 * Portico's HTTP/1.1 engine: a `node:net` server whose connections parse requests with
 * the hand-written parser of this folder and hand {@link Exchange}s to the server.
 *
 * Why not `node:http`: its request and response objects are streams with events, built
 * and validated per request, and they cost more CPU than the whole TSGI path. Here a
 * request is one object, its head is parsed from one string, and a small response is one
 * write. `node:http` stays available (`engine: 'node'`) behind the same interface.
 *
 * @module
 */
import net from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';
import { escapeLogValue, logError } from '../../tsgi/log.ts';
import type { ErrorStream } from '../../tsgi/types.ts';
import type { Exchange, HttpEngine } from '../engine.ts';
import type { ServerOptions } from '../options.ts';
import { boundConnections, surviveAcceptErrors } from '../capacity.ts';
import { SendTimeout } from '../send-timeout.ts';
import { addIndexed, removeIndexed } from '../indexed-list.ts';
import { Connection, type ConnectionContext } from './connection.ts';
import type { Http1Exchange } from './exchange.ts';
import type { HeadError } from './head.ts';

// Bytes of an unread request body skipped after its response to keep the connection
// alive; a larger remainder closes the connection instead (reading it costs more than
// the client's reconnect).
const DISCARD_LIMIT = 256 * 1024;

function refusalCode(status: number) {
  if (status === 431) return 'PORTICO_ERR_HEADERS_TOO_LARGE' as const;
  if (status === 408) return 'PORTICO_ERR_REQUEST_TIMEOUT' as const;
  return 'PORTICO_ERR_BAD_REQUEST' as const;
}

/**
 * Creates the engine: every connection `server` accepts is parsed as HTTP/1.1, and each
 * request is handed to `onExchange`, in order per connection.
 */
export function createHttp1Engine(
  options: ServerOptions,
  errors: ErrorStream,
  onExchange: (exchange: Exchange) => void,
): HttpEngine {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true });
  // Not a Set: see indexed-list.ts.
  const connections: Connection[] = [];
  const headerTimeoutMs = options.headerTimeout * 1000;
  const keepaliveTimeoutMs = options.keepaliveTimeout * 1000;
  let draining = false;

  const context: ConnectionContext = {
    bufferSize: options.bufferSize,
    headerTimeoutMs,
    keepaliveTimeoutMs,
    maxRequests: options.maxRequestsPerConnection,
    discardLimit: options.limitPost > 0 ? Math.min(DISCARD_LIMIT, options.limitPost) : DISCARD_LIMIT,
    get draining() {
      return draining;
    },
    onExchange(exchange: Http1Exchange) {
      try {
        onExchange(exchange);
      } catch (error) {
        // The handler answers every failure itself; this is a bug's last line of defence.
        logError(errors, error);
        exchange.abort();
      }
    },
    refused(connection: Connection, error: HeadError, what: string) {
      // The bytes as they came, up to the first CRLF, escaped: they may hold a bare LF.
      const line = what.indexOf('\r\n') === -1 ? what : what.slice(0, what.indexOf('\r\n'));
      const request = what === '' ? '' : ` for "${escapeLogValue(line)}"`;
      logError(
        errors,
        new PorticoError(
          refusalCode(error.status),
          `${error.status}${request} from ${connection.remoteAddress || '?'}: ${error.message}`,
        ),
      );
    },
    closed(connection: Connection) {
      removeIndexed(connections, connection);
    },
  };

  surviveAcceptErrors(server, errors);
  const refused = boundConnections(server, options.maxConnections, errors);
  const sendTimeout = new SendTimeout(options.sendTimeout, errors);
  const checkSends = sendTimeout.enabled;

  // One timer sweeps every connection's deadline and send-timeout: per-request timers would
  // cost more than the requests. It runs often enough that a 1 s timeout fires within 1.5 s.
  const sweepMs = Math.max(
    10,
    Math.min(1000, headerTimeoutMs / 2, keepaliveTimeoutMs / 2, checkSends ? sendTimeout.sweepMs : Infinity),
  );
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    // Stopped here, not when the last connection closes: one connection at a time would
    // otherwise start and stop the timer per connection.
    if (connections.length === 0) return stopSweeping();
    const now = Date.now();
    // Backwards: a connection removed meanwhile is replaced by the last, already visited.
    for (let i = connections.length - 1; i >= 0; i--) {
      const connection = connections[i] as Connection;
      if (connection.deadline !== 0 && connection.deadline <= now) connection.expire();
      else if (checkSends) sendTimeout.check(connection.socket, connection, now);
    }
  };
  const stopSweeping = () => {
    if (sweeper !== undefined) clearInterval(sweeper);
    sweeper = undefined;
  };

  server.on('connection', (socket: net.Socket) => {
    if (refused(socket)) return;
    const connection = new Connection(socket, context);
    if (!socket.destroyed) addIndexed(connections, connection);
    if (sweeper === undefined) {
      sweeper = setInterval(sweep, sweepMs);
      sweeper.unref();
    }
  });
  server.on('close', stopSweeping);

  return {
    server,
    drain() {
      draining = true;
    },
    closeIdleConnections() {
      // A copy: a connection closed here leaves the list at once.
      for (const connection of [...connections]) connection.closeIfIdle();
    },
    closeAllConnections() {
      for (const connection of [...connections]) connection.destroy();
    },
  };
}
