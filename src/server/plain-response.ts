/**
 * The server's own short responses (400, 413, 431, 500...): a status line, a one-line
 * text body, and for refusals a closed connection.
 */
import { reasonPhrase } from '../tsgi/status.ts';
import { httpDate } from './date.ts';
import type { Exchange } from './engine.ts';

/** Sends `status` with a short text body; `close` also ends the connection. */
export function sendPlainResponse(exchange: Exchange, status: number, text: string, close = false): void {
  const body = `${text}\n`;
  const headers = [
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
  ];
  if (close) headers.push('Connection', 'close');
  exchange.writeHead(status, reasonPhrase(status), headers);
  exchange.end(body);
}

/** The same response as raw bytes, for a socket the HTTP engine has given up on. */
export function rawPlainResponse(status: number, text: string): string {
  const body = `${text}\n`;
  return (
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nDate: ${httpDate()}\r\nConnection: close\r\n\r\n${body}`
  );
}
