/** "Did you mean": the closest known name to a typo, and nothing for a word that is not one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, didYouMean } from '../../src/tsgi/suggest.ts';

test('a typo finds its word: a letter off, missing, extra, or two swapped', () => {
  const options = ['workers', 'harakiri', 'http', 'uwsgi', 'limit-post', 'max-requests'];
  assert.equal(closest('wrkers', options), 'workers');
  assert.equal(closest('workerss', options), 'workers');
  assert.equal(closest('hrakairi', options), 'harakiri');
  assert.equal(closest('limit-pots', options), 'limit-post');
  assert.equal(closest('HTTP', options), 'http');
});

test('a word far from every name suggests nothing', () => {
  assert.equal(closest('frobnicate', ['serve', 'check', 'routes', 'runserver', 'startproject']), undefined);
  assert.equal(closest('x', ['serve']), undefined);
  assert.equal(didYouMean('bogus', ['workers']), '');
  assert.equal(didYouMean('servr', ['serve', 'check']), "; did you mean 'serve'?");
  assert.equal(didYouMean('setings', ['settings'], '--'), "; did you mean '--settings'?");
});
