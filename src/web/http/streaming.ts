/**
 * Responses whose body is produced while it is sent: `StreamingHttpResponse` (and
 * `FileResponse`, in `fileresponse.ts`).
 *
 * @module
 */
import type { BodyChunk, ResponseBody } from '../../tsgi/types.ts';
import { encodeChunk, isUtf8 } from './charset.ts';
import { HttpResponseBase, type ResponseOptions } from './response-base.ts';

/** A sync or async iterable of chunks. */
export type StreamingContent = Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

function isAsyncIterable(value: StreamingContent): value is AsyncIterable<string | Uint8Array> {
  return typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * A response streamed from an iterable, consumed once while sending. It has no `content`
 * and no Content-Length. A synchronous source is served synchronously and an async one
 * asynchronously, so neither is buffered. The source's `return()` (a generator's
 * `finally`) runs when the response is closed, even if the client went away.
 */
export class StreamingHttpResponse extends HttpResponseBase {
  override readonly streaming = true;
  #source: StreamingContent;

  constructor(streamingContent: StreamingContent, options?: ResponseOptions) {
    super(options);
    this.#source = streamingContent;
  }

  /** The source iterable (chunks not yet encoded). */
  get streamingContent(): StreamingContent {
    return this.#source;
  }

  set streamingContent(value: StreamingContent) {
    this.#source = value;
  }

  override tsgiBody(): ResponseBody {
    const source = this.#source;
    const charset = this.charset;
    const close = () => this.close();
    if (isAsyncIterable(source)) {
      const iterator = source[Symbol.asyncIterator]();
      this.addCloser(() => iterator.return?.());
      const chunks = async function* () {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
          yield typeof r.value === 'string' ? encodeChunk(r.value, charset) : r.value;
        }
      };
      return Object.assign(chunks(), { close });
    }
    const iterator = source[Symbol.iterator]();
    this.addCloser(() => iterator.return?.());
    const plain = isUtf8(charset);
    const chunks = function* (): Generator<BodyChunk> {
      for (let r = iterator.next(); !r.done; r = iterator.next()) {
        yield plain || typeof r.value !== 'string' ? r.value : encodeChunk(r.value, charset);
      }
    };
    return Object.assign(chunks(), { close });
  }
}
