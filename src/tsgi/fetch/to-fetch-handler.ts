/**
 * A TSGI application as a web-standard fetch handler: the bridge is a TSGI server whose
 * wire is a `Request` and a `Response`.
 *
 * @module
 */
import { bodyIterator, type BodyIterator, chunkBytes, isPromiseLike } from '../body.ts';
import { consoleErrorStream } from '../log.ts';
import { PorticoError } from '../errors.ts';
import { ResponseState } from '../response-state.ts';
import { reasonPhrase } from '../status.ts';
import type { Application, BodyChunk, ResponseBody } from '../types.ts';
import { buildEnviron, type ToFetchHandlerOptions } from './request-environ.ts';

export type { ToFetchHandlerOptions } from './request-environ.ts';

/** One request going through {@link toFetchHandler}: pulled by the response stream. */
class FetchResponder extends ResponseState {
  /** Non-empty chunks produced but not yet handed to the stream. */
  pending: Uint8Array[] = [];
  iter: BodyIterator | undefined;
  ended = false;

  protected override writeChunk(chunk: BodyChunk): void {
    if (this.bodyClosed) {
      throw new PorticoError('PORTICO_ERR_TSGI_VIOLATION', 'write() called after the response ended');
    }
    const bytes = chunkBytes(chunk);
    if (bytes.length > 0) this.pending.push(bytes);
  }

  async run(app: Application): Promise<Response> {
    try {
      let result = app(this.environ, this.startResponse);
      if (isPromiseLike<ResponseBody>(result)) result = await result;
      this.body = result;
      if (Array.isArray(result)) {
        // Already in memory: take it all, so that its length can be sent as Content-Length.
        for (const chunk of result as unknown[]) {
          const bytes = chunkBytes(chunk);
          if (bytes.length > 0) this.pending.push(bytes);
        }
        this.ended = true;
      } else {
        this.iter = bodyIterator(result);
        this.iterator = this.iter.iterator;
      }
      // Headers are final at the first non-empty chunk, or at the end of the body.
      while (this.pending.length === 0 && !this.ended) {
        const iter = this.iter as BodyIterator;
        const step = iter.sync ? iter.iterator.next() : await iter.iterator.next();
        if (step.done) {
          this.ended = true;
          break;
        }
        const bytes = chunkBytes(step.value);
        if (bytes.length > 0) this.pending.push(bytes);
      }
      if (!this.startCalled) {
        throw new PorticoError(
          'PORTICO_ERR_TSGI_VIOLATION',
          this.ended
            ? 'the application never called startResponse'
            : 'the body produced a chunk before startResponse',
        );
      }
      return this.#response();
    } catch (error) {
      this.closeBody(!this.ended);
      this.logAppFailure(error);
      return plainResponse(500);
    }
  }

  #response(): Response {
    this.headersSent = true;
    const headers = new Headers();
    const flat = this.headers;
    let hasContentLength = false;
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i] as string;
      headers.append(name, flat[i + 1] as string);
      if (name.length === 14 && name.toLowerCase() === 'content-length') hasContentLength = true;
    }
    const status = this.status;
    const isHead = this.environ.REQUEST_METHOD === 'HEAD';
    const noBody = status === 204 || status === 205 || status === 304 || isHead;
    if (this.ended && !hasContentLength && status !== 204 && status !== 304) {
      // The whole body is known: say how long it is, as the server does for a one-chunk body.
      let total = 0;
      for (const chunk of this.pending) total += chunk.length;
      // An application may skip the body for HEAD; 0 would then misstate the length of GET's body.
      if (total > 0 || !isHead) headers.set('content-length', String(total));
    }
    const init = { status, statusText: this.reason, headers };
    if (noBody) {
      this.pending = [];
      this.closeBody(!this.ended);
      return new Response(null, init);
    }
    if (this.ended && this.pending.length === 0) {
      this.closeBody(false);
      return new Response(null, init);
    }
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => this.#pull(controller),
        cancel: () => this.closeBody(true),
      },
      { highWaterMark: 0 },
    );
    return new Response(stream, init);
  }

  /** Hands the stream exactly one non-empty chunk, or ends it. */
  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      while (!this.bodyClosed) {
        const next = this.pending.shift();
        if (next !== undefined) {
          this.#enqueue(controller, next);
          return;
        }
        if (this.ended) {
          this.#finish(controller);
          return;
        }
        const iter = this.iter as BodyIterator;
        const step = iter.sync ? iter.iterator.next() : await iter.iterator.next();
        if (this.bodyClosed) return;
        if (step.done) this.ended = true;
        else {
          const bytes = chunkBytes(step.value);
          if (bytes.length > 0) this.pending.push(bytes);
        }
      }
    } catch (error) {
      // Too late for a 500: failing the stream makes the runtime abort the connection.
      this.closeBody(true);
      const aborted = new PorticoError(
        'PORTICO_ERR_RESPONSE_ABORTED',
        'application failed after the headers were sent',
        {
          cause: error,
        },
      );
      this.log(aborted);
      controller.error(aborted);
    }
  }

  #enqueue(controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array): void {
    const room = this.room(chunk.length);
    this.bytesSent += room;
    if (room < chunk.length) {
      if (room > 0) controller.enqueue(chunk.subarray(0, room));
      this.pending = [];
      this.closeBody(true);
      controller.close();
      return;
    }
    controller.enqueue(chunk);
  }

  #finish(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.closeBody(false);
    if (this.endedShort()) {
      controller.error(
        new PorticoError('PORTICO_ERR_CONTENT_LENGTH_MISMATCH', 'body shorter than its Content-Length'),
      );
      return;
    }
    controller.close();
  }
}

function plainResponse(status: number): Response {
  return new Response(`${reasonPhrase(status)}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}

/**
 * Wraps a TSGI application as a web-standard fetch handler, so any fetch runtime can serve
 * it (`Deno.serve(toFetchHandler(app))`, `export default { fetch: toFetchHandler(app) }`).
 *
 * The environ is built from the `Request` by the rules of `docs/tsgi.md`. The returned
 * promise resolves once the headers are final: at the first non-empty chunk, or at the end
 * of an empty body. The body then streams with backpressure (the application's iterator
 * is advanced only when the runtime reads), and `close()` is called exactly once whether
 * the body ends, fails or is cancelled. A failure before the headers are final gives a
 * 500; after, the stream errors so that the runtime aborts the connection.
 *
 * @param app - the TSGI application.
 * @param options - mount point, remote address, error stream and extra environ keys.
 * @returns a function from `Request` to `Promise<Response>`; it rejects with
 *   `PORTICO_ERR_BRIDGE` only for a request whose URL is not http or https.
 */
export function toFetchHandler(
  app: Application,
  options: ToFetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const errors = options.errors ?? consoleErrorStream();
  return async (request: Request): Promise<Response> => {
    const environ = buildEnviron(request, options, errors);
    if (environ === undefined) return plainResponse(404);
    return new FetchResponder(environ).run(app);
  };
}
