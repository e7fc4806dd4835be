/**
 * Responses with deferred rendering: the view returns the template and its context,
 * middleware may still change them (`processTemplateResponse`), and the handler renders
 * at the end. A template is a file name looked up by the project's engine (see
 * `engine.ts`), or any function of the context (or an object with such a `render` method).
 *
 * @module
 */
import type { BodyChunk } from '../../tsgi/types.ts';
import { ContentNotRenderedError } from '../exceptions.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, type ResponseContent } from '../http/response.ts';
import type { HttpResponseBase, ResponseOptions } from '../http/response-base.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';
import { getEngine } from './engine.ts';

/** Template context: the variables a template sees. */
export type Context = Record<string, unknown>;

/** A template file's name, or several to try in order (the first found is used). */
export type TemplateName = string | readonly string[];

/** Something that renders a context to text: a function, or a loaded template. */
export type Template =
  | ((context: Context, request: HttpRequest | null) => MaybePromise<string>)
  | { render(context: Context, request: HttpRequest | null): MaybePromise<string> };

/** A callback run right after rendering; a response it returns replaces this one. */
export type PostRenderCallback = (
  response: HttpResponseBase,
) => MaybePromise<HttpResponseBase | null | undefined | void>;

/**
 * A response rendered from a template when {@link SimpleTemplateResponse.render} is
 * called. Reading `content` before that throws {@link ContentNotRenderedError}.
 */
export class SimpleTemplateResponse extends HttpResponse {
  /** The template (a name, names to try, or a template object); may be replaced before rendering. */
  template: Template | TemplateName;
  /** The context; may be changed before rendering. */
  context: Context;
  #rendered = false;
  #callbacks: PostRenderCallback[] = [];

  constructor(template: Template | TemplateName, context: Context = {}, options?: ResponseOptions) {
    super('', options);
    this.template = template;
    this.context = context;
  }

  /** The request the template renders with (none for a simple template response). */
  get renderRequest(): HttpRequest | null {
    return null;
  }

  /** True once rendered (or once content was assigned). */
  get isRendered(): boolean {
    return this.#rendered;
  }

  /** The template rendered with the current context, without storing it. */
  get renderedContent(): MaybePromise<string> {
    const template = this.template;
    if (typeof template === 'string' || Array.isArray(template)) {
      const request = this.renderRequest;
      return getEngine(request)
        .getTemplate(template as TemplateName)
        .render(this.context, request);
    }
    const custom = template as Template;
    return typeof custom === 'function'
      ? custom(this.context, this.renderRequest)
      : custom.render(this.context, this.renderRequest);
  }

  /**
   * Runs `callback` after rendering (at once if already rendered). Used by middleware
   * such as caches that need the final content.
   */
  addPostRenderCallback(callback: PostRenderCallback): void {
    if (this.#rendered) void callback(this);
    else this.#callbacks.push(callback);
  }

  /**
   * Renders into `content` and runs the post-render callbacks. Idempotent: a rendered
   * response returns itself. Returns a promise only if the template or a callback did.
   */
  render(): MaybePromise<HttpResponseBase> {
    if (this.#rendered) return this;
    const text = this.renderedContent;
    if (isPromise(text)) return text.then((value) => this.#afterRender(value));
    return this.#afterRender(text);
  }

  #afterRender(text: string): MaybePromise<HttpResponseBase> {
    this.content = text;
    return runCallbacks(this.#callbacks, 0, this);
  }

  override get content(): Uint8Array {
    if (!this.#rendered) throw new ContentNotRenderedError();
    return super.content;
  }

  override set content(value: ResponseContent) {
    super.content = value;
    this.#rendered = true;
  }

  override get text(): string {
    if (!this.#rendered) throw new ContentNotRenderedError();
    return super.text;
  }

  override [Symbol.iterator](): Iterator<BodyChunk> {
    if (!this.#rendered) throw new ContentNotRenderedError();
    return super[Symbol.iterator]();
  }
}

function runCallbacks(
  callbacks: readonly PostRenderCallback[],
  from: number,
  response: HttpResponseBase,
): MaybePromise<HttpResponseBase> {
  for (let i = from; i < callbacks.length; i++) {
    const result = (callbacks[i] as PostRenderCallback)(response);
    if (isPromise(result)) return result.then((r) => runCallbacks(callbacks, i + 1, r ?? response));
    if (result) response = result;
  }
  return response;
}

/** A template response that renders with the request (templates can use it). */
export class TemplateResponse extends SimpleTemplateResponse {
  /** The request being answered. */
  readonly request: HttpRequest;

  constructor(
    request: HttpRequest,
    template: Template | TemplateName,
    context: Context = {},
    options?: ResponseOptions,
  ) {
    super(template, context, options);
    this.request = request;
  }

  override get renderRequest(): HttpRequest {
    return this.request;
  }
}

/** True for a response with deferred rendering (anything with a `render()` method, as in Django). */
export function hasRender(response: HttpResponseBase): response is SimpleTemplateResponse {
  return typeof (response as { render?: unknown }).render === 'function';
}
