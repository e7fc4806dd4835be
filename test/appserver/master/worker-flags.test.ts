/**
 * Workers start with a young generation sized for serving (`--max-semi-space-size`), after
 * the master's own flags, unless the user sized it: see `worker-flags.ts`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  setsYoungGeneration,
  WORKER_SEMI_SPACE_MB,
  workerExecArgv,
} from '../../../src/appserver/master/worker-flags.ts';
import { fixtures, get, startPortico } from '../helpers.ts';

const OURS = `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`;

test('workerExecArgv: the master flags, then the young-generation size', () => {
  assert.deepEqual(workerExecArgv([]), [OURS]);
  assert.deepEqual(workerExecArgv(['--conditions=portico-source', '--cpu-prof']), [
    '--conditions=portico-source',
    '--cpu-prof',
    OURS,
  ]);
});

test("workerExecArgv: the user's young-generation size wins, from the flags or NODE_OPTIONS", () => {
  assert.deepEqual(workerExecArgv(['--max-semi-space-size=64']), ['--max-semi-space-size=64']);
  assert.deepEqual(workerExecArgv(['--min_semi_space_size=4']), ['--min_semi_space_size=4']);
  assert.deepEqual(workerExecArgv(['--cpu-prof'], '--max-old-space-size=512 --max-semi-space-size=32'), [
    '--cpu-prof',
  ]);
  // Other heap flags do not size the young generation.
  assert.deepEqual(workerExecArgv([], '--max-old-space-size=512'), [OURS]);
  assert.equal(setsYoungGeneration('--max-old-space-size=512'), false);
  assert.equal(setsYoungGeneration(['--max_semi_space_size=16']), true);
});

test('a worker of portico serve runs with the flag; NODE_OPTIONS overrides it', async () => {
  const plain = await startPortico([`${fixtures}flags-app.ts`, '--log-level', 'warning']);
  const flags = JSON.parse((await get(plain.url)).body) as string[];
  assert.ok(flags.includes(OURS), flags.join(' '));

  const sized = await startPortico([`${fixtures}flags-app.ts`, '--log-level', 'warning'], {
    env: { NODE_OPTIONS: '--max-semi-space-size=4' },
  });
  const userFlags = JSON.parse((await get(sized.url)).body) as string[];
  assert.ok(!userFlags.some((flag) => flag.includes('semi-space')), userFlags.join(' '));
});
