/** The command's manners: short help, the version, "did you mean", errors first. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanEnv, root } from '../appserver/helpers.ts';

/** Runs `portico ARGS` to completion (bounded). */
async function portico(args: string[]) {
  const child = spawn(process.execPath, [join(root, 'bin/portico.js'), ...args], {
    cwd: root,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

test('--help is short: the commands, not every option of serve', async () => {
  const result = await portico(['--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: portico <command> \[options\]\n/);
  for (const command of ['serve', 'check', 'routes', 'runserver', 'startproject'])
    assert.match(result.stdout, new RegExp(`^  ${command}\\b`, 'm'));
  assert.ok(result.stdout.split('\n').length <= 24, 'a screen (24 lines), not pages');
  assert.doesNotMatch(result.stdout, /--workers/);
  assert.equal(
    (await portico(['help', 'check'])).stdout.split('\n')[0],
    'Usage: portico check [--settings PATH] [--deploy] [--fail-level LEVEL] [--tag TAGS]',
  );
});

test('--version and -V', async () => {
  for (const flag of ['--version', '-V']) {
    const result = await portico([flag]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `portico ${version}\n`);
  }
});

test('no command: the error first, then the usage; exit 2', async () => {
  const result = await portico([]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^portico: error: a command is needed\nUsage: portico <command>/);
});

test('"did you mean" for commands and options', async () => {
  for (const [args, pattern] of [
    [
      ['servr'],
      /^portico: error: unknown command 'servr'; did you mean 'serve'\? .*\[PORTICO_ERR_CLI_USAGE\]\n$/,
    ],
    [['--verison'], /^portico: error: unknown option '--verison'; did you mean '--version'\? /],
    [
      ['serve', 'app.ts', '--wrkers', '2'],
      /unknown option '--wrkers'; did you mean '--workers'\? .*\[PORTICO_ERR_CLI_USAGE\]\n$/,
    ],
    [['runserver', '--noreloaf'], /unknown option '--noreloaf'; did you mean '--noreload'\? /],
    [['frobnicate'], /^portico: error: unknown command 'frobnicate' \(try portico --help\)/],
  ] as const) {
    const result = await portico([...args]);
    assert.equal(result.code, 2, String(args));
    assert.match(result.stderr, pattern);
  }
});

const dir = mkdtempSync(join(tmpdir(), 'portico-main-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const web = pathToFileURL(join(root, 'src/web/index.ts')).href;
writeFileSync(
  join(dir, 'debug.ts'),
  `import { getTsgiApplication } from '${web}';\n` +
    `export const application = getTsgiApplication({ rootUrlconf: [], debug: true, secretKey: 'x' });\n`,
);

/** Runs `portico serve` against a port that is taken, so nothing ends up listening. */
async function serveTaken(spec: string, http: (port: number) => string) {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address() as { port: number };
  try {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/portico.js'), 'serve', spec, '--http', http(port)],
      {
        cwd: dir,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, stderr, port };
  } finally {
    blocker.close();
  }
}

test('serve: a port in use is the one line, with nothing before it', async () => {
  writeFileSync(join(dir, 'plain.ts'), 'export const application = () => [];\n');
  const result = await serveTaken('plain.ts', (port) => `127.0.0.1:${port}`);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    `portico: error: cannot listen on 127.0.0.1:${result.port}: address already in use [PORTICO_ERR_LISTEN]\n`,
  );
});

test('serve: a bare port with debug on warns that every interface will see the debug pages', async () => {
  // The port is taken on loopback, so binding every interface fails: nothing is exposed.
  const result = await serveTaken('debug.ts', (port) => String(port));
  assert.match(
    result.stderr,
    /^portico: warning: debug is on and 0\.0\.0\.0:\d+ listens on every interface: .*listen on 127\.0\.0\.1 or turn debug off\n/,
  );
});
