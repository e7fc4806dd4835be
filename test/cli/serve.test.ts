import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseServeArgs } from '../../src/cli/serve.ts';
import { hasCode } from '../../src/tsgi/errors.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));

/** Runs `portico ARGS` to completion (bounded), returning its exit code and output. */
async function runPortico(args: string[], timeoutMs = 10_000) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test('parseServeArgs reads the app, mounts and limits', () => {
  const plan = parseServeArgs([
    'a.ts:app',
    '--http',
    '0.0.0.0:9000',
    '--mount',
    '/api=b.ts',
    '--limit-post',
    '1m',
    '--keepalive-timeout',
    '90',
    '--forwarded-allow-ips',
    '10.0.0.0/8, 127.0.0.1',
  ]);
  assert.deepEqual(plan.mounts, [
    { prefix: '', spec: 'a.ts:app' },
    { prefix: '/api', spec: 'b.ts' },
  ]);
  assert.equal(plan.options.host, '0.0.0.0');
  assert.equal(plan.options.port, 9000);
  assert.equal(plan.options.limitPost, 1024 * 1024);
  assert.equal(plan.options.keepaliveTimeout, 90);
  assert.deepEqual(plan.options.forwardedAllowIps, ['10.0.0.0/8', '127.0.0.1']);
});

test('parseServeArgs names the bad option', () => {
  for (const [args, pattern] of [
    [['a.ts', '--limit-post', 'lots'], /--limit-post: 'lots'/],
    [['a.ts', '--http', 'nowhere'], /--http: 'nowhere'/],
    [['a.ts', '--bogus'], /bogus/],
    [[], /no application/],
    [['a.ts', '--mount', 'api=b.ts'], /--mount/],
  ] as const) {
    assert.throws(
      () => parseServeArgs([...args]),
      (error: Error) => hasCode(error, 'PORTICO_ERR_CLI_USAGE') && pattern.test(error.message),
    );
  }
});

test('serve --help documents every option', async () => {
  const { code, stdout } = await runPortico(['serve', '--help']);
  assert.equal(code, 0);
  for (const option of [
    '--http',
    '--mount',
    '--limit-post',
    '--buffer-size',
    '--limit-request-line',
    '--limit-request-field-size',
    '--limit-request-fields',
    '--header-timeout',
    '--keepalive-timeout',
    '--max-requests-per-connection',
    '--forwarded-allow-ips',
  ]) {
    assert.ok(stdout.includes(option), `--help mentions ${option}`);
  }
});

test('a missing module, a missing export and a bad option: one line, non-zero exit', async () => {
  const missing = await runPortico(['serve', 'nope/app.ts:application', '--http', '127.0.0.1:0']);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^portico: error: module 'nope\/app\.ts' not found .*\[PORTICO_ERR_APP_NOT_FOUND\]\n$/,
  );

  const noExport = await runPortico(['serve', 'examples/echo/app.ts:nothing', '--http', '127.0.0.1:0']);
  assert.equal(noExport.code, 1);
  assert.match(noExport.stderr, /has no export 'nothing' \(it exports: application\)/);
  assert.equal(noExport.stderr.trim().split('\n').length, 1);

  const badOption = await runPortico(['serve', 'examples/echo/app.ts', '--limit-post', 'x']);
  assert.equal(badOption.code, 2);
  assert.equal(badOption.stderr.trim().split('\n').length, 1);
});

test('a port in use is one clear line and exit 1', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address() as { port: number };
  const result = await runPortico([
    'serve',
    'examples/echo/app.ts:application',
    '--http',
    `127.0.0.1:${port}`,
  ]);
  blocker.close();
  assert.equal(result.code, 1);
  assert.match(result.stderr, /address already in use \[PORTICO_ERR_LISTEN\]/);
});

test('serve runs the echo app and mounts; SIGTERM stops it with exit 0', async () => {
  const child = spawn(
    process.execPath,
    [
      bin,
      'serve',
      'examples/echo/app.ts:application',
      '--mount',
      '/echo=examples/echo/app.ts',
      '--http',
      '127.0.0.1:0',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  let out = '';
  while (!/on (http:\/\/\S+)/.test(out)) {
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    out += chunk.toString();
  }
  const url = /on (http:\/\/\S+)/.exec(out)?.[1] as string;
  const root1 = await (await fetch(`${url}/x?y=1`)).json();
  const mounted = await (await fetch(`${url}/echo/z`)).json();
  assert.deepEqual([root1.SCRIPT_NAME, root1.PATH_INFO, root1.QUERY_STRING], ['', '/x', 'y=1']);
  assert.deepEqual([mounted.SCRIPT_NAME, mounted.PATH_INFO], ['/echo', '/z']);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  assert.equal(code, 0);
});
