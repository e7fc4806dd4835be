/**
 * A raw-socket HTTP client for tests: sends exact bytes, collects exact bytes, and parses
 * the responses back (several, when requests were pipelined).
 */
import { connect, type Socket } from 'node:net';

/** Opens a connection to 127.0.0.1:port. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Result of {@link exchangeRaw}. */
export interface RawResult {
  /** Everything the server sent. */
  data: Buffer;
  /** True when the server closed the connection (false: we stopped waiting). */
  closed: boolean;
}

/**
 * Writes `bytes` and reads until the server closes the connection, nothing arrives for
 * `idleMs`, or `maxMs` passes.
 */
export async function exchangeRaw(
  port: number,
  bytes: Uint8Array | string,
  { idleMs = 400, maxMs = 5000, end = false }: { idleMs?: number; maxMs?: number; end?: boolean } = {},
): Promise<RawResult> {
  const socket = await openSocket(port);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let idleTimer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(idleTimer);
      clearTimeout(maxTimer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish(false), idleMs);
    };
    const maxTimer = setTimeout(() => finish(false), maxMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      armIdle();
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    // `end` half-closes after writing: "that is all I will send".
    if (end) socket.end(bytes);
    else socket.write(bytes);
    armIdle();
  });
}

/** One parsed response. */
export interface ParsedResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
  /** First value of a header, case-insensitively. */
  header(name: string): string | undefined;
}

/** Parses every complete response in `data` (Content-Length, chunked, or to the end). */
export function parseResponses(data: Buffer, { head = false }: { head?: boolean } = {}): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let offset = 0;
  while (offset < data.length) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end === -1) break;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const statusMatch = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
    if (statusMatch === null) throw new Error(`not a status line: ${lines[0]}`);
    const headers = lines.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
    });
    const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    const status = Number(statusMatch[1]);
    offset = end + 4;
    let body: Buffer;
    if (status === 100) {
      body = Buffer.alloc(0);
    } else if (head || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      while (true) {
        const lineEnd = data.indexOf('\r\n', offset);
        if (lineEnd === -1) break;
        const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
        offset = lineEnd + 2;
        if (size === 0) {
          offset = data.indexOf('\r\n', offset) + 2;
          break;
        }
        parts.push(data.subarray(offset, offset + size));
        offset += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (header('content-length') !== undefined) {
      const length = Number(header('content-length'));
      body = data.subarray(offset, offset + length);
      offset += length;
    } else {
      body = data.subarray(offset);
      offset = data.length;
    }
    out.push({ status, reason: statusMatch[2] ?? '', headers, body, header });
  }
  return out;
}
