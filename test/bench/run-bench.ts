/**
 * Runs `bench/run.ts ARGS... --json` as a user would, for the end-to-end bench tests:
 * the exit code must be 0 (else the assertion shows its standard error); resolves to the
 * JSON rows and the standard error (the progress lines, the skip notes).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export async function runBench(
  args: readonly string[],
  timeoutMs = 90_000,
): Promise<{ rows: Array<Record<string, unknown>>; stderr: string }> {
  const child = spawn(process.execPath, ['bench/run.ts', ...args, '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  const rows = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { rows, stderr };
}
