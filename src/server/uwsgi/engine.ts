/**
 * The uwsgi engine: connections in, one request packet parsed off each, an
 * {@link Exchange} out to the same handler the HTTP engine feeds.
 *
 * Every refusal is logged with a stable code and closes only its own connection: a
 * peer outside the allow-list (`PORTICO_ERR_UWSGI_PEER_REFUSED`, dropped unanswered), an
 * HTTP request on the uwsgi port (`PORTICO_ERR_UWSGI_HTTP_REQUEST`, answered 400 so the
 * mistake is visible), a malformed packet (`PORTICO_ERR_UWSGI_PROTOCOL`), a vars block over
 * `buffer-size` (`PORTICO_ERR_HEADERS_TOO_LARGE`) and a packet not received within
 * `header-timeout` (`PORTICO_ERR_REQUEST_TIMEOUT`).
 *
 * @module
 */
import net, { type Server, type Socket } from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';
import { logError } from '../../tsgi/log.ts';
import type { ErrorStream } from '../../tsgi/types.ts';
import type { Exchange } from '../engine.ts';
import { ConnectionBound, surviveAcceptErrors } from '../capacity.ts';
import { ProxyTrust } from '../forwarded.ts';
import { SendTimeout } from '../send-timeout.ts';
import { type ConnectionContext, UwsgiConnection } from './connection.ts';
import { UwsgiExchange } from './exchange.ts';
import type { Packet } from './packet.ts';
import { requestFromBlock } from './request.ts';
import { addIndexed, removeIndexed } from '../indexed-list.ts';

/** TCP peers allowed to speak uwsgi when none are configured: loopback only. */
export const defaultUwsgiAllow: readonly string[] = Object.freeze(['127.0.0.1', '::1']);

/** What the uwsgi engine needs from the server options. */
export interface UwsgiEngineOptions {
  /** `buffer-size`: the largest vars block accepted, in bytes (at most 65535). */
  readonly bufferSize: number;
  /** `header-timeout`: seconds a peer has to send the packet (and between body reads). */
  readonly headerTimeout: number;
  /** Where refusals are logged. */
  readonly errors: ErrorStream;
  /**
   * TCP peers that may speak uwsgi (IPs, CIDRs, or `*`); default loopback. A uwsgi peer
   * chooses REMOTE_ADDR, the scheme and every header, so it must be the trusted front
   * server. Unix-socket peers are always allowed (file permissions guard them).
   */
  readonly uwsgiAllow?: readonly string[];
  /** `max-connections`: connections kept open at once; past it, 503 and close. 0 or absent: no bound. */
  readonly maxConnections?: number;
  /** `send-timeout`: seconds a response may wait on a peer that reads nothing; 0 or absent: no bound. */
  readonly sendTimeout?: number;
}

/** A uwsgi engine bound to a `net.Server`. */
export interface UwsgiEngine {
  readonly server: Server;
  /**
   * Stops accepting, lets connections in progress finish their one request, and resolves
   * when all are closed; after `graceMs` the rest are cut.
   */
  close(graceMs?: number): Promise<void>;
}

function ignore(): void {}

function peerOf(socket: Socket): string {
  return socket.remoteAddress === undefined
    ? 'a unix-socket peer'
    : `${socket.remoteAddress}:${socket.remotePort ?? '?'}`;
}

/**
 * Makes `server` (a new `net.Server` when omitted) serve uwsgi: every connection it
 * accepts carries one request, handed to `onExchange` (usually from
 * `createExchangeHandler`). The caller listens (see `listenUwsgi`).
 *
 * @example
 * ```ts
 * const engine = createUwsgiEngine(options, createExchangeHandler(mounts, options));
 * await listenUwsgi(engine.server, { path: '/run/app.sock', mode: 0o660 });
 * ```
 */
