/**
 * Renderers (DRF's `renderers.py`): each turns a response's data into one media type. The
 * view's `rendererClasses` list them; content negotiation picks one per request.
 *
 * @module
 */
import { type HttpResponseBase, MultiValueDict, UploadedFile } from '../web/index.ts';
import type { Request } from './request.ts';

/** What a renderer is given besides the data. */
export interface RendererContext {
  readonly request?: Request;
  readonly response?: HttpResponseBase & { readonly data?: unknown };
  /** The view answering (the browsable page reads its name, description and methods). */
  readonly view?: {
    readonly name?: string;
    readonly description?: string;
    allowedMethods(): string[];
  };
}

/** A renderer: its media type, the `?format=` name it answers to, and how it renders. */
export interface Renderer {
  readonly mediaType: string;
  readonly format: string;
  /** Appended to the Content-Type as `; charset=…` (null for JSON, which is always UTF-8). */
  readonly charset: string | null;
  render(data: unknown, acceptedMediaType: string, context: RendererContext): string | Uint8Array;
}

/** A renderer class, as views and settings list them. */
export type RendererClass = new () => Renderer;

/**
 * `JSON.stringify`'s replacer for what JSON has no type for: big integers become strings,
 * a form's `QueryDict` its last value per key (Django's `.dict()`), an upload its name.
 */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof MultiValueDict) return value.dict();
  if (value instanceof UploadedFile) return value.name;
  return value;
}

/** The `indent=N` parameter of an accepted media type (`application/json; indent=2`), capped at 8. */
function indentOf(mediaType: string): number | undefined {
  const m = /;\s*indent=(\d+)/i.exec(mediaType);
  if (m === null) return undefined;
  return Math.min(Number(m[1]), 8);
}

/**
 * `application/json`, compact (no spaces) unless the client asks for `indent=N`. Strings
 * stay strings (a decimal serialized as `"12.50"` keeps its digits); big integers are
 * written as strings; `undefined` data renders as an empty body.
 */
export class JSONRenderer implements Renderer {
  readonly mediaType: string = 'application/json';
  readonly format: string = 'json';
  readonly charset: string | null = null;

  render(data: unknown, acceptedMediaType: string, _context?: RendererContext): string {
    if (data === undefined) return '';
    return JSON.stringify(data, replacer, indentOf(acceptedMediaType));
  }
}
