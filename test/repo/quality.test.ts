/**
 * The repository's own gates, so CI enforces them with the suite: strict typecheck and lint.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function npmRun(script: string) {
  return spawnSync('npm', ['run', '--silent', script], { cwd: root, encoding: 'utf8', timeout: 240_000 });
}

test('npm run typecheck passes (TypeScript strict)', () => {
  const result = npmRun('typecheck');
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});

test('npm run lint passes (ESLint and Prettier)', () => {
  const result = npmRun('lint');
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});
