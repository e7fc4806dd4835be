/** The server turns V8's allocation-site pretenuring off once per process, unless the process chose. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resetGarbageCollectorTuning, tuneGarbageCollector } from '../../src/server/gc.ts';
import { createExchangeHandler } from '../../src/server/index.ts';
import { resolveServerOptions } from '../../src/server/options.ts';

function recorder(): { flags: string[]; set: (flags: string) => void } {
  const flags: string[] = [];
  return { flags, set: (f) => flags.push(f) };
}

test('pretenuring is turned off once, whatever the number of servers', () => {
  resetGarbageCollectorTuning();
  const { flags, set } = recorder();
  assert.equal(tuneGarbageCollector([], '', set), true);
  assert.equal(tuneGarbageCollector([], '', set), false);
  assert.deepEqual(flags, ['--no-allocation-site-pretenuring']);
});

test('a process started with its own choice keeps it (arguments or NODE_OPTIONS, either spelling)', () => {
  for (const [argv, options] of [
    [['--allocation-site-pretenuring'], ''],
    [['--no-allocation-site-pretenuring'], ''],
    [[], '--max-old-space-size=512 --allocation_site_pretenuring'],
  ] as const) {
    resetGarbageCollectorTuning();
    const { flags, set } = recorder();
    assert.equal(tuneGarbageCollector(argv, options, set), false);
    assert.deepEqual(flags, []);
  }
});

test('making a server (in-process or a portico serve worker: both make an exchange handler) tunes it', () => {
  resetGarbageCollectorTuning();
  createExchangeHandler([{ prefix: '', app: () => [] }], resolveServerOptions());
  const { flags, set } = recorder();
  assert.equal(tuneGarbageCollector([], '', set), false, 'already done');
  assert.deepEqual(flags, []);
});
