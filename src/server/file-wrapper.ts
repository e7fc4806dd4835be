/**
 * `tsgi.file_wrapper`: lets an application hand the server a file to send. Nothing is
 * read until the server iterates the wrapper, so middleware may still discard it.
 */
import type { FileHandle } from 'node:fs/promises';
import { basicFileWrapper, DEFAULT_BLOCK_SIZE } from '../tsgi/file-wrapper.ts';
import type { FileLike, FileWrapperBody } from '../tsgi/types.ts';

function isFileHandle(file: unknown): file is FileHandle & FileLike {
  return (
    typeof (file as FileHandle).createReadStream === 'function' && typeof (file as FileHandle).fd === 'number'
  );
}

/**
 * The `tsgi.file_wrapper` callable. A Node `FileHandle` is streamed with
 * `createReadStream` (large reads, no copy through the application); any other
 * {@link FileLike} is read in `blockSize` pieces by the portable wrapper.
 */
export function fileWrapper(file: FileLike, blockSize?: number): FileWrapperBody {
  if (!isFileHandle(file)) return basicFileWrapper(file, blockSize);
  const highWaterMark = Math.max(blockSize ?? 0, DEFAULT_BLOCK_SIZE);
  let closed = false;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      // autoClose off: closing the file is the wrapper's close(), called by the server.
      yield* file.createReadStream({ autoClose: false, highWaterMark });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await file.close();
    },
  };
}
