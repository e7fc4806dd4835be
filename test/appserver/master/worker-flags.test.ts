/**
 * Workers start with a young generation sized for serving (`--max-semi-space-size`),
 * without allocation-site pretenuring, and with single-threaded GC when there is a worker
 * per CPU, after the master's own flags, unless the user chose otherwise: see
 * `worker-flags.ts`.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import {
  setsGcThreads,
  setsPretenuring,
  setsYoungGeneration,
  WORKER_NO_PRETENURING,
  WORKER_SEMI_SPACE_MB,
  WORKER_SINGLE_THREADED_GC,
  workerExecArgv,
} from '../../../src/appserver/master/worker-flags.ts';
import { fixtures, get, startPortico } from '../helpers.ts';

const OURS = `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`;

test('workerExecArgv: the master flags, then the young-generation size and no pretenuring', () => {
  assert.deepEqual(workerExecArgv([]), [OURS, WORKER_NO_PRETENURING]);
  assert.deepEqual(workerExecArgv(['--conditions=portico-source', '--cpu-prof']), [
    '--conditions=portico-source',
    '--cpu-prof',
    OURS,
    WORKER_NO_PRETENURING,
  ]);
});

test("workerExecArgv: the user's young-generation size wins, from the flags or NODE_OPTIONS", () => {
  const none = WORKER_NO_PRETENURING;
  assert.deepEqual(workerExecArgv(['--max-semi-space-size=64']), ['--max-semi-space-size=64', none]);
  assert.deepEqual(workerExecArgv(['--min_semi_space_size=4']), ['--min_semi_space_size=4', none]);
  assert.deepEqual(workerExecArgv(['--cpu-prof'], '--max-old-space-size=512 --max-semi-space-size=32'), [
    '--cpu-prof',
    none,
  ]);
  // Other heap flags do not size the young generation.
  assert.deepEqual(workerExecArgv([], '--max-old-space-size=512'), [OURS, none]);
  assert.equal(setsYoungGeneration('--max-old-space-size=512'), false);
  assert.equal(setsYoungGeneration(['--max_semi_space_size=16']), true);
});

test("workerExecArgv: the user's pretenuring flag wins, either way and either spelling", () => {
  assert.deepEqual(workerExecArgv(['--allocation-site-pretenuring']), [
    '--allocation-site-pretenuring',
    OURS,
  ]);
  assert.deepEqual(workerExecArgv(['--no_allocation_site_pretenuring']), [
    '--no_allocation_site_pretenuring',
    OURS,
  ]);
  assert.equal(setsPretenuring(['--cpu-prof', '--max-semi-space-size=16']), false);
  assert.equal(setsPretenuring('--allocation_site_pretenuring'), true);
});

test('workerExecArgv: single-threaded GC only with at least one worker per CPU', () => {
  const single = WORKER_SINGLE_THREADED_GC;
  assert.deepEqual(workerExecArgv([], '', { workers: 1, cpus: 1 }), [OURS, WORKER_NO_PRETENURING, single]);
  assert.deepEqual(workerExecArgv([], '', { workers: 8, cpus: 4 }), [OURS, WORKER_NO_PRETENURING, single]);
  // A spare CPU: V8 keeps its helper threads.
  assert.deepEqual(workerExecArgv([], '', { workers: 1, cpus: 2 }), [OURS, WORKER_NO_PRETENURING]);
  assert.deepEqual(workerExecArgv([]), [OURS, WORKER_NO_PRETENURING]);
});

test("workerExecArgv: the user's choice of GC threads wins, either way and either spelling", () => {
  const placement = { workers: 2, cpus: 2 };
  for (const flag of [
    '--no-single-threaded-gc',
    '--single_threaded_gc',
    '--parallel-scavenge',
    '--no-concurrent-marking',
  ]) {
    assert.deepEqual(workerExecArgv([flag], '', placement), [flag, OURS, WORKER_NO_PRETENURING], flag);
  }
  assert.equal(setsGcThreads(['--cpu-prof', '--max-semi-space-size=16']), false);
  assert.equal(setsGcThreads('--no_parallel_marking'), true);
});

test('a worker of portico serve runs with the flags; NODE_OPTIONS overrides the size', async () => {
  const plain = await startPortico([`${fixtures}flags-app.ts`, '--log-level', 'warning']);
  const flags = JSON.parse((await get(plain.url)).body) as string[];
  assert.ok(flags.includes(OURS), flags.join(' '));
  assert.ok(flags.includes(WORKER_NO_PRETENURING), flags.join(' '));

  const sized = await startPortico([`${fixtures}flags-app.ts`, '--log-level', 'warning'], {
    env: { NODE_OPTIONS: '--max-semi-space-size=4' },
  });
  const userFlags = JSON.parse((await get(sized.url)).body) as string[];
  assert.ok(!userFlags.some((flag) => flag.includes('semi-space')), userFlags.join(' '));
});

test('with a worker per CPU, the workers of portico serve collect on their own thread', async () => {
  const workers = String(availableParallelism());
  const shared = await startPortico([
    `${fixtures}flags-app.ts`,
    '--workers',
    workers,
    '--log-level',
    'warning',
  ]);
  const flags = JSON.parse((await get(shared.url)).body) as string[];
  assert.ok(flags.includes(WORKER_SINGLE_THREADED_GC), flags.join(' '));
});
