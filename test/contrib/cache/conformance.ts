/**
 * The behaviour every cache backend shares (Django's cache tests, condensed): run against
 * locmem, the database (SQLite and PostgreSQL) and Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BaseCache } from '../../../src/contrib/cache/index.ts';

export function cacheConformance(name: string, make: () => BaseCache): void {
  test(`${name}: get/set/add/delete/has`, async () => {
    const cache = make();
    assert.equal(await cache.get('missing'), undefined);
    assert.equal(await cache.get('missing', 'fallback'), 'fallback');
    await cache.set('k', { a: [1, 'two', null, true] });
    assert.deepEqual(await cache.get('k'), { a: [1, 'two', null, true] });
    assert.equal(await cache.has('k'), true);
    assert.equal(await cache.add('k', 'other'), false, 'add refuses an existing key');
    assert.deepEqual(await cache.get('k'), { a: [1, 'two', null, true] });
    assert.equal(await cache.add('new', 'v'), true);
    assert.equal(await cache.get('new'), 'v');
    assert.equal(await cache.delete('k'), true);
    assert.equal(await cache.delete('k'), false);
    assert.equal(await cache.has('k'), false);
    await cache.set('falsy', 0);
    assert.equal(await cache.get('falsy'), 0, 'a stored 0 is not a miss');
    await cache.set('empty', '');
    assert.equal(await cache.get('empty'), '');
  });

  test(`${name}: timeouts — expiry, 0 stores nothing, null is forever, touch`, async () => {
    const cache = make();
    await cache.set('short', 'x', 0.2);
    assert.equal(await cache.get('short'), 'x');
    await cache.set('zero', 'x', 0);
    assert.equal(await cache.get('zero'), undefined, 'timeout 0 does not store');
    await cache.set('forever', 'x', null);
    await cache.set('touched', 'x', 0.2);
    assert.equal(await cache.touch('touched', 10), true);
    assert.equal(await cache.touch('absent', 10), false);
    await sleep(350);
    assert.equal(await cache.get('short'), undefined, 'expired');
    assert.equal(await cache.has('short'), false);
    assert.equal(await cache.get('forever'), 'x');
    assert.equal(await cache.get('touched'), 'x', 'touch extended it');
    assert.equal(await cache.add('short', 'again'), true, 'an expired key can be added');
  });

  test(`${name}: getMany/setMany/deleteMany, getOrSet`, async () => {
    const cache = make();
    assert.deepEqual(await cache.setMany({ a: 1, b: 'two', c: [3] }), []);
    assert.deepEqual(
      await cache.getMany(['a', 'b', 'c', 'nope']),
      new Map<string, unknown>([
        ['a', 1],
        ['b', 'two'],
        ['c', [3]],
      ]),
    );
    await cache.deleteMany(['a', 'b']);
    assert.deepEqual([...(await cache.getMany(['a', 'b', 'c'])).keys()], ['c']);
    let calls = 0;
    const compute = () => (calls++, 'computed');
    assert.equal(await cache.getOrSet('lazy', compute), 'computed');
    assert.equal(await cache.getOrSet('lazy', compute), 'computed');
    assert.equal(calls, 1, 'computed once');
  });

  test(`${name}: incr/decr, incrWithExpiry`, async () => {
    const cache = make();
    await assert.rejects(cache.incr('nope'), RangeError);
    await cache.set('n', 1);
    assert.equal(await cache.incr('n'), 2);
    assert.equal(await cache.incr('n', 10), 12);
    assert.equal(await cache.decr('n', 5), 7);
    assert.equal(await cache.get('n'), 7);
    await cache.set('s', 'text');
    await assert.rejects(cache.incr('s'), TypeError);
    // Concurrent increments are not lost.
    await cache.set('c', 0);
    await Promise.all(Array.from({ length: 20 }, () => cache.incr('c')));
    assert.equal(await cache.get('c'), 20);
    // The throttle counter: created at 1 with an expiry, counted up, gone after the window.
    const counts = await Promise.all(Array.from({ length: 5 }, () => cache.incrWithExpiry('hits', 0.3)));
    assert.deepEqual(
      counts.sort((a, b) => a - b),
      [1, 2, 3, 4, 5],
    );
    await sleep(450);
    assert.equal(await cache.get('hits'), undefined, 'the window ended');
    assert.equal(await cache.incrWithExpiry('hits', 10), 1, 'a new window starts at 1');
  });

  test(`${name}: versions and key prefix`, async () => {
    const cache = make();
    await cache.set('v', 'one', undefined, 1);
    await cache.set('v', 'two', undefined, 2);
    assert.equal(await cache.get('v', undefined, 1), 'one');
    assert.equal(await cache.get('v', undefined, 2), 'two');
    await cache.set('moved', 'x');
    assert.equal(await cache.incrVersion('moved'), cache.version + 1);
    assert.equal(await cache.get('moved'), undefined);
    assert.equal(await cache.get('moved', undefined, cache.version + 1), 'x');
    await assert.rejects(cache.incrVersion('never-set'), RangeError);
  });

  test(`${name}: key warnings like Django's (too long, control characters)`, async () => {
    const cache = make();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await cache.set('has space', 1);
      await cache.set('x'.repeat(260), 1);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(await cache.get('has space'), 1, 'still works: a warning, not an error');
    } finally {
      process.off('warning', onWarning);
    }
    assert.ok(
      warnings.some((w) => /characters that will cause errors/.test(w)),
      warnings.join('\n'),
    );
    assert.ok(warnings.some((w) => /longer than 250/.test(w)));
  });

  test(`${name}: clear`, async () => {
    const cache = make();
    await cache.set('a', 1);
    await cache.clear();
    assert.equal(await cache.get('a'), undefined);
  });
}
