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
import { boundConnections, surviveAcceptErrors } from '../capacity.ts';
import { ProxyTrust } from '../forwarded.ts';
import { rawPlainResponse } from '../plain-response.ts';
import { SendTimeout } from '../send-timeout.ts';
import { closeGracefully, UwsgiExchange } from './exchange.ts';
import { type Packet, PacketReader } from './packet.ts';
import { requestFromVars } from './request.ts';

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
  const sockets = new Set<Socket>();

  const refuse = (socket: Socket, error: unknown) => {
    if (!(error instanceof PorticoError)) return logError(errors, error);
    logError(errors, new PorticoError(error.code, `${error.message} (from ${peerOf(socket)})`));
  };

  surviveAcceptErrors(server, errors);
  const overCapacity = boundConnections(server, options.maxConnections ?? 0, errors);
  const sendTimeout = new SendTimeout(options.sendTimeout ?? 0, errors);
  server.on('close', () => sendTimeout.stop());
  // Whether the server listens on a unix socket: asked once, not per connection (a
  // `getsockname` system call where the process accepts itself).
  let listeningUnix: boolean | undefined;
  server.on('connection', (socket: Socket) => {
    if (overCapacity(socket)) return;
    sendTimeout.track(socket);
    // Errors (resets, writes after the peer left) end in 'close'; there is nothing to report.
    socket.on('error', () => {});
    const unix = (listeningUnix ??= typeof server.address() === 'string');
    if (!unix && !trust.trusts(socket.remoteAddress)) {
      refuse(
        socket,
        new PorticoError(
          'PORTICO_ERR_UWSGI_PEER_REFUSED',
          'peer is not in uwsgi-allow; connection dropped (add the front server to --uwsgi-allow)',
        ),
      );
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);

    const reader = new PacketReader(options.bufferSize);
    const timer = setTimeout(() => {
      socket.off('data', onData);
      refuse(
        socket,
        new PorticoError(
          'PORTICO_ERR_REQUEST_TIMEOUT',
          `uwsgi packet not received within ${options.headerTimeout} s (${reader.received} bytes in)`,
        ),
      );
      socket.destroy();
    }, timeoutMs);
    socket.once('close', () => clearTimeout(timer));

    const onData = (chunk: Buffer) => {
      let packet: Packet | undefined;
      try {
        packet = reader.push(chunk);
      } catch (error) {
        clearTimeout(timer);
        socket.off('data', onData);
        refuse(socket, error);
        if ((error as PorticoError).code === 'PORTICO_ERR_UWSGI_HTTP_REQUEST') {
          closeGracefully(
            socket,
            rawPlainResponse(
              400,
              'This is a uwsgi socket, not HTTP: point nginx at it with uwsgi_pass, or send HTTP to the HTTP port.',
            ),
          );
        } else {
          socket.destroy();
        }
        return;
      }
      if (packet === undefined) return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      dispatch(socket, packet, unix);
    };
    socket.on('data', onData);
  });

  const dispatch = (socket: Socket, packet: Packet, unix: boolean) => {
    let exchange: UwsgiExchange;
    try {
      const { head, contentLength } = requestFromVars(packet.vars, socket);
      exchange = new UwsgiExchange(socket, head, contentLength, packet.rest, timeoutMs, !unix);
    } catch (error) {
      refuse(socket, error);
      socket.destroy();
      return;
    }
    try {
      onExchange(exchange);
    } catch (error) {
      logError(errors, error);
      socket.destroy();
    }
  };

  return {
    server,
    close(graceMs = 10_000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
