/**
 * Parsing `multipart/form-data` bodies with busboy, under Django's limits
 * (`django/http/multipartparser.py`): fields count against `dataUploadMaxNumberFields`
 * and, by size, `dataUploadMaxMemorySize`; files against `dataUploadMaxNumberFiles` and
 * `fileUploadMaxSize`; a file larger than `fileUploadMaxMemorySize` goes to a temporary
 * file as it arrives, so a large upload never sits in memory.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import busboy from 'busboy';
import { concatBytes } from '../../tsgi/input.ts';
import {
  FileTooBig,
  MultiPartParserError,
  RequestDataTooBig,
  TooManyFieldsSent,
  TooManyFilesSent,
} from '../exceptions.ts';
import {
  InMemoryUploadedFile,
  TemporaryUploadedFile,
  type UploadedFile,
  type UploadInfo,
} from '../files/uploadedfile.ts';
import { MultiValueDict } from '../utils/datastructures.ts';
import { QueryDict } from './querydict.ts';

/** The limits of one parse (from the settings). */
export interface MultiPartLimits {
  /** Total size of the non-file fields; `null` for no limit. */
  readonly maxMemorySize: number | null;
  readonly maxNumberFields: number | null;
  readonly maxNumberFiles: number | null;
  /** Files larger than this are written to a temporary file. */
  readonly fileMaxMemorySize: number;
  /** Largest file accepted; `null` for no limit. */
  readonly fileMaxSize: number | null;
  /** Where temporary files go. */
  readonly tempDir: string;
}

/** What a parse produces. */
export interface MultiPartResult {
  readonly post: QueryDict;
  readonly files: MultiValueDict<UploadedFile>;
  /** The uploads kept in temporary files, to remove after the response. */
  readonly temporary: readonly TemporaryUploadedFile[];
}

/** Reads the next piece of the body; empty at the end. */
export type BodySource = () => Promise<Uint8Array>;

const encoder = new TextEncoder();

/** One file part being received: in memory until it passes the threshold, then on disk. */
class FileSink {
  readonly #limits: MultiPartLimits;
  readonly #info: UploadInfo;
  #chunks: Uint8Array[] | null = [];
  #size = 0;
  #stream: WriteStream | null = null;
  path: string | null = null;

  constructor(info: UploadInfo, limits: MultiPartLimits) {
    this.#info = info;
    this.#limits = limits;
  }

