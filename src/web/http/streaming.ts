/**
 * Responses whose body is produced while it is sent: `StreamingHttpResponse` and
 * `FileResponse`.
 *
 * @module
 */
import type { BodyChunk, FileLike, ResponseBody } from '../../tsgi/types.ts';
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

/** Options of {@link FileResponse}. */
export interface FileResponseOptions extends ResponseOptions {
  /** Send `Content-Disposition: attachment` (a download) instead of `inline`. */
  asAttachment?: boolean;
  /** The file name to announce in Content-Disposition. */
  filename?: string;
  /** The size of the file, sent as Content-Length. */
  size?: number;
  /** How many bytes to read at a time. */
  blockSize?: number;
}

/**
 * A file streamed to the client. When the server offers `tsgi.file_wrapper` the handler
 * gives it the file (it may use sendfile); otherwise the file is read block by block.
 * The file is closed with the response.
 */
export class FileResponse extends StreamingHttpResponse {
  /** The file to send, for `tsgi.file_wrapper`. */
  readonly fileToStream: FileLike;
  /** Read size in bytes. */
  readonly blockSize: number;

  constructor(file: FileLike, options: FileResponseOptions = {}) {
    const blockSize = options.blockSize ?? 4096;
    const { asAttachment = false, filename, size, ...rest } = options;
    super(readBlocks(file, blockSize), { contentType: 'application/octet-stream', ...rest });
    this.fileToStream = file;
    this.blockSize = blockSize;
    if (file.close) this.addCloser(() => file.close?.());
    if (size !== undefined) this.headers.set('Content-Length', size);
    if (asAttachment || filename !== undefined) {
      const disposition = asAttachment ? 'attachment' : 'inline';
      this.headers.set(
        'Content-Disposition',
        filename ? `${disposition}; ${dispositionFilename(filename)}` : disposition,
      );
    }
  }
}

async function* readBlocks(file: FileLike, blockSize: number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const block = await file.read(blockSize);
    if (block.length === 0) return;
    yield block;
  }
}

function dispositionFilename(filename: string): string {
  // Plain ASCII goes in a quoted string; anything else in RFC 5987 form.
  if (/^[\x20-\x7e]*$/.test(filename)) return `filename="${filename.replace(/["\\]/g, '\\$&')}"`;
  return `filename*=utf-8''${encodeURIComponent(filename)}`;
}