export function createUwsgiEngine(
  options: UwsgiEngineOptions,
  onExchange: (exchange: Exchange) => void,
  server: Server = net.createServer(),
): UwsgiEngine {
  const trust = new ProxyTrust(options.uwsgiAllow ?? defaultUwsgiAllow);
  const timeoutMs = options.headerTimeout * 1000;
  const errors = options.errors;

  const refuse = (socket: Socket, error: unknown) => {
    if (!(error instanceof PorticoError)) return logError(errors, error);
    logError(errors, new PorticoError(error.code, `${error.message} (from ${peerOf(socket)})`));
  };

  surviveAcceptErrors(server, errors);
  const bound = new ConnectionBound(options.maxConnections ?? 0, errors);
  const sendTimeout = new SendTimeout(options.sendTimeout ?? 0, errors);
  const checkSends = sendTimeout.enabled;
  // Whether the server listens on a unix socket: asked once, not per connection (a
  // `getsockname` system call where the process accepts itself).
  let listeningUnix: boolean | undefined;

  const dispatch = (socket: Socket, packet: Packet) => {
    const tcp = listeningUnix !== true;
    let exchange: UwsgiExchange;
    try {
      const { head, contentLength } = requestFromBlock(
        packet.data,
        packet.blockStart,
        packet.blockEnd,
        socket,
      );
      // Body bytes still to come wait in the socket until the application reads them.
      if (packet.rest.length < contentLength) socket.pause();
      exchange = new UwsgiExchange(socket, head, contentLength, packet.rest, timeoutMs, tcp);
    } catch (error) {
      refuse(socket, error);
      socket.destroy();
      return undefined;
    }
    try {
      onExchange(exchange);
    } catch (error) {
      logError(errors, error);
      socket.destroy();
    }
    return exchange;
  };

  // One timer sweeps every connection's header deadline and send-timeout: a timer (or a
  // listener) per connection would cost more than the request. It runs often enough that
  // a 1 s header-timeout fires within 1.25 s.
  // Not a Set (see indexed-list.ts): here its scavenges were most of the worker's GC.
  const connections: UwsgiConnection[] = [];
  const sweepMs = Math.max(10, Math.min(1000, timeoutMs / 4, checkSends ? sendTimeout.sweepMs : Infinity));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    // Stopped here, not when the last connection closes: one connection at a time would
    // otherwise start and stop the timer per connection.
    if (connections.length === 0) return stopSweeping();
    const now = Date.now();
    // Backwards: a connection removed meanwhile is replaced by the last, already visited.
    for (let i = connections.length - 1; i >= 0; i--) {
      const connection = connections[i] as UwsgiConnection;
      if (connection.deadline !== 0) {
        if (connection.deadline <= now) connection.expire();
      } else if (checkSends) {
        sendTimeout.check(connection.socket, connection, now);
      }
    }
  };
  const stopSweeping = () => {
    if (sweeper !== undefined) clearInterval(sweeper);
    sweeper = undefined;
  };
  const context: ConnectionContext = {
    bufferSize: options.bufferSize,
    headerTimeout: options.headerTimeout,
    refuse,
    dispatch,
    closed(connection) {
      removeIndexed(connections, connection);
      bound.release();
      connection.exchange?.socketClosed();
    },
  };
  server.on('close', stopSweeping);

  server.on('connection', (socket: Socket) => {
    if (!bound.admit(socket)) return;
    // Errors (resets, writes after the peer left) end in 'close'; there is nothing to report.
    socket.on('error', ignore);
    const unix = (listeningUnix ??= typeof server.address() === 'string');
    if (!unix && !trust.trusts(socket.remoteAddress)) {
      refuse(
        socket,
        new PorticoError(
          'PORTICO_ERR_UWSGI_PEER_REFUSED',
          'peer is not in uwsgi-allow; connection dropped (add the front server to --uwsgi-allow)',
        ),
      );
      bound.release();
      socket.destroy();
      return;
    }
    // Unix sockets have no Nagle to turn off; TCP ones are asked once, here.
    if (!unix) socket.setNoDelay(true);
    const connection = new UwsgiConnection(socket, context, Date.now());
    addIndexed(connections, connection);
    if (sweeper === undefined) {
      sweeper = setInterval(sweep, sweepMs);
      sweeper.unref();
    }
  });

  return {
    server,
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const connection of connections.slice()) connection.socket.destroy();
        }, graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
