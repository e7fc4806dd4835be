/**
 * `GZipMiddleware`: compresses responses for clients that accept gzip (Django's
 * `django.middleware.gzip`), streaming responses as a stream.
 *
 * Compressing a page that holds a secret (a CSRF token) and text an attacker controls
 * exposes it to BREACH; see docs/contrib/middleware.md. As Django does, each gzip stream
 * carries a random-length file name in its header (100 bytes at most), which blurs the
 * length an attacker measures ("Heal the Breach"); the CSRF token's per-request mask is
 * the other half of the defence.
 *
 * @module
 */
import { randomInt } from 'node:crypto';
import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import { encodeBytes } from '../../web/http/charset.ts';
import { FileResponse } from '../../web/http/fileresponse.ts';
import type { HttpRequest } from '../../web/http/request.ts';
import type { HttpResponseBase } from '../../web/http/response-base.ts';
import { HttpResponse } from '../../web/http/response.ts';
import { type StreamingContent, StreamingHttpResponse } from '../../web/http/streaming.ts';
import { MiddlewareMixin } from '../../web/middleware/mixin.ts';
import { patchVaryHeaders } from '../utils/cache.ts';

/** Bodies shorter than this are not worth compressing. */
export const GZIP_MIN_LENGTH = 200;
/** The longest random file name put in a gzip header. */
export const MAX_RANDOM_BYTES = 100;

const ACCEPTS_GZIP = /\bgzip\b/;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A gzip member header (RFC 1952) naming a random file of 1–`maxRandomBytes` characters. */
function gzipHeader(maxRandomBytes: number): Buffer {
  const length = maxRandomBytes > 0 ? randomInt(1, maxRandomBytes + 1) : 0;
  let name = '';
  for (let i = 0; i < length; i++) name += LETTERS[randomInt(LETTERS.length)];
  // ID1 ID2 CM=deflate FLG (FNAME when named), MTIME=0, XFL=0, OS=unknown.
  const head = Buffer.from([0x1f, 0x8b, 8, length > 0 ? 8 : 0, 0, 0, 0, 0, 0, 255]);
  return length > 0 ? Buffer.concat([head, Buffer.from(`${name}\0`, 'latin1')]) : head;
}

/** The gzip trailer: CRC-32 and length modulo 2^32, little-endian. */
function gzipTrailer(crc: number, size: number): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  return trailer;
}

/** `data` gzipped, with a random-length file name (Django's `compress_string`). */
export function compressString(data: Uint8Array, maxRandomBytes = MAX_RANDOM_BYTES): Buffer {
  return Buffer.concat([
    gzipHeader(maxRandomBytes),
    deflateRawSync(data, { level: 6 }),
    gzipTrailer(crc32(data), data.length),
  ]);
}

/**
 * A stream's chunks gzipped as they come: each source chunk is flushed on its own, so a
 * client sees it as soon as the view yields it (server-sent events stay live).
 */
export async function* compressSequence(
  source: StreamingContent,
  charset = 'utf-8',
  maxRandomBytes = MAX_RANDOM_BYTES,
): AsyncGenerator<Uint8Array> {
  const deflate = createDeflateRaw({ level: 6 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  let crc = 0;
  let size = 0;
  try {
    yield gzipHeader(maxRandomBytes);
    for await (const chunk of source as AsyncIterable<string | Uint8Array>) {
      const bytes = typeof chunk === 'string' ? encodeBytes(chunk, charset) : chunk;
      if (bytes.length === 0) continue;
      crc = crc32(bytes, crc);
      size += bytes.length;
      deflate.write(bytes);
      await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      if (out.length > 0) yield Buffer.concat(out.splice(0));
    }
    const ended = new Promise<void>((resolve, reject) => {
      deflate.once('end', resolve);
      deflate.once('error', reject);
    });
    deflate.end();
    await ended;
    yield Buffer.concat([...out.splice(0), gzipTrailer(crc, size)]);
  } finally {
    deflate.destroy();
  }
}

/**
 * Compresses responses for clients whose `Accept-Encoding` names gzip: bodies of 200
 * bytes or more, not already encoded, not file downloads (`FileResponse`, which serves
 * ranges of the file as it is on disk). Adds `Vary: Accept-Encoding`, sets
 * `Content-Encoding: gzip`, and weakens a strong `ETag` (the bytes changed, the
 * representation did not). Put it near the top of `settings.middleware`, outside
 * anything that reads or writes the body.
 */
export class GZipMiddleware extends MiddlewareMixin {
  /** The longest random file name in the gzip header (0: none). */
  maxRandomBytes = MAX_RANDOM_BYTES;

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (response instanceof FileResponse) return response;
    if (response instanceof HttpResponse && response.byteLength < GZIP_MIN_LENGTH) return response;
    if (!(response instanceof HttpResponse) && !(response instanceof StreamingHttpResponse)) return response;
    if (response.headers.has('Content-Encoding')) return response;
    patchVaryHeaders(response, ['Accept-Encoding']);
    const accept = request.META.HTTP_ACCEPT_ENCODING;
    if (typeof accept !== 'string' || !ACCEPTS_GZIP.test(accept)) return response;
    if (response instanceof StreamingHttpResponse) {
      response.streamingContent = compressSequence(
        response.streamingContent,
        response.charset,
        this.maxRandomBytes,
      );
      response.headers.delete('Content-Length');
    } else {
      const compressed = compressString(response.content, this.maxRandomBytes);
      // Small, random-looking bodies can grow: then the original is sent.
      if (compressed.length >= response.byteLength) return response;
      response.content = compressed;
      response.headers.set('Content-Length', compressed.length);
    }
    const etag = response.headers.get('ETag');
    if (etag?.startsWith('"')) response.headers.set('ETag', `W/${etag}`);
    response.headers.set('Content-Encoding', 'gzip');
    return response;
  }
}
