/**
 * A web-standard fetch handler as a TSGI application.
 *
 * @module
 */
import { describeValue } from '../body.ts';
import { PorticoError } from '../errors.ts';
import { DEFAULT_BLOCK_SIZE } from '../file-wrapper.ts';
import { headerNameOf, isHopByHop } from '../headers.ts';
import { reasonPhrase } from '../status.ts';
import type {
  Application,
  BodyChunk,
  Environ,
  Header,
  InputStream,
  ResponseBody,
  StartResponse,
} from '../types.ts';
import { reconstructUrl } from '../url.ts';

/** A web-standard fetch handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

function bridgeError(message: string, cause: unknown): PorticoError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new PorticoError('PORTICO_ERR_BRIDGE', `${message}${detail}`, { cause });
}

/** The request body as a web stream, pulled from `tsgi.input` only as the handler reads. */
function inputStream(input: InputStream): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await input.read(DEFAULT_BLOCK_SIZE);
        if (chunk.length === 0) controller.close();
        else controller.enqueue(chunk);
      },
      // tsgi.input belongs to the server: cancelling only stops reading it, never closes it.
    },
    { highWaterMark: 0 },
  );
}

function hasRequestBody(environ: Environ): boolean {
  const method = environ.REQUEST_METHOD;
  if (method === 'GET' || method === 'HEAD') return false;
  const length = environ.CONTENT_LENGTH;
  if (length !== undefined && length !== '') return length !== '0' && !/^0+$/.test(length);
  return environ['tsgi.input_terminated'] === true;
}

function buildRequest(environ: Environ): Request {
  if (environ.PATH_INFO === '*') {
    throw new PorticoError('PORTICO_ERR_BRIDGE', 'OPTIONS * (asterisk-form) has no fetch Request equivalent');
  }
  const headers = new Headers();
  for (const key in environ) {
    // CONTENT_TYPE and CONTENT_LENGTH are set below, only when not empty.
    if (!key.startsWith('HTTP_')) continue;
    const name = headerNameOf(key);
    const value = environ[key];
    if (name === undefined || typeof value !== 'string') continue;
    // Hop-by-hop fields described the client's connection to the server, not this request.
    if (isHopByHop(name)) continue;
    headers.append(name, value);
  }
  if (environ.CONTENT_TYPE) headers.set('content-type', environ.CONTENT_TYPE);
  if (environ.CONTENT_LENGTH) headers.set('content-length', environ.CONTENT_LENGTH);
  const init: RequestInit & { duplex?: 'half' } = { method: environ.REQUEST_METHOD, headers };
  if (hasRequestBody(environ)) {
    init.body = inputStream(environ['tsgi.input']);
    init.duplex = 'half';
  }
  return new Request(reconstructUrl(environ), init);
}

function normalizeChunk(value: unknown): BodyChunk {
  if (value instanceof Uint8Array || typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new PorticoError('PORTICO_ERR_BRIDGE', `a Response body chunk is ${describeValue(value)}, not bytes`);
}

/** The response body as a TSGI body: an async iterable whose `close()` cancels the stream. */
function streamBody(stream: ReadableStream<unknown>): ResponseBody {
  let reader: ReadableStreamDefaultReader<unknown> | undefined;
  let closed = false;
  const close = (): Promise<void> => {
    if (closed) return Promise.resolve();
    closed = true;
    return (reader ?? stream).cancel().catch(() => undefined);
  };
  const iterator: AsyncIterator<BodyChunk> = {
    async next(): Promise<IteratorResult<BodyChunk>> {
      if (closed) return { done: true, value: undefined };
      reader ??= stream.getReader();
      const step = await reader.read();
      if (step.done) return { done: true, value: undefined };
      return { done: false, value: normalizeChunk(step.value) };
    },
    async return(): Promise<IteratorResult<BodyChunk>> {
      await close();
      return { done: true, value: undefined };
    },
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    close,
  };
}

/**
 * Wraps a web-standard fetch handler (Hono's `app.fetch`, a Worker's `fetch`...) as a
 * TSGI application.
 *
 * The `Request` gets the reconstructed URL, the method, the `HTTP_*`, `CONTENT_TYPE` and
 * `CONTENT_LENGTH` headers (hop-by-hop ones left out), and, for methods with a body, a
 * stream that reads `tsgi.input` only as the handler consumes it. The `Response` becomes a
 * `startResponse` call (its `statusText`, else the standard phrase; each `Set-Cookie` its
 * own pair; hop-by-hop headers dropped) and an async iterable over its body whose `close()`
 * cancels the stream.
 *
 * A handler that throws makes the application throw the same error; a request or response
 * that cannot be translated throws `PORTICO_ERR_BRIDGE`.
 *
 * @param handler - the fetch handler.
 * @returns the TSGI application.
 */
export function fromFetchHandler(handler: FetchHandler): Application {
  return async (environ: Environ, startResponse: StartResponse): Promise<ResponseBody> => {
    let request: Request;
    try {
      request = buildRequest(environ);
    } catch (error) {
      throw bridgeError('cannot build a Request from the environ', error);
    }
    const response: unknown = await handler(request);
    if (!(response instanceof Response)) {
      throw new PorticoError(
        'PORTICO_ERR_BRIDGE',
        `the fetch handler returned ${describeValue(response)}, not a Response`,
      );
    }
    const status = response.status;
    if (status < 200 || status > 599) {
      response.body?.cancel().catch(() => undefined);
      throw new PorticoError(
        'PORTICO_ERR_BRIDGE',
        `the fetch handler returned status ${status}, which is not a final HTTP status`,
      );
    }
    const headers: Header[] = [];
    const responseHeaders = response.headers;
    const getSetCookie = (responseHeaders as { getSetCookie?: () => string[] }).getSetCookie;
    for (const [name, value] of responseHeaders) {
      if (isHopByHop(name)) continue;
      if (name === 'set-cookie' && getSetCookie !== undefined) continue;
      headers.push([name, value]);
    }
    if (getSetCookie !== undefined) {
      for (const value of getSetCookie.call(responseHeaders)) headers.push(['set-cookie', value]);
    }
    try {
      startResponse(`${status} ${response.statusText || reasonPhrase(status)}`, headers);
    } catch (error) {
      response.body?.cancel().catch(() => undefined);
      throw error;
    }
    return response.body === null ? [] : streamBody(response.body);
  };
}
