import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { LocMemCache } from '../../../../src/contrib/cache/index.ts';
import { cacheConformance } from '../conformance.ts';

cacheConformance('locmem', () => new LocMemCache(randomUUID()));

test('locmem: least recently used entries are culled at maxEntries', async () => {
  const cache = new LocMemCache(randomUUID(), { options: { maxEntries: 9, cullFrequency: 3 } });
  for (let i = 0; i < 9; i++) await cache.set(`k${i}`, i);
  await cache.get('k0'); // k0 becomes the most recently used
  await cache.set('k9', 9); // full: a third (3) of the least recently used go
  assert.equal(cache.size, 7);
  assert.equal(await cache.get('k0'), 0, 'recently read: kept');
  for (const gone of ['k1', 'k2', 'k3']) assert.equal(await cache.get(gone), undefined, gone);
  assert.equal(await cache.get('k9'), 9);
});

test('locmem: cullFrequency 0 empties the cache when full; same location shares entries', async () => {
  const location = randomUUID();
  const cache = new LocMemCache(location, { options: { maxEntries: 3, cullFrequency: 0 } });
  for (let i = 0; i < 3; i++) await cache.set(`k${i}`, i);
  await cache.set('k3', 3);
  assert.equal(cache.size, 1);
  assert.equal(await new LocMemCache(location).get('k3'), 3, 'another cache on the location sees it');
  assert.equal(await new LocMemCache(randomUUID()).get('k3'), undefined);
});

test('locmem: values are copies (mutating what get returned changes nothing)', async () => {
  const cache = new LocMemCache(randomUUID());
  const value = { list: [1] };
  await cache.set('obj', value);
  value.list.push(2);
  const got = (await cache.get('obj')) as { list: number[] };
  assert.deepEqual(got, { list: [1] });
  got.list.push(3);
  assert.deepEqual(await cache.get('obj'), { list: [1] });
});

test('locmem: keyPrefix, version and a custom keyFunction make the stored key', () => {
  const cache = new LocMemCache(randomUUID(), { keyPrefix: 'site', version: 3 });
  assert.equal(cache.makeKey('k'), 'site:3:k');
  const custom = new LocMemCache(randomUUID(), { keyFunction: (k, p, v) => `${v}/${p}/${k}` });
  assert.equal(custom.makeKey('k', 7), '7//k');
});
