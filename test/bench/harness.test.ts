import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBenchArgs } from '../../bench/lib/cli.ts';
import type { LoadResult } from '../../bench/lib/load.ts';
import { summarise, table } from '../../bench/lib/report.ts';
import { median } from '../../bench/lib/stats.ts';
import { wrkScript } from '../../bench/lib/wrk.ts';
import { runBench } from './run-bench.ts';
import { hello } from '../../bench/workloads/hello.ts';

function result(rps: number, p99Ms: number): LoadResult {
  return {
    requests: rps,
    durationS: 1,
    rps,
    p50Ms: p99Ms / 2,
    p99Ms,
    badStatus: 0,
    socketErrors: 0,
    errorDetail: '',
  };
}

describe('bench harness pieces', () => {
  test('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  test('options: defaults, and bad values are refused', () => {
    const options = parseBenchArgs(['hello']);
    assert.deepEqual(options.workloads, ['hello']);
    assert.equal(options.durationS, 5);
    assert.equal(options.rounds, 3);
    assert.equal(options.warmupS, 2);
    assert.equal(parseBenchArgs(['--duration', '1']).warmupS, 1);
    assert.throws(() => parseBenchArgs(['--rounds', '0']), /--rounds/);
    assert.throws(() => parseBenchArgs(['--load', 'ab']), /--load/);
  });

  test('ratios are medians of same-round ratios to the baseline', () => {
    const rows = summarise(
      hello,
      [
        { round: 1, server: 'node', result: result(100, 2) },
        { round: 1, server: 'portico', result: result(90, 3) },
        { round: 2, server: 'node', result: result(50, 4) },
        { round: 2, server: 'portico', result: result(50, 4) },
        { round: 3, server: 'node', result: result(200, 1) },
        { round: 3, server: 'portico', result: result(160, 1) },
      ],
      { loadGenerator: 'wrk', connections: 64, durationS: 1 },
    );
    const portico = rows.find((row) => row.server === 'portico');
    assert.equal(portico?.rps, 90);
    assert.equal(portico?.ratio_to_node, 0.9);
    assert.equal(portico?.p99_ratio_to_node, 1);
    assert.equal(rows.find((row) => row.server === 'node')?.ratio_to_node, 1);
  });

  test('wrk script: one request is static, several rotate, done() prints JSON', () => {
    const one = wrkScript(hello.requests);
    assert.match(one, /wrk\.method = "GET"/);
    assert.doesNotMatch(one, /request = function/);
    assert.match(one, /done = function/);
    const two = wrkScript([
      { method: 'GET', path: '/a', expect: { status: 200 } },
      { method: 'POST', path: '/b"\n', body: 'x', expect: { status: 200 } },
    ]);
    assert.match(two, /request = function/);
    assert.match(two, /"\/b\\"\\10"/);
  });

  test('paced load: wrk waits each connection its share of the interval; levels are medians over rounds', () => {
    const paced = wrkScript(hello.requests, { rate: 32_000, connections: 64 });
    assert.match(paced, /local interval = 2\.0000\n/, '64 connections at 32,000 rps: 2 ms each');
    assert.match(paced, /delay = function/);
    assert.doesNotMatch(wrkScript(hello.requests), /delay/);
    const level = (fraction: number, rps: number, p99Ms: number) => ({ fraction, rps, p99Ms });
    const rows = summarise(
      hello,
      [
        { round: 1, server: 'node', result: result(100, 2), levels: [level(0.5, 50, 1), level(0.9, 88, 3)] },
        { round: 2, server: 'node', result: result(120, 2), levels: [level(0.5, 60, 2), level(0.9, 100, 5)] },
        { round: 3, server: 'node', result: result(110, 2), levels: [level(0.5, 55, 9), level(0.9, 99, 4)] },
      ],
      { loadGenerator: 'wrk', connections: 64, durationS: 1 },
    );
    assert.deepEqual(rows[0]?.levels, [
      { fraction: 0.5, rps: 55, p99_ms: 2 },
      { fraction: 0.9, rps: 99, p99_ms: 4 },
    ]);
  });

  test('--rate: every server paced at the same offered rates, a column per rate', () => {
    assert.deepEqual(parseBenchArgs(['workers', '--rate', '20000, 40000']).rates, [20_000, 40_000]);
    assert.deepEqual(parseBenchArgs(['workers']).rates, []);
    assert.throws(() => parseBenchArgs(['--rate', '0']), /--rate/);
    assert.throws(() => parseBenchArgs(['--rate', 'fast']), /--rate/);
    const paced = (rate: number, rps: number, p99Ms: number) => ({ rate, rps, p99Ms });
    const rows = summarise(
      hello,
      [
        {
          round: 1,
          server: 'node',
          result: result(100, 2),
          levels: [{ fraction: 0.9, rps: 90, p99Ms: 3 }, paced(80, 80, 1)],
        },
        {
          round: 1,
          server: 'fastify',
          result: result(90, 2),
          levels: [{ fraction: 0.9, rps: 81, p99Ms: 6 }, paced(80, 79, 7)],
        },
      ],
      { loadGenerator: 'wrk', connections: 64, durationS: 1 },
    );
    assert.deepEqual(rows[1]?.levels, [
      { fraction: 0.9, rps: 81, p99_ms: 6 },
      { rate: 80, rps: 79, p99_ms: 7 },
    ]);
    const text = table(rows, 'node');
    assert.match(text, /p99 ms @90% \(rps\)\s+p99 ms @80 rps \(rps\)/);
    assert.match(text, /fastify .* 6\.00 \(81\)\s+7\.00 \(79\)/);
  });
});

describe('bench harness end to end', () => {
  test('hello, 1 s, 1 round, --json: one line per server with positive figures', async () => {
    const { rows } = await runBench(['hello', '--duration', '1', '--rounds', '1', '--connections', '16']);
    assert.deepEqual(
      rows.map((row) => row.server),
      ['node', 'fastify', 'portico', 'portico-serve'],
    );
    for (const row of rows) {
      assert.equal(row.workload, 'hello');
      for (const field of ['rps', 'p99_ms', 'ratio_to_node']) {
        assert.equal(typeof row[field], 'number', `${String(row.server)}.${field}`);
        assert.ok((row[field] as number) > 0, `${String(row.server)}.${field} = ${String(row[field])}`);
      }
    }
    assert.equal(rows[0]?.ratio_to_node, 1);
  });
});
