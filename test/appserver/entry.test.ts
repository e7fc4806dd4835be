import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { siblingModule } from '../../src/appserver/entry.ts';
import { WATCHDOG_ENTRY } from '../../src/appserver/harakiri/table.ts';
import { WORKER_ENTRY } from '../../src/appserver/master/master.ts';

test('the worker entry and the harakiri thread: .ts next to the sources, .js next to the installed dist/', () => {
  assert.equal(
    siblingModule('file:///srv/portico/src/appserver/master/master.ts', '../worker/worker-main'),
    '/srv/portico/src/appserver/worker/worker-main.ts',
  );
  assert.equal(
    siblingModule(
      'file:///srv/app/node_modules/portico/dist/appserver/master/master.js',
      '../worker/worker-main',
    ),
    '/srv/app/node_modules/portico/dist/appserver/worker/worker-main.js',
  );
  assert.equal(
    siblingModule('file:///srv/my%20app/node_modules/portico/dist/appserver/harakiri/table.js', 'thread'),
    '/srv/my app/node_modules/portico/dist/appserver/harakiri/thread.js',
    'a file path, not a URL path: a space stays a space',
  );
  // In this checkout: the files the callers name exist, and the build emits their .js twins into dist/.
  for (const [from, name] of [
    ['../../src/appserver/master/master.ts', WORKER_ENTRY],
    ['../../src/appserver/harakiri/table.ts', WATCHDOG_ENTRY],
  ] as const) {
    const path = siblingModule(new URL(from, import.meta.url).href, name);
    assert.ok(existsSync(path), path);
  }
  const build = JSON.parse(readFileSync(new URL('../../tsconfig.build.json', import.meta.url), 'utf8')) as {
    include: string[];
    compilerOptions: { outDir: string; rootDir: string };
  };
  assert.deepEqual(
    [build.include, build.compilerOptions.rootDir, build.compilerOptions.outDir],
    [['src'], 'src', 'dist'],
  );
  const bin = readFileSync(new URL('../../bin/portico.js', import.meta.url), 'utf8');
  assert.match(bin, /installed \? '\.\.\/dist\/cli\/main\.js' : '\.\.\/src\/cli\/main\.ts'/);
});
