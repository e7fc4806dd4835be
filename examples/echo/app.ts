/**
 * The TSGI conformance app: a plain TSGI application, no framework, that anyone can point
 * a server at. It imports nothing from Portico at run time (only types, which vanish).
 *
 * - any path: 200 JSON of every string/number/boolean environ entry, plus `body` (the
 *   request body as UTF-8) and `body_length`;
 * - `/stream?chunks=N&size=S`: N chunks of S bytes from a generator, no Content-Length;
 * - `/sleep?ms=N`: answers after N ms without blocking; `/busy?ms=N`: blocks for N ms;
 * - `/fail/before`: throws before start_response; `/fail/after`: one chunk, then throws;
 * - `/file`: a file through `tsgi.file_wrapper`, with its Content-Length.
 */
import { open, stat } from 'node:fs/promises';
import type { Application, Environ, ResponseBody, StartResponse } from '../../src/tsgi/types.ts';

const SAMPLE_FILE = new URL('./sample.txt', import.meta.url);
const MAX_MS = 120_000;
const MAX_CHUNKS = 100_000;
const MAX_CHUNK_SIZE = 1024 * 1024;

function numberParam(environ: Environ, name: string, max: number, fallback: number): number | undefined {
  const value = new URLSearchParams(environ.QUERY_STRING).get(name);
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) return undefined;
  return Number(value);
}

function badParam(start: StartResponse, message: string): ResponseBody {
  start('400 Bad Request', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [`${message}\n`];
}

async function echo(environ: Environ, start: StartResponse): Promise<ResponseBody> {
  const body = await environ['tsgi.input'].read();
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(environ)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  out.body = new TextDecoder().decode(body);
  out.body_length = body.length;
  start('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify(out)];
}

function stream(environ: Environ, start: StartResponse): ResponseBody {
  const chunks = numberParam(environ, 'chunks', MAX_CHUNKS, 10);
  const size = numberParam(environ, 'size', MAX_CHUNK_SIZE, 1024);
  if (chunks === undefined || size === undefined)
    return badParam(start, `chunks must be 0..${MAX_CHUNKS}, size 0..${MAX_CHUNK_SIZE}`);
  start('200 OK', [['Content-Type', 'application/octet-stream']]);
  const chunk = new Uint8Array(size).fill(120); // "x"
  return (function* () {
    for (let i = 0; i < chunks; i++) yield chunk;
  })();
}

async function sleep(environ: Environ, start: StartResponse): Promise<ResponseBody> {
  const ms = numberParam(environ, 'ms', MAX_MS, 100);
  if (ms === undefined) return badParam(start, `ms must be 0..${MAX_MS}`);
  await new Promise((resolve) => setTimeout(resolve, ms));
  start('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [`slept ${ms} ms\n`];
}

function busy(environ: Environ, start: StartResponse): ResponseBody {
  const ms = numberParam(environ, 'ms', MAX_MS, 100);
  if (ms === undefined) return badParam(start, `ms must be 0..${MAX_MS}`);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Deliberately blocks the event loop: this is what harakiri exists for.
  }
  start('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [`busy ${ms} ms\n`];
}

function failAfter(start: StartResponse): ResponseBody {
  start('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return (function* () {
    yield 'first chunk\n';
    throw new Error('echo app: deliberate failure after the headers were sent');
  })();
}

async function file(environ: Environ, start: StartResponse): Promise<ResponseBody> {
  const { size } = await stat(SAMPLE_FILE);
  const handle = await open(SAMPLE_FILE);
  start('200 OK', [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(size)],
  ]);
  const wrapper = environ['tsgi.file_wrapper'];
  const fileLike = {
    async read(n: number) {
      const { bytesRead, buffer } = await handle.read(new Uint8Array(n), 0, n, null);
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
  if (wrapper) return wrapper(fileLike);
  // A server without file_wrapper: the same bytes, read here.
  return Object.assign(
    (async function* () {
      for (let chunk = await fileLike.read(65536); chunk.length > 0; chunk = await fileLike.read(65536))
        yield chunk;
    })(),
    { close: fileLike.close },
  );
}

/** The echo application. */
export const application: Application = (environ, start) => {
  switch (environ.PATH_INFO) {
    case '/stream':
      return stream(environ, start);
    case '/sleep':
      return sleep(environ, start);
    case '/busy':
      return busy(environ, start);
    case '/fail/before':
      throw new Error('echo app: deliberate failure before start_response');
    case '/fail/after':
      return failAfter(start);
    case '/file':
      return file(environ, start);
    default:
      return echo(environ, start);
  }
};
