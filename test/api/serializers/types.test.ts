/**
 * The serializers' types, proved by the compiler: `fixtures/typed.ts` compiles as it is
 * (each `@ts-expect-error` line is an error), and with those comments removed tsc reports
 * an error on exactly those lines — a misspelt field name is a compile error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../../..');
const fixture = path.join(import.meta.dirname, 'fixtures', 'typed.ts');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function compile(file: string): { status: number | null; out: string } {
  const dir = mkdtempSync(path.join(import.meta.dirname, 'fixtures', '.tsc-'));
  try {
    const config = path.join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({ extends: path.join(root, 'tsconfig.json'), include: [], files: [file] }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', config, '--noEmit', '--pretty', 'false'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('typos, read-only and write-only fields are compile errors', { timeout: 240_000 }, () => {
  const ok = compile(fixture);
  assert.equal(ok.status, 0, ok.out);

  const source = readFileSync(fixture, 'utf8');
  const expected: number[] = [];
  const lines = source.split('\n').map((line, i) => {
    if (!line.includes('// @ts-expect-error')) return line;
    expected.push(i + 2); // the line after the comment, 1-based
    return line.replace('// @ts-expect-error', '// (was expected to fail)');
  });
  const stripped = path.join(path.dirname(fixture), '.typed-stripped.ts');
  writeFileSync(stripped, lines.join('\n'));
  try {
    const bad = compile(stripped);
    assert.notEqual(bad.status, 0);
    const failing = new Set(
      [...bad.out.matchAll(/\.typed-stripped\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])),
    );
    assert.deepEqual(
      [...failing].sort((a, b) => a - b),
      expected,
      bad.out,
    );
    assert.ok(expected.length >= 10);
  } finally {
    rmSync(stripped, { force: true });
  }
});
