/**
 * Parsers (DRF's `parsers.py`): each reads one media type of request body into
 * `request.data`. The view's `parserClasses` list them; the request picks the first whose
 * media type matches the Content-Type, and answers 415 when none does.
 *
 * Bodies are bounded by the framework's `dataUploadMaxMemorySize` (413 beyond it). A JSON
 * body that names `__proto__`, `constructor` or `prototype` (or could, through a `\u`
 * escape) becomes objects without a prototype, with `__proto__` keys dropped, so those keys
 * are plain data and never reach `Object.prototype`; any other body is what `JSON.parse`
 * made, as no key of it can.
 *
 * @module
 */
import { tmpdir } from 'node:os';
import {
  MultiValueDict,
  type QueryDict,
  QueryDict as QueryDictClass,
  type TemporaryUploadedFile,
  type UploadedFile,
} from '../web/index.ts';
import { parseMultipart } from '../web/http/multipartparser.ts';
import type { MaybePromise } from '../web/utils/promise.ts';
import { describeJsonError } from '../web/utils/json-error.ts';
import { ParseError } from './exceptions.ts';
import type { Request } from './request.ts';

/** What a parser produces: the data, and the uploaded files for multipart bodies. */
export interface ParsedBody {
  readonly data: unknown;
  readonly files?: MultiValueDict<UploadedFile>;
  /** Uploads kept in temporary files, removed after the response. */
  readonly temporary?: readonly TemporaryUploadedFile[];
}

/**
 * A parser: the media type it reads (`application/json`, `*\/*`) and how. `parse` may
 * answer synchronously (the body was at hand: `httpRequest.bodyNow()`) or with a promise.
 */
export interface Parser {
  readonly mediaType: string;
  parse(request: Request): MaybePromise<ParsedBody>;
}

/** A parser class, as views and settings list them. */
export type ParserClass = new () => Parser;

const READ_SIZE = 64 * 1024;

/** How deeply JSON may nest (Python's recursion limit, which bounds DRF's parser too). */
export const MAX_JSON_DEPTH = 1000;

/**
 * Copies parsed JSON into objects with a null prototype, dropping `__proto__` keys: a later
 * `Object.assign`, spread or merge of the data can then never touch a prototype.
 *
 * @throws ParseError when the value nests deeper than {@link MAX_JSON_DEPTH} (which also
 * bounds this function's recursion).
 */
export function nullPrototypeJson(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH)
    throw new ParseError(`JSON parse error - nested deeper than ${MAX_JSON_DEPTH} levels.`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = nullPrototypeJson(value[i], depth + 1);
    return value;
  }
  const out = Object.create(null) as Record<string, unknown>;
  // Object.keys, not for…in: a polluted Object.prototype must not add keys here.
  for (const key of Object.keys(value)) {
    if (key !== '__proto__') out[key] = nullPrototypeJson((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

/** The offset where `text` first nests deeper than the limit, or -1 (strings skipped). */
function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** `application/json`: the body as JSON; a malformed body is a 400 saying where it broke. */
export class JSONParser implements Parser {
  readonly mediaType: string = 'application/json';

  parse(request: Request): MaybePromise<ParsedBody> {
    const http = request.httpRequest;
    // A body that came with the request is parsed at once, without a promise.
    const text = http.textNow();
    if (text !== null) return { data: parseJson(text) };
    return http.text().then((later) => ({ data: parseJson(later) }));
  }
}

/**
 * `text` as JSON; objects without a prototype when it may name one (see
 * {@link mayNameAPrototype}); never nested deeper than {@link MAX_JSON_DEPTH}.
 *
 * @throws ParseError saying where the text broke, or that it nests too deeply.
 */
function parseJson(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    refuseTooDeep(text);
    throw new ParseError(`JSON parse error - ${describeJsonError(text)}`);
  }
  if (text.length > 2 * MAX_JSON_DEPTH) refuseTooDeep(text);
  return mayNameAPrototype(text) ? nullPrototypeJson(parsed) : parsed;
}

/** @throws ParseError when `text` nests deeper than {@link MAX_JSON_DEPTH}. */
function refuseTooDeep(text: string): void {
  const deep = tooDeepAt(text);
  if (deep !== -1)
    throw new ParseError(
      `JSON parse error - nested deeper than ${MAX_JSON_DEPTH} levels (at character ${deep}).`,
    );
}

/**
 * True when a key of `text` may be `__proto__`, `constructor` or `prototype`: the word is
 * in the text, or a `\u` escape is, which can spell any of them (`"\u005f_proto__"`). A
 * text without either holds no such key, so what `JSON.parse` made needs no copy: a later
 * `Object.assign`, spread or deep merge of it finds no key that leads to a prototype.
 */
function mayNameAPrototype(text: string): boolean {
  return (
    text.includes('\\u') ||
    text.includes('__proto__') ||
    text.includes('constructor') ||
    text.includes('prototype')
  );
}

/** `application/x-www-form-urlencoded`: a {@link QueryDict} (read-only, multi-valued). */
export class FormParser implements Parser {
  readonly mediaType: string = 'application/x-www-form-urlencoded';

  async parse(request: Request): Promise<ParsedBody> {
    const http = request.httpRequest;
    // The framework parses POST forms itself (bounded by the same settings); other methods here.
    if (http.method === 'POST') {
      await http.load();
      return { data: http.POST };
    }
    const bytes = await http.body();
    const data: QueryDict = new QueryDictClass(new TextDecoder('latin1').decode(bytes), {
      maxFields: http.settings.dataUploadMaxNumberFields,
      encoding: http.encoding ?? 'utf-8',
    });
    return { data };
  }
}

/**
 * `multipart/form-data`: the fields and the files in one {@link MultiValueDict} (as DRF's
 * `request.data`), the files alone in `request.FILES`.
 */
export class MultiPartParser implements Parser {
  readonly mediaType: string = 'multipart/form-data';

  async parse(request: Request): Promise<ParsedBody> {
    const http = request.httpRequest;
    let post: QueryDict;
    let files: MultiValueDict<UploadedFile>;
    let temporary: readonly TemporaryUploadedFile[] = [];
    if (http.method === 'POST') {
      await http.load();
      post = http.POST;
      files = http.FILES;
    } else {
      const s = http.settings;
      const result = await parseMultipart(
        http.META.CONTENT_TYPE ?? '',
        () => http.read(READ_SIZE),
        {
          maxMemorySize: s.dataUploadMaxMemorySize,
          maxNumberFields: s.dataUploadMaxNumberFields,
          maxNumberFiles: s.dataUploadMaxNumberFiles ?? 100,
          fileMaxMemorySize: s.fileUploadMaxMemorySize ?? 2.5 * 1024 * 1024,
          fileMaxSize: s.fileUploadMaxSize ?? null,
          tempDir: s.fileUploadTempDir ?? tmpdir(),
        },
        http.encoding ?? 'utf-8',
      );
      post = result.post;
      files = result.files;
      temporary = result.temporary;
    }
    const data = new MultiValueDict<string | UploadedFile>();
    for (const [key, values] of post.lists()) data.setList(key, [...values]);
    for (const [key, values] of files.lists()) data.setList(key, [...data.getList(key), ...values]);
    return { data, files, temporary };
  }
}
