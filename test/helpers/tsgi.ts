/**
 * Building blocks for testing TSGI code without a socket: environs, inputs, error streams,
 * and a minimal server that calls an application and exposes its response.
 */
import type {
  Application,
  BodyChunk,
  Environ,
  ErrorStream,
  ExcInfo,
  Header,
  InputStream,
  ResponseBody,
  StartResponse,
} from '../../src/tsgi/types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets pending timers and I/O callbacks run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** An error stream that keeps what was written. */
export function memoryErrors(): ErrorStream & { text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
    flush() {},
  };
}

/** tsgi.input over fixed chunks, counting reads. */
export function chunkInput(chunks: Uint8Array[]): InputStream & { reads: number } {
  const queue = [...chunks];
  let pending: Uint8Array = new Uint8Array(0);
  const input = {
    reads: 0,
    async read(size?: number): Promise<Uint8Array> {
      input.reads++;
      if (pending.length === 0) pending = queue.shift() ?? new Uint8Array(0);
      const take = size === undefined || size < 0 ? pending.length : size;
      const out = pending.subarray(0, take);
      pending = pending.subarray(out.length);
      if ((size === undefined || size < 0) && queue.length > 0) {
        const rest = await input.read();
        const all = new Uint8Array(out.length + rest.length);
        all.set(out);
        all.set(rest, out.length);
        return all;
      }
      return out;
    },
    async readLine(): Promise<Uint8Array> {
      return input.read();
    },
    async *[Symbol.asyncIterator]() {
      while (true) {
        const chunk = await input.read(1 << 16);
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
  };
  return input;
}

export function makeEnviron(overrides: Record<string, unknown> = {}, body: Uint8Array[] = []): Environ {
  return {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: '/',
    QUERY_STRING: '',
    SERVER_NAME: 'example.com',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    HTTP_HOST: 'example.com',
    'tsgi.version': [1, 0],
    'tsgi.url_scheme': 'http',
    'tsgi.input': chunkInput(body),
    'tsgi.errors': memoryErrors(),
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
    ...overrides,
  } as Environ;
}

/** A TSGI server for tests: calls the app and exposes the body as a pull iterator. */
export async function callApp(app: Application, environ: Environ) {
  let status = '';
  let headers: Header[] = [];
  let headersSent = false;
  const startResponse: StartResponse = (s: string, h: Header[], excInfo?: ExcInfo) => {
    if (excInfo !== undefined && headersSent) throw excInfo;
    status = s;
    headers = h;
    return () => {
      throw new Error('this test server does not support write()');
    };
  };
  const body: ResponseBody = await app(environ, startResponse);
  const iterator =
    typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function'
      ? (body as Iterable<BodyChunk>)[Symbol.iterator]()
      : (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator]();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await body.close?.();
  };
  return {
    get status() {
      return status;
    },
    get headers() {
      return headers;
    },
    /** The next non-empty chunk as text, or undefined at the end. */
    async next(): Promise<string | undefined> {
      while (true) {
        const step = await iterator.next();
        if (step.done) {
          await close();
          return undefined;
        }
        const bytes = typeof step.value === 'string' ? encoder.encode(step.value) : step.value;
        if (bytes.length === 0) continue;
        headersSent = true;
        return decoder.decode(bytes);
      }
    },
    async text(): Promise<string> {
      let out = '';
      for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) out += chunk;
      return out;
    },
    close,
  };
}

// --- paths and URLs -----------------------------------------------------------------------
