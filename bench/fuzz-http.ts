/**
 * The long differential-fuzzing run: Portico's HTTP engine against llhttp (the `node`
 * engine) on mutated request streams, in batches, until a case count or a time budget is
 * spent. The seed is printed first, so any failure can be replayed:
 *
 * ```sh
 * node bench/fuzz-http.ts                          # a random seed, 60 s
 * node bench/fuzz-http.ts --seed 1234 --seconds 600
 * node bench/fuzz-http.ts --seed 1234 --cases 50000
 * ```
 *
 * Exits 1 when the engines framed any case differently, printing those cases.
 */
import { parseArgs } from 'node:util';
import { generateCases, runDifferential } from '../test/server/fuzz/differential.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    cases: { type: 'string' },
    batch: { type: 'string', default: '5000' },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const budgetMs = Number(values.seconds) * 1000;
const maxCases = values.cases === undefined ? Number.POSITIVE_INFINITY : Number(values.cases);
const batch = Number(values.batch);
console.log(`fuzz-http: seed ${seed} (replay: node bench/fuzz-http.ts --seed ${seed})`);

const started = Date.now();
let done = 0;
let failures = 0;
let policy = 0;
// Batch n uses seed + n: a failing batch is replayed on its own with that seed and --batch.
for (let n = 0; done < maxCases && Date.now() - started < budgetMs; n++) {
  const count = Math.min(batch, maxCases - done);
  const result = await runDifferential(generateCases(seed + n, count));
  done += count;
  policy += result.policy;
  for (const d of result.disagreements) {
    failures++;
    console.log(`DISAGREEMENT seed ${seed + n} case ${d.index}: ${d.bytes}`);
    console.log(`  portico: ${JSON.stringify(d.portico)}`);
    console.log(`  node:    ${JSON.stringify(d.node)}`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `${done} cases in ${seconds.toFixed(0)} s (${Math.round(done / seconds)}/s): ${failures} framing disagreements, ${policy} policy differences`,
  );
}
process.exitCode = failures === 0 ? 0 : 1;
