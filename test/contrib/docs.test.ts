/**
 * The examples in `docs/contrib/*.md` run, as those of docs/web and docs/db do (see
 * test/helpers/doc-examples.ts).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { caches } from '../../src/contrib/cache/index.ts';
import { testDocExamples } from '../helpers/doc-examples.ts';

const files = await testDocExamples('contrib');
after(() => caches.closeAll());

test('docs/contrib has its pages', () => {
  for (const page of ['cache.md', 'csrf.md', 'messages.md', 'middleware.md', 'sessions.md'])
    assert.ok(files.includes(page), page);
});
