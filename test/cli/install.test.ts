/**
 * Installable everywhere: `npm pack` makes a tarball that works as a dependency. A project
 * made by `portico startproject --portico TARBALL` installs it (from the npm cache: no
 * network needed once the cache holds Portico's dependencies), passes its own `npm test`
 * and `npm run typecheck`, and the installed command (dist/, not this checkout's src/)
 * checks, lists and serves it; Portico's types also compile under `moduleResolution`
 * `bundler`, with the library check on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bin, cleanEnv } from '../appserver/helpers.ts';
import { npmInstall, pack } from './pack.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'portico-install-')));
after(() => rmSync(dir, { recursive: true, force: true }));

// This Node first on PATH, so npm and the project's scripts run on it; without the
// runner's NODE_TEST_CONTEXT, a nested `node --test` reports as a top-level run.
const { NODE_TEST_CONTEXT: _, ...base } = cleanEnv();
const env = { ...base, PATH: `${dirname(process.execPath)}${delimiter}${base.PATH ?? ''}` };

/** Runs a command to completion, bounded; rejects with its output when it fails. */
async function run(command: string, args: string[], cwd: string, ms = 45_000) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

async function ok(command: string, args: string[], cwd: string, ms?: number) {
  const result = await run(command, args, cwd, ms);
  assert.equal(result.code, 0, `${command} ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe('the packed tarball as a dependency', () => {
  let tarball = '';
  const project = join(dir, 'mysite');

  before(async () => {
    tarball = await pack(dir, env);
  });

  test('the tarball carries the command, the built code, types, README and licence', async () => {
    const listing = await ok('tar', ['-tzf', tarball], dir);
    const files = new Set(listing.stdout.split('\n'));
    for (const file of [
      'package/bin/portico.js',
      'package/dist/cli/main.js',
      'package/dist/web/index.js',
      'package/dist/web/index.d.ts',
      'package/README.md',
      'package/LICENSE',
      'package/package.json',
    ])
      assert.ok(files.has(file), file);
    assert.ok(![...files].some((file) => file.startsWith('package/test/')), 'no tests in the package');
  });

  test('startproject --portico TARBALL; npm install, npm test and npm run typecheck pass', async () => {
    const created = await ok(process.execPath, [bin, 'startproject', 'mysite', '--portico', tarball], dir);
    assert.match(created.stdout, new RegExp(`portico file:${tarball.replaceAll('.', '\\.')}`));
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    assert.equal(pkg.dependencies.portico, `file:${tarball}`);
    await npmInstall(project, env);
    const installed = realpathSync(join(project, 'node_modules/portico/bin/portico.js'));
    assert.ok(installed.startsWith(join(project, 'node_modules')), 'a copy, not a link to this checkout');
    const tests = await ok('npm', ['test'], project);
    assert.match(tests.stdout, /# pass 1\b|ℹ pass 1\b/);
    await ok('npm', ['run', 'typecheck'], project, 90_000);
  });

  test('the installed command checks, lists and serves the project', async () => {
    const portico = join(project, 'node_modules/.bin/portico');
    const check = await ok(process.execPath, [portico, 'check'], project);
    assert.equal(check.stdout, 'System check identified no issues.\n');
    const routes = await ok(process.execPath, [portico, 'routes', '--json'], project);
    assert.deepEqual(JSON.parse(routes.stdout), [{ pattern: '', view: 'home', name: 'home' }]);

    const child = spawn(process.execPath, [portico, 'serve', 'app.ts', '--http', '127.0.0.1:0'], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const match = / on (http:\/\/[^\s,]+)[^\n]* \(master pid/.exec(out);
          if (match !== null) resolve(match[1] as string);
        });
        child.once('exit', () => reject(new Error(`exited before ready:\n${err}`)));
      });
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(5000) });
      assert.equal(response.status, 200, err);
      assert.match(await response.text(), /<h1>mysite is running<\/h1>/);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      clearTimeout(killer);
    }
  });

  test('tsc with moduleResolution bundler and the library check on', async () => {
    writeFileSync(
      join(project, 'tsconfig.bundler.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { module: 'Preserve', moduleResolution: 'Bundler', skipLibCheck: false },
      }),
    );
    await ok(
      process.execPath,
      [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bundler.json'],
      project,
      90_000,
    );
  });
});
