/**
 * `Response` (DRF's): a response holding data, not bytes. The view renders it after the
 * handler returns, with the renderer content negotiation chose, so one handler answers
 * JSON to a client and the browsable page to a browser.
 *
 * @module
 */
import { HttpResponse, type ResponseOptions } from '../web/index.ts';
import type { Renderer, RendererContext } from './renderers.ts';

/** Content-Types already validated as header values (a handful per project; bounded). */
const checkedContentTypes = new Set<string>();

/** Options of {@link Response}. */
export interface ApiResponseOptions {
  status?: number;
  headers?: ResponseOptions['headers'];
  /** A Content-Type that replaces the renderer's (e.g. `application/problem+json`). */
  contentType?: string;
}

/** A response whose content is its `data`, rendered at the end of the view. */
export class Response extends HttpResponse {
  /** The data to render (any JSON-able value; `undefined` for an empty body). */
  data: unknown;
  /** True when the exception handler made it. */
  exception = false;
  /** The Content-Type to use instead of the renderer's, if any. */
  contentTypeOverride: string | undefined;
  #rendered = false;

  constructor(data?: unknown, options: ApiResponseOptions = {}) {
    super('', { status: options.status, headers: options.headers });
    this.data = data;
    this.contentTypeOverride = options.contentType;
  }

  /** True once {@link Response.renderWith} ran. */
  get isRendered(): boolean {
    return this.#rendered;
  }

  /** Renders `data` with `renderer` into the content and sets Content-Type (once). */
  renderWith(renderer: Renderer, mediaType: string, context: RendererContext): void {
    if (this.#rendered) return;
    this.#rendered = true;
    const status = this.statusCode;
    // A 204 or 304 has no body, whatever the data.
    const content =
      status === 204 || status === 304
        ? ''
        : renderer.render(
            this.data,
            mediaType,
            // The view passes a context naming this response already; another caller's is completed.
            context.response === this
              ? context
              : { request: context.request, view: context.view, response: this },
          );
    let type = this.contentTypeOverride ?? renderer.mediaType;
    if (this.contentTypeOverride === undefined && mediaType.includes(';') && renderer.format === 'json')
      type = mediaType;
    if (renderer.charset !== null) type = `${type}; charset=${renderer.charset}`;
    if (checkedContentTypes.has(type)) this.headers.setTrusted('Content-Type', type);
    else {
      this.headers.set('Content-Type', type); // validates it (throws for CR, LF…)
      if (checkedContentTypes.size < 64) checkedContentTypes.add(type);
    }
    this.content = content;
  }
}
