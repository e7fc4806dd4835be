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

/** How many values {@link plainJson} looks at before it gives up (and the replacer runs). */
const PLAIN_SCAN_BUDGET = 512;

/**
 * True when `value` is JSON that `JSON.stringify` writes the same with or without
 * {@link replacer}: plain objects and arrays only (no class instance: form data, an upload,
 * a `toJSON`), no big integer, within the first {@link PLAIN_SCAN_BUDGET} values. Then V8's fast serializer runs
 * alone instead of calling back into JavaScript for every key, which costs several times
 * the scan. A large value gives up and takes the replacer (so this stays bounded, cycles
 * included).
 */
function plainJson(value: unknown): boolean {
  let budget = PLAIN_SCAN_BUDGET;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (--budget < 0) return false;
    const v = stack.pop();
    if (typeof v === 'bigint') return false;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (typeof item === 'object' || typeof item === 'bigint') stack.push(item);
        else if (--budget < 0) return false;
      }
      continue;
    }
    // Plain objects only (parsed JSON, literals, serializer output): an instance of a class
    // may have getters, a toJSON, or be form data or an upload.
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== null && proto !== Object.prototype) return false;
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    // for-in, not Object.keys (no array per object): the prototype is null or Object.prototype,
    // so it lists the own keys (plus any enumerable key added to Object.prototype, which
    // JSON.stringify skips; scanning it costs only budget).
    for (const key in v) {
      const item = (v as Record<string, unknown>)[key];
      // Strings, numbers, booleans, null: nothing to look into (and no stack entry).
      if (typeof item === 'object' || typeof item === 'bigint') stack.push(item);
      else if (--budget < 0) return false;
    }
  }
  return true;
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
    const indent = acceptedMediaType.includes('indent') ? indentOf(acceptedMediaType) : undefined;
    if (indent === undefined && plainJson(data)) return JSON.stringify(data);
    return JSON.stringify(data, replacer, indent);
  }
}
