/**
 * The examples in `docs/contrib/*.md` run (see test/helpers/doc-examples.ts): a doc that
 * drifts from the code fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDocExamples } from '../helpers/doc-examples.ts';

const files = await testDocExamples('contrib');

test('docs/contrib has pages with runnable examples', () => {
  assert.ok(files.length >= 3, files.join());
});
