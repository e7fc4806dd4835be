/**
 * The engines' lists of open connections (src/server/indexed-list.ts): swap-remove keeps every
 * item's index right, and removing twice, or an item never added, changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addIndexed, type Indexed, removeIndexed } from '../../src/server/indexed-list.ts';

type Item = Indexed & { name: string };
const item = (name: string): Item => ({ name, index: -1 });

test('removing from the middle moves the last item into the gap, with its index', () => {
  const list: Item[] = [];
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(item) as [Item, Item, Item, Item];
  for (const x of [a, b, c, d]) addIndexed(list, x);
  removeIndexed(list, b);
  assert.deepEqual(
    list.map((x) => x.name),
    ['a', 'd', 'c'],
  );
  assert.equal(d.index, 1);
  assert.equal(b.index, -1);
  // Every index still names its item.
  list.forEach((x, i) => assert.equal(x.index, i));
});

test('removing twice, or what was never added, changes nothing; the last item goes cleanly', () => {
  const list: Item[] = [];
  const [a, b] = ['a', 'b'].map(item) as [Item, Item];
  addIndexed(list, a);
  addIndexed(list, b);
  removeIndexed(list, b);
  removeIndexed(list, b);
  removeIndexed(list, item('stranger'));
  assert.deepEqual(
    list.map((x) => x.name),
    ['a'],
  );
  assert.equal(a.index, 0);
});

test('5,000 random adds and removes: the list always holds exactly the live items', () => {
  const list: Item[] = [];
  const live = new Set<Item>();
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let step = 0; step < 5000; step++) {
    if (live.size === 0 || random() < 0.55) {
      const x = item(String(step));
      addIndexed(list, x);
      live.add(x);
    } else {
      const x = [...live][Math.floor(random() * live.size)] as Item;
      removeIndexed(list, x);
      live.delete(x);
    }
  }
  assert.equal(list.length, live.size);
  list.forEach((x, i) => {
    assert.equal(x.index, i);
    assert.ok(live.has(x));
  });
});
