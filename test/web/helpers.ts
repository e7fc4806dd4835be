/**
 * A fake server for driving TSGI applications in-process: environs, a recording
 * `startResponse`, and body collection that closes the body the way a server does.
 */
import type {
  Application,
  BodyChunk,
  Environ,
  Header,
  InputStream,
  ResponseBody,
} from '../../src/tsgi/types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

import { memoryErrors } from '../helpers/tsgi.ts';

export { memoryErrors };

/** `tsgi.input` over a fixed body. */
export function bytesInput(body: string | Uint8Array = ''): InputStream {
  let rest = typeof body === 'string' ? encoder.encode(body) : body;
  const take = (size?: number): Uint8Array => {
    const n = size === undefined || size < 0 ? rest.length : Math.min(size, rest.length);
    const out = rest.subarray(0, n);
    rest = rest.subarray(n);
    return out;
  };
  return {
    read: async (size?: number) => take(size),
    readLine: async (size?: number) => {
      const nl = rest.indexOf(10);
      return take(nl === -1 ? size : Math.min(nl + 1, size ?? Number.POSITIVE_INFINITY));
    },
    async *[Symbol.asyncIterator]() {
      while (rest.length > 0) yield take(1024);
    },
  };
}

/** Options of {@link makeEnviron}. */
export interface EnvironOptions {
  method?: string;
  path?: string;
  query?: string;
  scriptName?: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  requestUri?: string;
  extra?: Record<string, unknown>;
}

/** A complete environ for a request to `path` (PATH_INFO). */
export function makeEnviron(
  options: EnvironOptions = {},
): Environ & { 'tsgi.errors': ReturnType<typeof memoryErrors> } {
  const body = options.body ?? '';
  const env: Record<string, unknown> = {
    REQUEST_METHOD: options.method ?? 'GET',
    SCRIPT_NAME: options.scriptName ?? '',
    PATH_INFO: options.path ?? '/',
    QUERY_STRING: options.query ?? '',
    SERVER_NAME: 'testserver',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    HTTP_HOST: 'testserver',
    'tsgi.version': [1, 0],
    'tsgi.url_scheme': 'http',
    'tsgi.input': bytesInput(body),
    'tsgi.errors': memoryErrors(),
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
  };
  if (options.requestUri !== undefined) env.REQUEST_URI = options.requestUri;
  const length = typeof body === 'string' ? encoder.encode(body).length : body.length;
  if (length > 0) env.CONTENT_LENGTH = String(length);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const key = name.toUpperCase().replaceAll('-', '_');
    env[key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' ? key : `HTTP_${key}`] = value;
  }
  Object.assign(env, options.extra);
  return env as Environ & { 'tsgi.errors': ReturnType<typeof memoryErrors> };
}

/** What the fake server saw. */
export interface Served {
  status: string;
  code: number;
  headers: Header[];
  body: string;
  /** The value of the first header called `name` (any case). */
  header(name: string): string | undefined;
  /** The error stream's text. */
  errors: string;
}

/** Calls `app` and records `startResponse`; returns the body without consuming it. */
export function call(
  app: Application,
  environ: Environ,
): { result: ResponseBody | Promise<ResponseBody>; started: () => { status: string; headers: Header[] } } {
  let started: { status: string; headers: Header[] } | undefined;
  const result = app(environ, (status, headers) => {
    started = { status, headers };
    return () => {
      throw new Error('write() is not used by Portico');
    };
  });
  return {
    result,
    started: () => {
      if (started === undefined) throw new Error('startResponse was not called');
      return started;
    },
  };
}

async function collect(body: ResponseBody): Promise<string> {
  const chunks: BodyChunk[] = [];
  if (typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function') {
    for (const chunk of body as Iterable<BodyChunk>) chunks.push(chunk);
  } else {
    for await (const chunk of body as AsyncIterable<BodyChunk>) chunks.push(chunk);
  }
  return chunks.map((c) => (typeof c === 'string' ? c : decoder.decode(c))).join('');
}

/** Serves one request like a server: calls the app, reads the whole body, then closes it. */
export async function serve(app: Application, options: EnvironOptions | Environ = {}): Promise<Served> {
  const environ = 'tsgi.version' in options ? (options as Environ) : makeEnviron(options as EnvironOptions);
  const { result, started } = call(app, environ);
  const body = await result;
  let text: string;
  try {
    text = await collect(body);
  } finally {
    await body.close?.();
  }
  const { status, headers } = started();
  return {
    status,
    code: Number(status.slice(0, 3)),
    headers,
    body: text,
    header: (name) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
    errors: (environ['tsgi.errors'] as { text?: string }).text ?? '',
  };
}
