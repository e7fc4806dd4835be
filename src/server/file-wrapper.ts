/**
 * `tsgi.file_wrapper`: lets an application hand the server a file to send.
 *
 * Nothing is read until the server iterates the wrapper, so middleware may still discard
 * it. A Node `FileHandle` is streamed with `createReadStream` (large reads, no copy
 * through the application); any other {@link FileLike} is read in `blockSize` pieces.
 */
import type { FileHandle } from 'node:fs/promises';
import type { FileLike, FileWrapperBody } from '../tsgi/types.ts';

const DEFAULT_BLOCK_SIZE = 64 * 1024;

function isFileHandle(file: unknown): file is FileHandle {
  return (
    typeof (file as FileHandle).createReadStream === 'function' && typeof (file as FileHandle).fd === 'number'
  );
}

/** The server's own wrapper type. */
export class ServerFileWrapper implements FileWrapperBody {
  readonly file: FileLike | FileHandle;
  readonly blockSize: number;
  #closed = false;

  constructor(file: FileLike | FileHandle, blockSize = DEFAULT_BLOCK_SIZE) {
    this.file = file;
    this.blockSize = blockSize > 0 ? blockSize : DEFAULT_BLOCK_SIZE;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const file = this.file;
    if (isFileHandle(file)) {
      // autoClose off: closing the file is the wrapper's close(), called by the server.
      yield* file.createReadStream({
        autoClose: false,
        highWaterMark: Math.max(this.blockSize, DEFAULT_BLOCK_SIZE),
      });
      return;
    }
    while (!this.#closed) {
      const chunk = await file.read(this.blockSize);
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.file.close?.();
  }
}

/** The `tsgi.file_wrapper` callable. */
export function fileWrapper(file: FileLike, blockSize?: number): FileWrapperBody {
  return new ServerFileWrapper(file, blockSize);
}
