/** neverCache and cacheControl on sync and async views. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheControl, HttpResponse, neverCache, path } from '../../../../src/web/index.ts';
import { Client } from '../../../../src/web/test/index.ts';

test('neverCache and cacheControl decorate sync and async views', async () => {
  const client = new Client({
    rootUrlconf: [
      path(
        'never/',
        neverCache(() => new HttpResponse('x')),
      ),
      path(
        'async/',
        neverCache(async () => new HttpResponse('x')),
      ),
      path(
        'cc/',
        cacheControl({ maxAge: 60, public: true })(async () => new HttpResponse('x')),
      ),
    ],
    allowedHosts: ['testserver'],
  });
  for (const url of ['/never/', '/async/']) {
    assert.equal(
      (await client.get(url)).headers.get('cache-control'),
      'max-age=0, no-cache, no-store, must-revalidate, private',
    );
  }
  assert.equal((await client.get('/cc/')).headers.get('cache-control'), 'max-age=60, public');
});
