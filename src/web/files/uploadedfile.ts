/**
 * Uploaded files (Django's `django/core/files/uploadedfile.py`): small ones are kept in
 * memory, larger ones were written to a temporary file while the body was parsed. The
 * temporary file is removed after the response, so a view that keeps the upload moves it
 * with {@link UploadedFile.saveTo}.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';

/** What the client said about a file part. */
export interface UploadInfo {
  /** The form field the file came in. */
  readonly fieldName: string;
  /** The file name the client gave, without any directory part. */
  readonly name: string;
  /** The part's Content-Type (`application/octet-stream` when absent). */
  readonly contentType: string;
  /** The charset parameter of that Content-Type, if any. */
  readonly charset: string | undefined;
}

const CHUNK = 64 * 1024;

/** A file that came with a `multipart/form-data` request. */
export abstract class UploadedFile implements UploadInfo {
  readonly fieldName: string;
  readonly name: string;
  readonly contentType: string;
  readonly charset: string | undefined;
  /** Its size in bytes. */
  readonly size: number;

  constructor(info: UploadInfo, size: number) {
    this.fieldName = info.fieldName;
    this.name = info.name;
    this.contentType = info.contentType;
    this.charset = info.charset;
    this.size = size;
  }

  /** The whole content. */
  abstract bytes(): Promise<Uint8Array>;

  /** The content in pieces of at most `chunkSize` bytes, without loading it all. */
  abstract chunks(chunkSize?: number): AsyncIterable<Uint8Array>;

  /** Writes the file to `path` (moving a temporary file when possible rather than copying). */
  abstract saveTo(path: string): Promise<void>;

  /** The path of the temporary file holding the content, or `undefined` when it is in memory. */
  temporaryFilePath(): string | undefined {
    return undefined;
  }

  /** The content decoded as text (the part's charset, else UTF-8). */
  async text(encoding = this.charset ?? 'utf-8'): Promise<string> {
    return new TextDecoder(encoding).decode(await this.bytes());
  }

  /** True when reading by `chunks(chunkSize)` takes more than one piece. */
  multipleChunks(chunkSize = CHUNK): boolean {
    return this.size > chunkSize;
  }
}

/** An upload small enough (up to `fileUploadMaxMemorySize`) to be kept in memory. */
export class InMemoryUploadedFile extends UploadedFile {
  /** The content. */
  readonly content: Uint8Array;

  constructor(info: UploadInfo, content: Uint8Array) {
    super(info, content.length);
    this.content = content;
  }

  override async bytes(): Promise<Uint8Array> {
    return this.content;
  }

  override async *chunks(chunkSize = CHUNK): AsyncIterable<Uint8Array> {
    for (let at = 0; at < this.content.length; at += chunkSize)
      yield this.content.subarray(at, at + chunkSize);
  }

  override async saveTo(path: string): Promise<void> {
    await writeFile(path, this.content);
  }
}

/** An upload written to a temporary file as it arrived; the file is removed after the response. */
export class TemporaryUploadedFile extends UploadedFile {
  #path: string;
  #moved = false;

  constructor(info: UploadInfo, path: string, size: number) {
    super(info, size);
    this.#path = path;
  }

  override temporaryFilePath(): string {
    return this.#path;
  }

  override async bytes(): Promise<Uint8Array> {
    return readFile(this.#path);
  }

  override async *chunks(chunkSize = CHUNK): AsyncIterable<Uint8Array> {
    yield* createReadStream(this.#path, { highWaterMark: chunkSize });
  }

  /**
   * Moves the temporary file to `path` (a copy when across file systems). Afterwards the
   * upload reads from `path`, and the end of the request no longer removes anything.
   */
  override async saveTo(path: string): Promise<void> {
    try {
      await rename(this.#path, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(this.#path, path);
      await rm(this.#path, { force: true });
    }
    this.#path = path;
    this.#moved = true;
  }

  /** Removes the temporary file (unless it was saved elsewhere). Called after the response. */
  async cleanup(): Promise<void> {
    if (!this.#moved) await rm(this.#path, { force: true });
  }
}
