/** `functionRegistry` (src/web/utils/function-registry.ts): each function once, in order, removable. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionRegistry } from '../../../src/web/utils/function-registry.ts';

test('functionRegistry keeps each function once, in order, and removes it', () => {
  const registry = functionRegistry<() => number>('a thing');
  const one = () => 1;
  const two = () => 2;
  registry.register(one);
  registry.register(two);
  registry.register(one);
  assert.deepEqual(registry.items, [one, two]);
  assert.equal(registry.unregister(one), true);
  assert.equal(registry.unregister(one), false);
  assert.deepEqual(registry.items, [two]);
  assert.throws(() => registry.register(42 as unknown as () => number), /a thing must be a function/);
});