  /** Takes a chunk; returns false when the caller should wait for `drain`. */
  write(chunk: Uint8Array): boolean {
    this.#size += chunk.length;
    if (this.#chunks !== null) {
      this.#chunks.push(chunk);
      if (this.#size <= this.#limits.fileMaxMemorySize) return true;
      this.path = join(this.#limits.tempDir, `portico-upload-${randomBytes(12).toString('hex')}.upload`);
      this.#stream = createWriteStream(this.path, { flags: 'wx' });
      const pending = this.#chunks;
      this.#chunks = null;
      let ok = true;
      for (const c of pending) ok = this.#stream.write(c);
      return ok;
    }
    return (this.#stream as WriteStream).write(chunk);
  }

  onDrain(callback: () => void): void {
    this.#stream?.once('drain', callback);
  }

  /** The finished upload, once everything is on disk. */
  async finish(): Promise<UploadedFile> {
    if (this.#chunks !== null) {
      return new InMemoryUploadedFile(this.#info, concatBytes(this.#chunks, this.#size));
    }
    const stream = this.#stream as WriteStream;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(resolve);
    });
    return new TemporaryUploadedFile(this.#info, this.path as string, this.#size);
  }

  /** Stops writing and removes the temporary file, after a failed parse. */
  async discard(): Promise<void> {
    const stream = this.#stream;
    if (stream === null) return;
    await new Promise<void>((resolve) => {
      stream.once('error', () => resolve());
      stream.end(resolve);
    });
    if (this.path !== null) await rm(this.path, { force: true });
  }
}

/** The file name without any directory a client put in it (Django's sanitize_file_name). */
function baseName(name: string): string {
  return name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).trim();
}

/**
 * Parses a multipart body read from `source`.
 *
 * @throws MultiPartParserError (400) for a malformed body or a missing boundary.
 * @throws TooManyFieldsSent, TooManyFilesSent (400), RequestDataTooBig, FileTooBig (413).
 */
export async function parseMultipart(
  contentType: string,
  source: BodySource,
  limits: MultiPartLimits,
  encoding = 'utf-8',
): Promise<MultiPartResult> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      defCharset: encoding,
      limits: {
        fields: limits.maxNumberFields ?? Number.POSITIVE_INFINITY,
        files: limits.maxNumberFiles ?? Number.POSITIVE_INFINITY,
        fileSize: limits.fileMaxSize ?? Number.POSITIVE_INFINITY,
        fieldSize: limits.maxMemorySize ?? Number.POSITIVE_INFINITY,
        parts: Number.POSITIVE_INFINITY,
      },
    });
  } catch (error) {
    throw new MultiPartParserError(`Invalid multipart body: ${(error as Error).message}`, { cause: error });
  }
  const fields: Array<[string, string]> = [];
  const sinks: Array<{ sink: FileSink; upload: UploadInfo; ended: Promise<void> }> = [];
  let fieldBytes = 0;
  let failure: unknown = null;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {});
  const fail = (error: unknown): void => {
    if (failure !== null) return;
    failure = error;
    settle.reject(error);
  };

  parser.on('field', (name, value, info) => {
    fieldBytes += encoder.encode(name).length + encoder.encode(value).length;
    if (info.valueTruncated || (limits.maxMemorySize !== null && fieldBytes > limits.maxMemorySize)) {
      fail(new RequestDataTooBig('Request body exceeded dataUploadMaxMemorySize.'));
      return;
    }
    fields.push([name, value]);
  });
  parser.on('file', (fieldName, stream, info) => {
    const name = baseName(info.filename ?? '');
    // An empty file input submits a part with no file name: not a file (Django skips it).
    if (failure !== null || name === '') {
      stream.resume();
      return;
    }
    const upload: UploadInfo = {
      fieldName,
      name,
      contentType: info.mimeType || 'application/octet-stream',
      charset: /;\s*charset=([^;]+)/i.exec(info.mimeType ?? '')?.[1],
    };
    const sink = new FileSink(upload, limits);
    sinks.push({ sink, upload, ended: new Promise((resolve) => stream.once('end', resolve)) });
    stream.on('data', (chunk: Uint8Array) => {
      if (failure !== null) return;
      if (!sink.write(chunk)) {
        stream.pause();
        sink.onDrain(() => stream.resume());
      }
    });
    stream.on('limit', () => fail(new FileTooBig(`The file "${name}" exceeded fileUploadMaxSize.`)));
  });
  parser.on('fieldsLimit', () =>
    fail(
      new TooManyFieldsSent(
        `The number of GET/POST parameters exceeded dataUploadMaxNumberFields (${limits.maxNumberFields}).`,
      ),
    ),
  );
  parser.on('filesLimit', () =>
    fail(
      new TooManyFilesSent(
        `The number of files exceeded dataUploadMaxNumberFiles (${limits.maxNumberFiles}).`,
      ),
    ),
  );
  parser.on('error', (error: Error) =>
    fail(new MultiPartParserError(`Invalid multipart body: ${error.message}`, { cause: error })),
  );
  parser.on('close', () => settle.resolve());

  try {
    for (;;) {
      if (failure !== null) break;
      const chunk = await Promise.race([source(), done.then(() => new Uint8Array(0))]);
      if (failure !== null) break;
      if (chunk.length === 0) break;
      if (!parser.write(chunk)) {
        await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), done]);
      }
    }
    if (failure === null) parser.end();
    await done;
    const files = new MultiValueDict<UploadedFile>();
    const temporary: TemporaryUploadedFile[] = [];
    for (const { sink, upload, ended } of sinks) {
      await ended;
      const file = await sink.finish();
      files.append(upload.fieldName, file);
      if (file instanceof TemporaryUploadedFile) temporary.push(file);
    }
    return { post: QueryDict.fromEntries(fields, { encoding }), files: files.freeze(), temporary };
  } catch (error) {
    parser.destroy();
    await Promise.all(sinks.map(({ sink }) => sink.discard().catch(() => {})));
    throw error;
  }
}
