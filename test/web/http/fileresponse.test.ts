import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { basicFileWrapper as fileWrapper } from '../../../src/tsgi/file-wrapper.ts';
import { FileResponse, type FileSource, type FileResponseOptions, path } from '../../../src/web/index.ts';
import { contentDisposition, contentTypeFor } from '../../../src/web/http/fileresponse.ts';
import { project } from '../app.ts';
import { makeEnviron, serve } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-fileresponse-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'report.pdf');
writeFileSync(file, '0123456789abcdefghij');

function app(source: () => FileSource, options: FileResponseOptions = {}) {
  return project({ rootUrlconf: [path('f/', () => new FileResponse(source(), options))] });
}

describe('FileResponse headers', () => {
  test('a path: Content-Type from the extension, Content-Length, inline disposition, Accept-Ranges, Last-Modified', async () => {
    const served = await serve(
      app(() => file),
      { path: '/f/' },
    );
    assert.equal(served.code, 200);
    assert.equal(served.body, '0123456789abcdefghij');
    assert.equal(served.header('Content-Type'), 'application/pdf');
    assert.equal(served.header('Content-Length'), '20');
    assert.equal(served.header('Content-Disposition'), 'inline; filename="report.pdf"');
    assert.equal(served.header('Accept-Ranges'), 'bytes');
    assert.match(served.header('Last-Modified') ?? '', /GMT$/);
  });

  test('attachments with non-ASCII names: an ASCII fallback and RFC 5987 filename*', () => {
    assert.equal(
      contentDisposition(true, 'Résumé 2026 – final.pdf'),
      `attachment; filename="Resume 2026 _ final.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026%20%E2%80%93%20final.pdf`,
    );
    assert.equal(contentDisposition(true, "it's (1).txt"), `attachment; filename="it's (1).txt"`);
    assert.equal(
      contentDisposition(false, '日本.txt'),
      `inline; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`,
    );
    assert.equal(contentDisposition(true), 'attachment');
    assert.equal(contentDisposition(false), undefined);
    const response = new FileResponse(new Uint8Array(3), { asAttachment: true, filename: 'a"b.csv' });
    assert.equal(response.headers.get('Content-Disposition'), 'attachment; filename="a\\"b.csv"');
    assert.equal(response.headers.get('Content-Type'), 'text/csv; charset=utf-8');
  });

  test('Content-Type by extension; compressed archives as their compression, unknown as octet-stream', () => {
    assert.equal(contentTypeFor('a.png'), 'image/png');
    assert.equal(contentTypeFor('a.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('a.tar.gz'), 'application/gzip');
    assert.equal(contentTypeFor('a.unknown-ext'), 'application/octet-stream');
    assert.equal(contentTypeFor('noext'), 'application/octet-stream');
    assert.equal(
      new FileResponse(new Uint8Array(1), { filename: 'x.png', contentType: 'image/webp' }).headers.get(
        'Content-Type',
      ),
      'image/webp',
    );
  });

  test('a FileHandle: size from fstat, the handle closed with the response', async () => {
    const handle = await open(file, 'r');
    const served = await serve(
      app(() => handle, { filename: 'x.txt' }),
      { path: '/f/' },
    );
    assert.equal(served.body.length, 20);
    assert.equal(served.header('Content-Length'), '20');
    await assert.rejects(handle.stat(), /closed|EBADF/);
  });
});

describe('ranges', () => {
  const ranged = (range: string, extra: Record<string, string> = {}) =>
    serve(
      app(() => file),
      { path: '/f/', headers: { Range: range, ...extra } },
    );

  test('a Range on HEAD is ignored: ranges are defined for GET only (RFC 9110 §14.2)', async () => {
    const head = await serve(
      app(() => file),
      { method: 'HEAD', path: '/f/', headers: { Range: 'bytes=0-1' } },
    );
    assert.equal(head.code, 200);
    assert.equal(head.header('Content-Length'), '20');
    assert.equal(head.header('Content-Range'), undefined);
  });

  test('206 with Content-Range and only those bytes', async () => {
    const served = await ranged('bytes=5-9');
    assert.equal(served.code, 206);
    assert.equal(served.status, '206 Partial Content');
    assert.equal(served.body, '56789');
    assert.equal(served.header('Content-Range'), 'bytes 5-9/20');
    assert.equal(served.header('Content-Length'), '5');
    assert.equal((await ranged('bytes=-3')).body, 'hij');
  });

  test('416 with Content-Range bytes */size when the range is outside the file', async () => {
    const served = await ranged('bytes=30-40');
    assert.equal(served.code, 416);
    assert.equal(served.header('Content-Range'), 'bytes */20');
    assert.equal(served.header('Content-Length'), '0');
    assert.equal(served.body, '');
  });

  test('If-Range that does not match Last-Modified sends the whole file', async () => {
    const whole = await ranged('bytes=0-1', { 'If-Range': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    assert.equal(whole.code, 200);
    assert.equal(whole.body.length, 20);
    const first = await serve(
      app(() => file),
      { path: '/f/' },
    );
    const matching = await ranged('bytes=0-1', { 'If-Range': first.header('Last-Modified') ?? '' });
    assert.equal(matching.code, 206);
  });

  test('bytes in memory serve ranges too; a plain FileLike does not (no Accept-Ranges)', async () => {
    const bytes = await serve(
      app(() => new TextEncoder().encode('hello world')),
      {
        path: '/f/',
        headers: { Range: 'bytes=6-' },
      },
    );
    assert.equal(bytes.code, 206);
    assert.equal(bytes.body, 'world');
    let at = 0;
    const data = new TextEncoder().encode('stream');
    const stream = await serve(
      app(() => ({ read: (n: number) => data.subarray(at, (at += n)) })),
      {
        path: '/f/',
        headers: { Range: 'bytes=0-1' },
      },
    );
    assert.equal(stream.code, 200);
    assert.equal(stream.body, 'stream');
    assert.equal(stream.header('Accept-Ranges'), undefined);
  });

  test('through the server’s tsgi.file_wrapper, the range is what is sent', async () => {
    const served = await serve(
      app(() => file),
      makeEnviron({
        path: '/f/',
        headers: { Range: 'bytes=10-14' },
        extra: { 'tsgi.file_wrapper': fileWrapper },
      }),
    );
    assert.equal(served.code, 206);
    assert.equal(served.body, 'abcde');
  });
});
