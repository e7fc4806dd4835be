/**
 * `HttpResponse`, the response with its whole content in memory, and its status-code
 * subclasses.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import type { BodyChunk, ResponseBody } from '../../tsgi/types.ts';
import { decodeBytes, encodeBytes, encodeChunk, utf8Length } from './charset.ts';
import { HttpResponseBase, type ResponseOptions } from './response-base.ts';

/** What an {@link HttpResponse} accepts as content. An iterable is consumed at once. */
export type ResponseContent = string | Uint8Array | Iterable<string | Uint8Array>;

/**
 * A response whose content is known before it is sent.
 *
 * @example
 * ```ts
 * new HttpResponse('<h1>Hi</h1>');
 * new HttpResponse('{"ok":true}', { status: 201, contentType: 'application/json' });
 * ```
 */
export class HttpResponse extends HttpResponseBase implements Iterable<BodyChunk> {
  #chunks: BodyChunk[];

  constructor(content: ResponseContent = '', options?: ResponseOptions) {
    super(options);
    this.#chunks = this.#toChunks(content);
  }

  #toChunks(content: ResponseContent): BodyChunk[] {
    if (typeof content === 'string') return content === '' ? [] : [encodeChunk(content, this.charset)];
    if (content instanceof Uint8Array) return [content];
    const chunks: BodyChunk[] = [];
    for (const chunk of content)
      chunks.push(typeof chunk === 'string' ? encodeChunk(chunk, this.charset) : chunk);
    return chunks;
  }

  /** The content as bytes. */
  get content(): Uint8Array {
    const chunks = this.#chunks;
    if (chunks.length === 1 && chunks[0] instanceof Uint8Array) return chunks[0];
    const parts = chunks.map((c) => (typeof c === 'string' ? encodeBytes(c, 'utf-8') : c));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Replaces the content. */
  set content(value: ResponseContent) {
    this.#chunks = this.#toChunks(value);
  }

  /** The size of the content in bytes (without joining or encoding it). */
  get byteLength(): number {
    let length = 0;
    for (const chunk of this.#chunks) length += typeof chunk === 'string' ? utf8Length(chunk) : chunk.length;
    return length;
  }

  /** The content decoded with the response's charset. */
  get text(): string {
    const chunks = this.#chunks;
    if (chunks.length === 1 && typeof chunks[0] === 'string') return chunks[0];
    return decodeBytes(this.content, this.charset);
  }

  /** Appends to the content (the response as a file-like object). */
  write(chunk: string | Uint8Array): void {
    this.#chunks.push(typeof chunk === 'string' ? encodeChunk(chunk, this.charset) : chunk);
  }

  /** The content chunks (strings for UTF-8 text, else bytes). */
  [Symbol.iterator](): Iterator<BodyChunk> {
    return this.#chunks[Symbol.iterator]();
  }

  /**
   * The content chunks as an array whose `close()` closes the response. An array, because
   * servers give it their fast path: a single chunk goes out in one write with a computed
   * Content-Length, instead of chunked transfer coding pulled through an iterator.
   */
  override tsgiBody(): ResponseBody {
    // A copy: the server's body stays apart from the content (a response served twice, or
    // written to afterwards, cannot change what is being sent).
    const body = this.#chunks.slice() as BodyChunk[] & { close?: () => void | Promise<void> };
    body.close = () => this.close();
    return body as ResponseBody;
  }
}

/** 400 Bad Request. */
export class HttpResponseBadRequest extends HttpResponse {
  static override defaultStatus = 400;
}

/** 403 Forbidden. */
export class HttpResponseForbidden extends HttpResponse {
  static override defaultStatus = 403;
}

/** 404 Not Found (to answer 404 from deep inside a view, throw `Http404` instead). */
export class HttpResponseNotFound extends HttpResponse {
  static override defaultStatus = 404;
}

/** 405 Method Not Allowed, with `Allow` listing the permitted methods. */
export class HttpResponseNotAllowed extends HttpResponse {
  static override defaultStatus = 405;

  constructor(permittedMethods: Iterable<string>, content?: ResponseContent, options?: ResponseOptions) {
    super(content, options);
    this.headers.set('Allow', [...permittedMethods].join(', '));
  }
}

/** 410 Gone. */
export class HttpResponseGone extends HttpResponse {
  static override defaultStatus = 410;
}

/** 500 Internal Server Error. */
export class HttpResponseServerError extends HttpResponse {
  static override defaultStatus = 500;
}

/** 304 Not Modified: no Content-Type and no content. */
export class HttpResponseNotModified extends HttpResponse {
  static override defaultStatus = 304;

  constructor(options?: Omit<ResponseOptions, 'status' | 'contentType'>) {
    super('', options);
    this.headers.delete('Content-Type');
  }

  /** A 304 has no content: assigning any throws. */
  override set content(value: ResponseContent) {
    if (typeof value === 'string' ? value !== '' : value instanceof Uint8Array ? value.length > 0 : true) {
      throw new PorticoError(
        'PORTICO_ERR_INVALID_STATUS',
        'You cannot set content to a 304 (Not Modified) response',
      );
    }
    super.content = value;
  }

  override get content(): Uint8Array {
    return super.content;
  }
}
