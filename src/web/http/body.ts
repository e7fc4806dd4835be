/**
 * The request body: streamed reads, the whole body (bounded), and the form data parsed
 * from it. Kept apart from `HttpRequest` so the request stays about the environ.
 *
 * Reading the body is asynchronous in TSGI (`tsgi.input`), while Django's `request.POST`
 * and `request.FILES` are plain attributes. Here they are synchronous getters too, filled
 * by {@link RequestBody.load}, which the handler awaits before `processView` and the view
 * when (and only when) the request is a form POST, so synchronous views and middleware
 * hooks such as CSRF checks read them as in Django. Everything else (`body()`, `json()`)
 * is read on demand, and GET requests never touch a promise.
 *
 * @module
 */
import { tmpdir } from 'node:os';
import { errorSpec, PorticoError } from '../../tsgi/errors.ts';
import type { Environ } from '../../tsgi/types.ts';
import { BadRequest, InvalidJson, RequestDataTooBig, SuspiciousOperation } from '../exceptions.ts';
import type { TemporaryUploadedFile, UploadedFile } from '../files/uploadedfile.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { describeJsonError } from '../utils/json-error.ts';
import { parseMultipart } from './multipartparser.ts';
import { QueryDict } from './querydict.ts';

/**
 * The settings the body consults (the project's resolved settings satisfy it); the upload
 * settings are optional for hand-built requests, with Django's defaults.
 */
export interface BodySettings {
  readonly dataUploadMaxMemorySize: number | null;
  readonly dataUploadMaxNumberFields: number | null;
  readonly dataUploadMaxNumberFiles?: number | null;
  readonly fileUploadMaxMemorySize?: number;
  readonly fileUploadMaxSize?: number | null;
  readonly fileUploadTempDir?: string;
}

/** What the body needs to know of its request. */
export interface BodyOwner {
  readonly META: Environ;
  readonly method: string;
  readonly contentType: string;
  readonly encoding: string | null;
  readonly settings: BodySettings;
}

const EMPTY = new Uint8Array(0);
const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';
const READ_SIZE = 64 * 1024;

const emptyFiles = new MultiValueDict<UploadedFile>().freeze();

// One decoder for every UTF-8 body: decode() without `stream` keeps no state between calls.
const utf8 = new TextDecoder('utf-8');

/**
 * A failure of `tsgi.input` as the framework answers it, by the status its code is
 * registered with: a body past the server's limit-post (413) is a RequestDataTooBig, a
 * malformed or cut-short one (400) a BadRequest — rather than a 500 for an error the view
 * never expected.
 */
function inputError(error: unknown): unknown {
  if (!(error instanceof PorticoError) || error instanceof BadRequest || error instanceof SuspiciousOperation)
    return error;
  const status = errorSpec(error.code)?.status;
  if (status === 413) return new RequestDataTooBig(error.message, { cause: error });
  if (status === 400) return new BadRequest(error.message, { cause: error });
  return error;
}

/** `promise`, with its rejection marked handled (it still rejects for whoever awaits it). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function tooBig(): RequestDataTooBig {
  return new RequestDataTooBig('Request body exceeded dataUploadMaxMemorySize.');
}

/**
 * `text` parsed as JSON.
 *
 * @throws InvalidJson saying where the text stopped being JSON.
 */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJson(describeJsonError(text), { cause: error });
  }
}

/** The chunks of a whole-body read so far, and how much is left to read. */
class BodyRead {
  readonly #chunks: Uint8Array[] = [];
  total = 0;
  remaining: number;

  constructor(remaining: number) {
    this.remaining = remaining;
  }

  /** The size to ask `tsgi.input` for: the rest of a declared length, or a block. */
  nextSize(): number {
    return Number.isFinite(this.remaining) ? this.remaining : READ_SIZE;
  }

  add(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.total += chunk.length;
    this.remaining -= chunk.length;
  }

  /** The chunks as one array (the chunk itself when there is one). */
  bytes(): Uint8Array {
    const chunks = this.#chunks;
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    const body = new Uint8Array(this.total);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    return body;
  }
}

/** The body of one request. Created on first use. */
export class RequestBody {
  readonly #owner: BodyOwner;
  #bytes: Uint8Array | null = null;
  #reading: Promise<Uint8Array> | null = null;
  #streamed = false;
  #remaining = -1;
  #post: QueryDict | null = null;
  #files: MultiValueDict<UploadedFile> | null = null;
  #loading: Promise<void> | null = null;
  #temporary: readonly TemporaryUploadedFile[] = [];

  constructor(owner: BodyOwner) {
    this.#owner = owner;
  }

