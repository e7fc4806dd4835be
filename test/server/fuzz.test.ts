/**
 * A bounded differential-fuzzing run (see fuzz/differential.ts): a few thousand mutated
 * request streams, Portico's engine against llhttp (the `node` engine), no framing
 * disagreement allowed. `PORTICO_FUZZ_SEED` and `PORTICO_FUZZ_CASES` replay or widen a run;
 * `bench/fuzz-http.ts` is the long run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateCases, runDifferential } from './fuzz/differential.ts';

const seed = Number(process.env.PORTICO_FUZZ_SEED ?? 20261207);
const count = Number(process.env.PORTICO_FUZZ_CASES ?? 3000);

test(`differential fuzzing: ${count} cases from seed ${seed}, the engines never frame differently`, async () => {
  const started = Date.now();
  const result = await runDifferential(generateCases(seed, count));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `fuzz seed ${seed}: ${count} cases in ${seconds} s; agreed ${result.agreed}, policy differences ${result.policy}, framing disagreements ${result.disagreements.length}, requests served ${result.served}`,
  );
  assert.deepEqual(
    result.disagreements.slice(0, 5),
    [],
    `framing disagreements (replay with PORTICO_FUZZ_SEED=${seed}): ${result.disagreements.length}`,
  );
});
