/**
 * A raw uwsgi client for tests: sends exact bytes (at once, or one byte at a time) over TCP
 * or a unix socket and collects everything until the server closes.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after } from 'node:test';
import { memoryErrors } from '../../helpers/apps.ts';
import { serveUwsgi, type UwsgiServeOptions, type UwsgiServer } from '../../../src/server/index.ts';
import type { Mount } from '../../../src/server/mounts.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import type { UwsgiVar } from '../../../src/server/uwsgi/packet.ts';

/** TCP port, or unix socket path. */
export type Where = number | string;

/** What came back. */
export interface UwsgiResult {
  data: Buffer;
  /** True when the server closed (FIN or reset); false when we gave up waiting. */
  closed: boolean;
  /** True when the server reset the connection. */
  reset: boolean;
}

function open(where: Where): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      typeof where === 'number'
        ? connect(where, '127.0.0.1', () => resolve(socket))
        : connect(where, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `bytes` and reads until the server closes the connection or `maxMs` passes. */
export async function uwsgiRequest(
  where: Where,
  bytes: Uint8Array,
  {
    byteByByte = false,
    maxMs = 5000,
    endAfter = false,
  }: { byteByByte?: boolean; maxMs?: number; endAfter?: boolean } = {},
): Promise<UwsgiResult> {
  const socket = await open(where);
  const chunks: Buffer[] = [];
  let reset = false;
  const done = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), maxMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') reset = true;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (byteByByte) {
    for (const byte of bytes) {
      if (socket.destroyed) break;
      socket.write(Uint8Array.of(byte));
      await sleep(1);
    }
  } else {
    socket.write(bytes);
  }
  if (endAfter) socket.end();
  const closed = await done;
  socket.destroy();
  return { data: Buffer.concat(chunks), closed, reset };
}

/** Starts a uwsgi server on a free loopback port, closed after the test file. */
export async function startUwsgi(
  app: Application | Mount[],
  options: Partial<UwsgiServeOptions> = {},
): Promise<UwsgiServer & { port: number; errors: ReturnType<typeof memoryErrors> }> {
  const errors = memoryErrors();
  const server = await serveUwsgi(app, { uwsgi: { host: '127.0.0.1', port: 0 }, errors, ...options });
  after(() => server.close(100));
  const port = typeof server.address === 'string' ? 0 : server.address.port;
  return Object.assign(server, { port, errors });
}

/** Polls `check` until true (log lines are written asynchronously to the connection's end). */
export async function eventually(check: () => boolean, maxMs = 2000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** The worked example of the reference notes (section 1.10): POST /echo?x=1 with body "hello". */
export const WORKED_EXAMPLE = Buffer.from(
  '009900000e00524551554553545f4d4554484f440400504f53540b00524551554553545f55524909002f6563686f3f783d31' +
    '0900504154485f494e464f05002f6563686f0c0051554552595f535452494e470300783d310f005345525645525f50524f544f434f4c' +
    '0800485454502f312e310e00434f4e54454e545f4c454e4754480100350900485454505f484f53540b006578616d706c652e636f6d' +
    '68656c6c6f',
  'hex',
);

export const WORKED_VARS: UwsgiVar[] = [
  ['REQUEST_METHOD', 'POST'],
  ['REQUEST_URI', '/echo?x=1'],
  ['PATH_INFO', '/echo'],
  ['QUERY_STRING', 'x=1'],
  ['SERVER_PROTOCOL', 'HTTP/1.1'],
  ['CONTENT_LENGTH', '5'],
  ['HTTP_HOST', 'example.com'],
];
