/**
 * The serializer benchmark still runs (a tiny iteration count, not a timing): every
 * competitor accepts the valid object and rejects the invalid one, and a table comes out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');

test('bench/serializers.ts runs and prints its table', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['bench/serializers.ts', '--iterations', '50', '--rounds', '1'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['portico fields', 'portico zod', 'zod 4', 'valibot', 'ajv (compiled)'])
    assert.match(
      r.stdout,
      new RegExp(`\\| ${name.replace(/[()]/g, '\\$&')} +\\| +[\\d.]+[kM] \\| +[\\d.]+ \\|`),
    );
});

test('--json prints one object per competitor', { timeout: 120_000 }, () => {
  const r = spawnSync(
    process.execPath,
    ['bench/serializers.ts', '--iterations', '20', '--rounds', '1', '--json'],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 110_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; valid: number });
  assert.deepEqual(
    rows.map((row) => row.name),
    ['portico fields', 'portico isValidSync', 'portico zod', 'zod 4', 'valibot', 'ajv (compiled)'],
  );
  assert.ok(rows.every((row) => row.valid > 0));
});
