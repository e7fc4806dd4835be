/**
 * The examples in `docs/db/*.md` run, as those of docs/web do (see
 * test/helpers/doc-examples.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDocExamples } from '../helpers/doc-examples.ts';

const files = await testDocExamples('db');

test('docs/db has its pages', () => {
  assert.deepEqual(files, ['README.md', 'fixtures.md', 'migrations.md', 'models.md', 'transactions.md']);
});
