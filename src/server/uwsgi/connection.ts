/**
 * One uwsgi connection until its request packet is in: the bytes gathered, the
 * `header-timeout` deadline, and the refusals that close it.
 *
 * Behind nginx's `uwsgi_pass` every request is a new connection, so what is set up per
 * connection is set up per request: no timer here (the engine sweeps every connection's
 * deadline on one interval, as the HTTP engine does), one `'data'` and one `'close'`
 * listener, and nothing more until the packet is complete.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { PorticoError } from '../../tsgi/errors.ts';
import { rawPlainResponse } from '../plain-response.ts';
import { closeGracefully, type UwsgiExchange } from './exchange.ts';
import { type Packet, PacketReader } from './packet.ts';

/** What a connection needs from its engine. */
export interface ConnectionContext {
  readonly bufferSize: number;
  readonly headerTimeout: number;
  /** A refusal to log, with the peer named. */
  refuse(socket: Socket, error: unknown): void;
  /** The packet is in: build the exchange and run it; returns it, unless the packet was refused. */
  dispatch(socket: Socket, packet: Packet): UwsgiExchange | undefined;
  /** The socket closed. */
  closed(connection: UwsgiConnection): void;
}

const HTTP_ON_UWSGI =
  'This is a uwsgi socket, not HTTP: point nginx at it with uwsgi_pass, or send HTTP to the HTTP port.';

/** A connection's packet phase; afterwards it only waits for its socket to close. */
export class UwsgiConnection {
  readonly socket: Socket;
  /** When the packet must be in (ms since the epoch); 0 once it is, or the connection was refused. */
  deadline: number;
  /** send-timeout's watch on the response (see `SendTimeout.check`). */
  sent = 0;
  since = 0;
  /** Its place in the engine's list of open connections. */
  index = 0;
  /** The request's exchange, once the packet is in and was not refused. */
  exchange: UwsgiExchange | undefined = undefined;
  readonly #context: ConnectionContext;
  #reader: PacketReader | undefined;
  readonly #onData = (chunk: Buffer) => this.#read(chunk);

  constructor(socket: Socket, context: ConnectionContext, now: number) {
    this.socket = socket;
    this.#context = context;
    this.deadline = now + context.headerTimeout * 1000;
    socket.on('data', this.#onData);
    socket.on('close', () => context.closed(this));
  }

  /** Called by the engine's sweep once the deadline has passed. */
  expire(): void {
    if (this.deadline === 0) return;
    this.#stopReading();
    this.#context.refuse(
      this.socket,
      new PorticoError(
        'PORTICO_ERR_REQUEST_TIMEOUT',
        `uwsgi packet not received within ${this.#context.headerTimeout} s (${this.#reader?.received ?? 0} bytes in)`,
      ),
    );
    this.socket.destroy();
  }

  #stopReading(): void {
    this.deadline = 0;
    this.socket.off('data', this.#onData);
  }

  #read(chunk: Buffer): void {
    const reader = (this.#reader ??= new PacketReader(this.#context.bufferSize));
    let packet: Packet | undefined;
    try {
      packet = reader.push(chunk);
    } catch (error) {
      this.#stopReading();
      this.#context.refuse(this.socket, error);
      if ((error as PorticoError).code === 'PORTICO_ERR_UWSGI_HTTP_REQUEST') {
        closeGracefully(this.socket, rawPlainResponse(400, HTTP_ON_UWSGI));
      } else {
        this.socket.destroy();
      }
      return;
    }
    if (packet === undefined) return;
    this.#stopReading();
    this.exchange = this.#context.dispatch(this.socket, packet);
  }
}
