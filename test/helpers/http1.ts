/**
 * Fixtures for the HTTP/1.1 conformance suite (`test/server/http1-*.test.ts`), which every
 * engine must pass over real loopback sockets: the engines under test, a raw client whose
 * every wait is bounded, a strict response parser (a server framing error fails the test
 * instead of being papered over), and small recording applications.
 */
import { after } from 'node:test';
import { connect, type Socket } from 'node:net';
import type { ServerOptions } from '../../src/server/options.ts';
import type { Application, Environ } from '../../src/tsgi/types.ts';
import { startServer } from './apps.ts';

type Engine = ServerOptions['engine'];

/** The engines to run the suite against (both by default; `PORTICO_TEST_ENGINES=node` for one). */
export const ENGINES: Engine[] = (process.env.PORTICO_TEST_ENGINES ?? 'portico,node')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is Engine => name === 'portico' || name === 'node');

/** Starts a server on the given engine (closed after the test file). */
export function startEngine(
  engine: Engine,
  app: Application | { prefix: string; app: Application }[],
  options: Partial<ServerOptions> = {},
): ReturnType<typeof startServer> {
  return startServer(app, { ...options, engine });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection naming `what` after `ms`: no test may hang. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A GET (or other bodiless request) in HTTP/1.1 form. */
export function get(path: string, extra = '', method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
}

/** A POST with a Content-Length body. */
export function post(path: string, body: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

/** One response, framed strictly. */
export interface Response {
  version: string;
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
  /** True when the body came chunked. */
  chunked: boolean;
  /** All values of a header, case-insensitively, joined with `, `. */
  header(name: string): string | undefined;
}

class FramingError extends Error {}

/**
 * Splits `data` into the complete responses at its start. `methods` are the requests'
 * methods in order (a HEAD response has no body); `closed` completes a body delimited by
 * the end of the connection. Throws when the server's own framing is malformed.
 */
export function splitResponses(
  data: Buffer,
  { methods = [], closed = false }: { methods?: string[]; closed?: boolean } = {},
): { responses: Response[]; rest: Buffer } {
  const responses: Response[] = [];
  let offset = 0;
  let finals = 0;
  for (;;) {
    const start = offset;
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const [statusLine = '', ...lines] = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const match = /^(HTTP\/1\.[01]) (\d{3}) (.*)$/.exec(statusLine);
    if (match === null) throw new FramingError(`not a status line: ${JSON.stringify(statusLine)}`);
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new FramingError(`not a header line: ${JSON.stringify(line)}`);
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const header = (name: string) => {
      const values = headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
      return values.length === 0 ? undefined : values.join(', ');
    };
    const status = Number(match[2]);
    offset = headEnd + 4;
    const response = { version: match[1] as string, status, reason: match[3] as string, headers, header };
    if (status < 200) {
      responses.push({ ...response, body: Buffer.alloc(0), chunked: false });
      continue;
    }
    const isHead = methods[finals] === 'HEAD';
    const te = header('transfer-encoding')?.toLowerCase();
    let body: Buffer;
    let chunked = false;
    if (isHead || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (te !== undefined) {
      if (te !== 'chunked') throw new FramingError(`unexpected Transfer-Encoding: ${te}`);
      chunked = true;
      const parts: Buffer[] = [];
      let complete = false;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', offset);
        if (lineEnd === -1) break;
        const sizeText = data.subarray(offset, lineEnd).toString('latin1').split(';')[0] as string;
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new FramingError(`bad chunk size ${sizeText}`);
        const size = Number.parseInt(sizeText, 16);
        if (size === 0) {
          const trailerEnd = data.indexOf('\r\n\r\n', lineEnd);
          const bare = data.subarray(lineEnd, lineEnd + 4).toString('latin1') === '\r\n\r\n';
          if (bare) offset = lineEnd + 4;
          else if (trailerEnd !== -1) offset = trailerEnd + 4;
          else break;
          complete = true;
          break;
        }
        if (data.length < lineEnd + 2 + size + 2) break;
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        if (data.subarray(lineEnd + 2 + size, lineEnd + 4 + size).toString('latin1') !== '\r\n') {
          throw new FramingError('no CRLF after chunk data');
        }
        offset = lineEnd + 4 + size;
      }
      if (!complete) {
        offset = start;
        break;
      }
      body = Buffer.concat(parts);
    } else if (header('content-length') !== undefined) {
      const length = Number(header('content-length'));
      if (data.length < offset + length) {
        offset = start;
        break;
      }
      body = data.subarray(offset, offset + length);
      offset += length;
    } else {
      if (!closed) {
        offset = start;
        break;
      }
      body = data.subarray(offset);
      offset = data.length;
    }
    finals++;
    responses.push({ ...response, body, chunked });
  }
  return { responses, rest: data.subarray(offset) };
}

/** A raw client connection; every wait is bounded and the socket is destroyed after the file. */
export class RawClient {
  readonly socket: Socket;
  readonly #chunks: Buffer[] = [];
  #data: Buffer | undefined;
  /** Bytes received so far (cheaper than `data.length` on big transfers). */
  received = 0;
  readonly #waiters = new Set<() => void>();
  /** True once the server ended or reset the connection. */
  closed = false;
  /** When the connection closed (Date.now()). */
  closedAt = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#data = undefined;
      this.received += chunk.length;
      this.#wake();
    });
    const onClose = () => {
      if (!this.closed) this.closedAt = Date.now();
      this.closed = true;
      this.#wake();
    };
    socket.on('end', onClose);
    socket.on('close', onClose);
    socket.on('error', onClose);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        const client = new RawClient(socket);
        after(() => client.destroy());
        resolve(client);
      });
      socket.once('error', reject);
    });
  }

  /** Everything received so far. */
  get data(): Buffer {
    this.#data ??= Buffer.concat(this.#chunks);
    return this.#data;
  }

  get text(): string {
    return this.data.toString('latin1');
  }

  write(bytes: string | Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Sends `bytes` one byte per write, `gapMs` apart. */
  async trickle(bytes: string | Uint8Array, gapMs = 1): Promise<void> {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    for (let i = 0; i < buffer.length && !this.closed; i++) {
      this.write(buffer.subarray(i, i + 1));
      await sleep(gapMs);
    }
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Resolves once `predicate` holds; rejects after `ms`, or at once if the connection closed first. */
  until(predicate: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error === undefined) resolve();
        else reject(error);
      };
      const fail = (why: string) =>
        settle(new Error(`${what}: ${why}; received ${JSON.stringify(this.text.slice(0, 600))}`));
      const check = () => {
        try {
          if (predicate()) settle();
          else if (this.closed) fail('the connection closed first');
        } catch (error) {
          settle(error as Error);
        }
      };
      const timer = setTimeout(() => fail(`not within ${ms} ms`), ms);
      this.#waiters.add(check);
      check();
    });
  }

  /** The responses received so far (strictly framed). */
  parse(methods: string[] = []): Response[] {
    return splitResponses(this.data, { methods, closed: this.closed }).responses;
  }

  /** Waits for `count` final (non-1xx) responses and returns every response received. */
  async responses(count: number, { methods = [], ms = 3000 }: { methods?: string[]; ms?: number } = {}) {
    let got: Response[] = [];
    const finals = () => got.filter((r) => r.status >= 200).length;
    await this.until(
      () => {
        got = this.parse(methods);
        return finals() >= count;
      },
      ms,
      `waiting for ${count} response(s)`,
    );
    return got;
  }

  /** True when the server closes the connection within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    try {
      await this.until(() => this.closed, ms, 'waiting for close');
      return true;
    } catch {
      return this.closed;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One request as a recording application saw it. */
export interface Seen {
  method: string;
  path: string;
  protocol: string;
  body?: Buffer;
  error?: string;
}

/**
 * An application that records every call, reads the whole body, and answers with it
 * (one chunk, so with a Content-Length) and `X-Seen: METHOD PATH_INFO`. A read failure is
 * recorded and rethrown, so the server answers it.
 */
export function echo(): { app: Application; seen: Seen[] } {
  const seen: Seen[] = [];
  const app: Application = async (environ: Environ, start) => {
    const record: Seen = {
      method: environ.REQUEST_METHOD as string,
      path: environ.PATH_INFO as string,
      protocol: environ.SERVER_PROTOCOL as string,
    };
    seen.push(record);
    try {
      record.body = Buffer.from(await environ['tsgi.input'].read());
    } catch (error) {
      record.error = String(error);
      throw error;
    }
    start('200 OK', [
      ['Content-Type', 'application/octet-stream'],
      ['X-Seen', `${record.method} ${record.path}`],
    ]);
    return [record.body];
  };
  return { app, seen };
}
