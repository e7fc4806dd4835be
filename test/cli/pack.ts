/**
 * `npm pack` for tests that install Portico as a user would. Packing builds dist/ in this
 * checkout (the `prepare` script), so two test files packing at once would write the same
 * files together: a lock (an atomic mkdir, waited for boundedly) takes them in turn.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../appserver/helpers.ts';

const LOCK = join(root, 'node_modules', '.portico-pack.lock');
/** A lock older than this is a crashed run's, and is taken over. */
const STALE_MS = 5 * 60_000;

async function lock(ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
    }
    assert.ok(Date.now() < deadline, `waited ${ms} ms for ${LOCK}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Packs this checkout into `dir`; resolves with the tarball's path. */
export async function pack(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  await lock(180_000);
  try {
    const child = spawn('npm', ['pack', '--silent', '--pack-destination', dir], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 0, `npm pack:\n${output}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  const name = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  assert.ok(name, 'npm pack wrote a tarball');
  return join(dir, name);
}

/**
 * `npm install` in `cwd` without the network when the npm cache can answer (`--offline`);
 * when it cannot (a cold cache, ENOTCACHED), from the cache first and the registry for the rest.
 */
export async function npmInstall(cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  let output = '';
  for (const mode of ['--offline', '--prefer-offline']) {
    const child = spawn('npm', ['install', mode, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    if (code === 0) return;
    if (!output.includes('ENOTCACHED')) break;
  }
  assert.fail(`npm install:\n${output}`);
}
