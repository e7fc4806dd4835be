/**
 * The framework's extension points, used the way a layer uses them: settings sections
 * (Portico's validator and Zod), typed request state set lazily by middleware, and a
 * registered check — through the fixture project in test/web/fixtures/extension/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  defineSettingsSection,
  getTsgiApplication,
  ImproperlyConfigured,
  resolveSettings,
  type Settings,
  settingsSchema,
} from '../../../src/web/index.ts';
import { validateSection } from '../../../src/web/conf/sections.ts';
import { runChecks } from '../../../src/web/core/checks/index.ts';
import { defineLazy } from '../../../src/web/http/state.ts';
import { Client } from '../../../src/web/test/index.ts';
import { BLOG_PAGE_SIZE_CHECK } from '../fixtures/extension/blog.ts';
import { settings } from '../fixtures/extension/settings.ts';

/** Resolving `overrides` over the fixture's settings fails with exactly `message`. */
function assertRefused(overrides: Record<string, unknown>, message: string): void {
  assert.throws(
    () => resolveSettings({ ...settings, ...overrides } as Settings, { source: 'extension/settings.ts' }),
    (error: unknown) => error instanceof ImproperlyConfigured && error.message === message,
  );
}

describe('settings sections', () => {
  test('a section resolves to its defaults overridden by the project, frozen; a Zod section fills its defaults', () => {
    const resolved = resolveSettings(settings);
    assert.deepEqual(resolved.blog, { pageSize: 20, title: 'Notes', tags: ['a'] });
    assert.ok(Object.isFrozen(resolved.blog));
    assert.deepEqual(resolved.search, { url: 'http://127.0.0.1:9200/', timeoutMs: 500 });
  });

  test('a bad value is a one-line ImproperlyConfigured naming the key, the problem and the source', () => {
    assertRefused(
      { blog: { pageSize: 'ten' } },
      'settings.blog.pageSize: expected number, got string (in extension/settings.ts)',
    );
    assertRefused(
      { blog: { pageSiez: 3 } },
      "settings.blog.pageSiez: unknown key (did you mean 'pageSize'?) (in extension/settings.ts)",
    );
    assertRefused(
      { blog: { pageSize: 0 } },
      'settings.blog.pageSize: must be a positive number (in extension/settings.ts)',
    );
    assertRefused(
      { blog: 'big' },
      'settings.blog: expected an object, got string (in extension/settings.ts)',
    );
  });

  test('a missing section whose schema has no defaults names the key (Zod)', () => {
    const { search: _, ...withoutSearch } = settings;
    assert.throws(
      () => resolveSettings(withoutSearch as Settings),
      (error: unknown) =>
        error instanceof ImproperlyConfigured && /^settings\.search: .+$/.test(error.message),
    );
    assertRefused(
      { search: { url: 'not a url' } },
      `settings.search.url: Invalid URL (in extension/settings.ts)`,
    );
  });

  test('a key is owned by one section; an asynchronous schema is refused at resolution', () => {
    assert.throws(() => defineSettingsSection('blog', settingsSchema({ other: 1 })), /declared twice/);
    // Validated directly, not registered: a registered one would fail every resolution here.
    const slow = {
      key: 'slow',
      schema: {
        '~standard': { version: 1 as const, vendor: 'test', validate: async (value: unknown) => ({ value }) },
      },
    };
    assert.throws(
      () => validateSection(slow, {}, 'x.ts'),
      /^ImproperlyConfigured: settings\.slow: its schema validates asynchronously; settings sections need a synchronous schema \(in x\.ts\)$/,
    );
  });
});

describe('settings keep every key; portico check reports the ones nobody declared', () => {
  test('an unknown key stays on the resolved settings and is a settings.W001 warning with a guess', () => {
    const given = { ...settings, blgo: { pageSize: 3 }, custom: 1 } as Settings;
    const checks = runChecks(given, { tags: ['settings'] });
    assert.deepEqual(
      checks.map((message) => [message.id, message.level, message.message]),
      [
        [
          'settings.W001',
          'warning',
          "settings.blgo is not a setting of the framework or of any declared section (did you mean 'blog'?).",
        ],
        [
          'settings.W001',
          'warning',
          'settings.custom is not a setting of the framework or of any declared section.',
        ],
      ],
    );
  });

  test('a registered check runs with the others, can be selected by tag and silenced by id', () => {
    const big = { ...settings, blog: { pageSize: 500 } };
    assert.deepEqual(
      runChecks(big, { tags: ['blog'] }).map((message) => message.id),
      [BLOG_PAGE_SIZE_CHECK],
    );
    assert.ok(runChecks(big).some((message) => message.id === BLOG_PAGE_SIZE_CHECK));
    assert.deepEqual(runChecks(settings, { tags: ['blog'] }), []);
    assert.deepEqual(
      runChecks({ ...big, silencedSystemChecks: [BLOG_PAGE_SIZE_CHECK] }, { tags: ['blog'] }),
      [],
    );
  });
});

describe('typed request state', () => {
  test('a lazy value is computed on first read only, once, and typed for the view', async () => {
    const client = new Client(getTsgiApplication(settings));
    const who = await client.get('/who/', { headers: { 'X-Visitor': 'ada' } });
    assert.equal(who.status, 200);
    assert.deepEqual(JSON.parse(who.text()), { name: 'ada', for: 'Notes' });
    assert.equal((await client.get('/count/')).text(), '0', 'never read, never computed');
    assert.equal((await client.get('/twice/')).text(), '1', 'read twice, computed once');
  });

  test('assigning a key before it is read replaces the computation', () => {
    const target = { computed: 0 } as { computed: number; value?: string };
    defineLazyForTest(target);
    target.value = 'given';
    assert.equal(target.value, 'given');
    assert.equal(target.computed, 0);
  });
});

function defineLazyForTest(target: { computed: number; value?: string }): void {
  defineLazy(target, 'value', (t) => {
    t.computed++;
    return 'computed';
  });
}
