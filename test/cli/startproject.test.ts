/**
 * `portico startproject`: generate a project into a temporary directory, then check it and
 * run its own test against this checkout's sources (its `portico` dependency is a link to
 * the checkout, resolved to `src/` by the `portico-source` export condition).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bin, cleanEnv, get, root, startPortico } from '../appserver/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-startproject-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], cwd: string) {
  // Without the runner's NODE_TEST_CONTEXT, a nested `node --test` reports as a top-level run.
  const { NODE_TEST_CONTEXT: _, ...env } = cleanEnv();
  const child = spawn(process.execPath, ['--conditions=portico-source', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test('a new project checks, routes and tests clean at once', async () => {
  const created = await run([bin, 'startproject', 'mysite'], dir);
  assert.equal(created.code, 0, created.stderr);
  const project = join(dir, 'mysite');
  for (const file of [
    'package.json',
    'tsconfig.json',
    'settings.ts',
    'urls.ts',
    'views.ts',
    'app.ts',
    'templates/base.html',
    'templates/home.html',
    'tests/home.test.ts',
  ])
    assert.ok(existsSync(join(project, file)), file);
  const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // Run from a checkout, the project depends on that checkout.
  assert.equal(pkg.dependencies.portico, `file:${realpathSync(root)}`);
  // Each project gets its own development key.
  assert.match(readFileSync(join(project, 'settings.ts'), 'utf8'), /'dev-insecure-[\w-]{32}'/);

  // `npm install` would put portico here; a link to this checkout stands in for it.
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules/portico'), 'dir');

  const check = await run([bin, 'check'], project);
  assert.equal(check.stdout, 'System check identified no issues.\n', check.stderr);
  assert.equal(check.code, 0);

  const routes = await run([bin, 'routes', '--json'], project);
  assert.deepEqual(JSON.parse(routes.stdout), [{ pattern: '', view: 'home', name: 'home' }]);

  const tests = await run(['--test', '--test-reporter=tap', 'tests/home.test.ts'], project);
  assert.equal(tests.code, 0, tests.stdout + tests.stderr);
  assert.match(tests.stdout, /^# pass 1$/m);

  // And it serves: the home page over a real socket, rendered from its templates.
  const server = await startPortico([`${join(project, 'app.ts')}:application`], {
    env: { NODE_OPTIONS: '--conditions=portico-source' },
  });
  const home = await get(`${server.url}/`);
  assert.equal(home.status, 200, server.stderr());
  assert.match(home.body, /<h1>mysite is running<\/h1>/);
  process.kill(server.pid, 'SIGTERM');
  assert.equal((await server.exited).code, 0);
});

test('startproject refuses a bad name and a non-empty directory, in one line', async () => {
  const bad = await run([bin, 'startproject', 'My Site'], dir);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^portico: error: startproject: 'My Site' is not a valid project name .*\[PORTICO_ERR_CLI_USAGE\]\n$/,
  );
  mkdirSync(join(dir, 'taken'));
  symlinkSync(root, join(dir, 'taken/x'));
  const taken = await run([bin, 'startproject', 'taken'], dir);
  assert.equal(taken.code, 2);
  assert.match(taken.stderr, /already exists and is not empty \[PORTICO_ERR_CLI_USAGE\]\n$/);
});

test('the default portico dependency is the Portico that ran startproject', async () => {
  const { porticoDependency } = await import('../../src/cli/startproject.ts');
  const owner = join(dir, 'owner');
  const installed = join(owner, 'node_modules/portico');
  mkdirSync(installed, { recursive: true });
  const write = (deps: Record<string, string>) =>
    writeFileSync(join(owner, 'package.json'), JSON.stringify({ dependencies: deps }));
  // Installed from a tarball (npm writes the path relative to the project): that tarball.
  write({ portico: 'file:vendor/portico-0.1.0.tgz' });
  assert.equal(
    porticoDependency('0.1.0', installed).spec,
    `file:${realpathSync(owner)}/vendor/portico-0.1.0.tgz`,
  );
  // Installed from the registry: the version's range.
  write({ portico: '^0.1.0' });
  assert.deepEqual(porticoDependency('0.1.0', installed), { spec: '^0.1.0', source: 'the npm registry' });
  // A checkout: its path.
  assert.equal(porticoDependency('0.1.0', root).spec, `file:${realpathSync(root)}`);
});
