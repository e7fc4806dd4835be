/**
 * The examples in `docs/api/*.md` run, as those of docs/web and docs/db do (see
 * test/helpers/doc-examples.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testDocExamples } from '../helpers/doc-examples.ts';

const files = await testDocExamples('api');

test('docs/api has its pages', () => {
  assert.deepEqual(files, [
    'README.md',
    'auth.md',
    'filtering.md',
    'generics.md',
    'metadata.md',
    'openapi.md',
    'pagination.md',
    'serializers.md',
    'testing.md',
    'viewsets.md',
  ]);
});
