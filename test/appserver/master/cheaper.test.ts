import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cheaperDecision } from '../../../src/appserver/index.ts';

test('cheaper: add a step above the busy mark, remove one below the idle mark, within bounds', () => {
  const policy = { min: 1, max: 4, step: 2, busynessMax: 50, busynessMin: 25 };
  assert.equal(cheaperDecision(policy, 2, [0.9, 0.7]), 2);
  assert.equal(cheaperDecision(policy, 3, [0.9, 0.7, 0.8]), 1, 'capped at max');
  assert.equal(cheaperDecision(policy, 4, [1, 1, 1, 1]), 0);
  assert.equal(cheaperDecision(policy, 2, [0.1, 0.2]), -1);
  assert.equal(cheaperDecision(policy, 1, [0]), 0, 'never below min');
  assert.equal(cheaperDecision(policy, 2, [0.3, 0.4]), 0);
  assert.equal(cheaperDecision(policy, 2, []), 0);
});
