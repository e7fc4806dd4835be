/**
 * A portable `tsgi.file_wrapper`.
 *
 * @module
 */
import type { FileLike, FileWrapperBody } from './types.ts';

/** The default read size of file wrappers: 64 KiB. */
export const DEFAULT_BLOCK_SIZE = 64 * 1024;

/**
 * Reads the file in `blockSize` pieces as the server iterates, from its current position to
 * its end. Nothing is read before iteration starts; `close()` closes the file (once).
 *
 * @param file - anything with `read(size)`, and optionally `close()`.
 * @param blockSize - bytes per read; default 64 KiB.
 */
export function basicFileWrapper(file: FileLike, blockSize?: number): FileWrapperBody {
  const size = blockSize !== undefined && blockSize > 0 ? blockSize : DEFAULT_BLOCK_SIZE;
  let closed = false;
  return {
    async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      while (!closed) {
        const chunk = await file.read(size);
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await file.close?.();
    },
  };
}