  /** True for a POST whose form data must be loaded before `POST`/`FILES` can be read. */
  get needsLoad(): boolean {
    return this.#post === null && this.#isForm() && !(this.#bytes !== null && !this.#isMultipart());
  }

  #isForm(): boolean {
    if (this.#owner.method !== 'POST') return false;
    const type = this.#owner.contentType;
    return type === FORM || type === MULTIPART;
  }

  #isMultipart(): boolean {
    return this.#owner.contentType === MULTIPART;
  }

  #limit(): number {
    if (this.#remaining === -1) {
      const meta = this.#owner.META;
      const length = Number.parseInt(meta.CONTENT_LENGTH ?? '', 10);
      // No (valid) Content-Length: read to the end only if the server marks the end of the
      // body (every conforming TSGI server does); otherwise the body is empty, as in WSGI.
      this.#remaining =
        Number.isInteger(length) && length >= 0
          ? length
          : meta['tsgi.input_terminated']
            ? Number.POSITIVE_INFINITY
            : 0;
    }
    return this.#remaining;
  }

  /** See `HttpRequest.read()`. */
  async read(size?: number): Promise<Uint8Array> {
    if (this.#reading !== null || this.#bytes !== null)
      throw new PorticoError('PORTICO_ERR_INPUT_CONSUMED', 'The body was already read with body().');
    this.#streamed = true;
    const remaining = this.#limit();
    if (remaining === 0) return EMPTY;
    const want = size === undefined || size < 0 ? remaining : Math.min(size, remaining);
    let chunk: Uint8Array;
    try {
      chunk = await this.#owner.META['tsgi.input'].read(Number.isFinite(want) ? want : undefined);
    } catch (error) {
      throw inputError(error);
    }
    this.#remaining = remaining - chunk.length;
    if (chunk.length === 0) this.#remaining = 0;
    return chunk;
  }

  /** See `HttpRequest.body()`. */
  body(): Promise<Uint8Array> {
    if (this.#reading === null) {
      if (this.#bytes !== null) this.#reading = Promise.resolve(this.#bytes);
      else if (this.#streamed) {
        return Promise.reject(
          new PorticoError(
            'PORTICO_ERR_INPUT_CONSUMED',
            "You cannot access body after reading from request's data stream.",
          ),
        );
      } else this.#startReading(new BodyRead(this.#limit()));
    }
    return this.#reading as Promise<Uint8Array>;
  }

  /**
   * See `HttpRequest.bodyNow()`: the whole body when no waiting is needed (already read, or
   * at hand in `tsgi.input`), else null — and then the read goes on, for `body()`.
   */
  bodyNow(): Uint8Array | null {
    if (this.#bytes !== null) return this.#bytes;
    if (this.#reading !== null || this.#streamed) return null;
    const input = this.#owner.META['tsgi.input'];
    const read = new BodyRead(this.#limit());
    try {
      this.#checkSize(read.remaining);
      while (read.remaining > 0) {
        const chunk = typeof input.readNow === 'function' ? input.readNow(read.nextSize()) : null;
        if (chunk === null) {
          this.#startReading(read);
          return null;
        }
        if (!this.#add(read, chunk)) break;
      }
    } catch (error) {
      this.#reading = handled(Promise.reject(inputError(error)));
      return null;
    }
    this.#remaining = 0;
    this.#bytes = read.bytes();
    return this.#bytes;
  }

  /**
   * Reads the rest of the body asynchronously into `#reading` (then `#bytes`). A failure
   * is marked handled: whoever awaits `body()` gets it, and a caller of `bodyNow()` that
   * never does must not crash the process with an unhandled rejection.
   */
  #startReading(read: BodyRead): void {
    this.#reading = handled(this.#readRest(read).then((bytes) => (this.#bytes = bytes)));
  }

  async #readRest(read: BodyRead): Promise<Uint8Array> {
    this.#checkSize(read.remaining);
    const input = this.#owner.META['tsgi.input'];
    while (read.remaining > 0) {
      let chunk: Uint8Array;
      try {
        chunk = await input.read(read.nextSize());
      } catch (error) {
        throw inputError(error);
      }
      if (!this.#add(read, chunk)) break;
    }
    this.#remaining = 0;
    return read.bytes();
  }

  /** Adds a chunk; false at the end of the body. */
  #add(read: BodyRead, chunk: Uint8Array): boolean {
    if (chunk.length === 0) return false;
    read.add(chunk);
    const max = this.#owner.settings.dataUploadMaxMemorySize;
    if (max !== null && read.total > max) throw tooBig();
    return true;
  }

  /** A declared length over the limit is refused before a byte is read. */
  #checkSize(remaining: number): void {
    const max = this.#owner.settings.dataUploadMaxMemorySize;
    if (max !== null && Number.isFinite(remaining) && remaining > max) throw tooBig();
  }

  /** See `HttpRequest.text()`. */
  async text(): Promise<string> {
    return this.#decode(await this.body());
  }

  /** See `HttpRequest.textNow()`. */
  textNow(): string | null {
    const bytes = this.bodyNow();
    return bytes === null ? null : this.#decode(bytes);
  }

  #decode(bytes: Uint8Array): string {
    const encoding = this.#owner.encoding;
    if (encoding === null) return utf8.decode(bytes);
    return new TextDecoder(encoding).decode(bytes);
  }

  /** See `HttpRequest.json()`. */
  async json(): Promise<unknown> {
    return parseJsonBody(await this.text());
  }

  /** See `HttpRequest.load()`. */
  load(): Promise<void> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      // As Django: leave POST and FILES empty, so an error page reading them does not fail again.
      this.#post ??= new QueryDict();
      this.#files ??= emptyFiles;
      throw error;
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    if (!this.#isForm()) {
      this.#post ??= new QueryDict();
      this.#files ??= emptyFiles;
      return;
    }
    // The stream was read by the view itself: nothing left to parse (Django gives empty data too).
    if (this.#streamed && this.#reading === null) {
      this.#post = new QueryDict();
      this.#files = emptyFiles;
      return;
    }
    if (!this.#isMultipart()) {
      this.#post = this.#parseForm(await this.body());
      this.#files = emptyFiles;
      return;
    }
    const s = this.#owner.settings;
    let source = () => this.read(READ_SIZE);
    if (this.#reading !== null || this.#bytes !== null) {
      let cached: Uint8Array | null = this.#bytes ?? (await this.#reading);
      source = async () => {
        const chunk = cached ?? EMPTY;
        cached = null;
        return chunk;
      };
    }
    const result = await parseMultipart(
      this.#owner.META.CONTENT_TYPE ?? '',
      source,
      {
        maxMemorySize: s.dataUploadMaxMemorySize,
        maxNumberFields: s.dataUploadMaxNumberFields,
        maxNumberFiles: s.dataUploadMaxNumberFiles ?? 100,
        fileMaxMemorySize: s.fileUploadMaxMemorySize ?? 2.5 * 1024 * 1024,
        fileMaxSize: s.fileUploadMaxSize ?? null,
        tempDir: s.fileUploadTempDir ?? tmpdir(),
      },
      this.#owner.encoding ?? 'utf-8',
    );
    this.#post = result.post;
    this.#files = result.files;
    this.#temporary = result.temporary;
  }

  #parseForm(bytes: Uint8Array): QueryDict {
    // Form bodies are ASCII (percent-encoded), so latin-1 keeps every byte as one character.
    return new QueryDict(new TextDecoder('latin1').decode(bytes), {
      maxFields: this.#owner.settings.dataUploadMaxNumberFields,
      encoding: this.#owner.encoding ?? 'utf-8',
    });
  }

  #notLoaded(what: string): PorticoError {
    return new PorticoError(
      'PORTICO_ERR_BODY_NOT_LOADED',
      `request.${what} was read before the body was loaded: await request.load() first ` +
        '(the handler does it before the view unless the view is marked with lazyBody()).',
    );
  }

  /** See `HttpRequest.POST`. */
  get POST(): QueryDict {
    if (this.#post === null) {
      if (!this.#isForm()) this.#post = new QueryDict();
      // A url-encoded body already read with body() can be parsed at once.
      else if (this.#bytes !== null && !this.#isMultipart()) this.#post = this.#parseForm(this.#bytes);
      else throw this.#notLoaded('POST');
    }
    return this.#post;
  }

  /** See `HttpRequest.FILES`. */
  get FILES(): MultiValueDict<UploadedFile> {
    if (this.#files === null) {
      if (!this.#isForm() || !this.#isMultipart()) this.#files = emptyFiles;
      else throw this.#notLoaded('FILES');
    }
    return this.#files;
  }

  /** Forgets the parsed form so it is decoded again (after the encoding changed). */
  resetForm(): void {
    if (this.#bytes !== null && !this.#isMultipart()) this.#post = null;
  }

  /** True when closing the request has something to do (uploads in temporary files). */
  get needsClose(): boolean {
    return this.#loading !== null && this.#isMultipart();
  }

  /** Removes the temporary files of uploads (after the response; a load in progress finishes first). */
  async close(): Promise<void> {
    await this.#loading?.catch(() => {});
    const files = this.#temporary;
    this.#temporary = [];
    await Promise.all(files.map((file) => file.cleanup().catch(() => {})));
  }
}
