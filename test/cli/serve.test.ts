import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPTIONS } from '../../src/appserver/index.ts';
import { parseServeArgs } from '../../src/cli/serve.ts';
import { bin, cleanEnv, fixtures, root, startPortico } from '../appserver/helpers.ts';

/** Runs `portico ARGS` to completion (bounded), returning its exit code and output. */
async function runPortico(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));

test('parseServeArgs reads the app, mounts and limits', async () => {
  const request = await parseServeArgs(
    [
      'examples/echo/app.ts:application',
      '--http',
      '0.0.0.0:9000',
      '--mount',
      '/api=b.ts',
      '--limit-post',
      '1m',
      '--keepalive-timeout=90',
      '--forwarded-allow-ips',
      '10.0.0.0/8, 127.0.0.1',
    ],
    {},
  );
  assert.equal(request.help, false);
  if (request.help) return;
  const { config } = request;
  assert.equal(config.app, 'examples/echo/app.ts:application');
  assert.deepEqual(config.mount, [{ prefix: '/api', spec: 'b.ts' }]);
  assert.deepEqual(config.http, [{ host: '0.0.0.0', port: 9000 }]);
  assert.equal(config.limitPost, 1024 * 1024);
  assert.equal(config.keepaliveTimeout, 90);
  assert.deepEqual(config.forwardedAllowIps, ['10.0.0.0/8', '127.0.0.1']);
});

test('serve --help documents every option of the schema', async () => {
  const { code, stdout } = await runPortico(['serve', '--help']);
  assert.equal(code, 0);
  for (const option of OPTIONS)
    assert.ok(stdout.includes(`--${option.name}`), `--help mentions --${option.name}`);
  assert.match(stdout, /PORTICO_WORKERS=4/);
});

test('a bad option is one line and exit 2, naming the option and its source', async () => {
  const file = join(dir, 'bad.toml');
  writeFileSync(file, 'harakiri = "soon"\n');
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ['--limit-post', 'x'],
      {},
      /^portico: error: --limit-post: 'x' is not a size \(bytes, or with k\/m\/g\) \[PORTICO_ERR_CLI_USAGE\]$/,
    ],
    [['--bogus'], {}, /^portico: error: unknown option '--bogus' .*\[PORTICO_ERR_CLI_USAGE\]$/],
    [
      [],
      { PORTICO_WORKERS: 'many' },
      /^portico: error: workers: 'many' is not a positive integer \(from environment PORTICO_WORKERS\) \[PORTICO_ERR_CONFIG\]$/,
    ],
    [
      [],
      { PORTICO_NOPE: '1' },
      /^portico: error: unknown option PORTICO_NOPE \(from the environment\) \[PORTICO_ERR_CONFIG\]$/,
    ],
    [
      ['--config', file],
      {},
      /^portico: error: harakiri: 'soon' is not a number of seconds \(from config file .*bad\.toml\) \[PORTICO_ERR_CONFIG\]$/,
    ],
  ];
  for (const [args, env, pattern] of cases) {
    const result = await runPortico(['serve', 'examples/echo/app.ts', ...args], env);
    assert.equal(result.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${result.stderr}`);
    assert.match(result.stderr.trimEnd(), pattern);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  }
});

test('--print-config shows the merged result and each source (CLI > env > file > serverOptions)', async () => {
  const file = join(dir, 'portico.toml');
  writeFileSync(file, 'workers = 4\nmax-requests = 100\nharakiri = 10\n');
  const result = await runPortico(
    ['serve', join(fixtures, 'options-app.ts'), '--config', file, '--print-config', '--max-requests', '300'],
    { PORTICO_HARAKIRI: '15' },
  );
  assert.equal(result.code, 0, result.stderr);
  const text = result.stdout;
  assert.match(text, /^max-requests = 300 +# command line --max-requests$/m);
  assert.match(text, /^harakiri = 15 +# environment PORTICO_HARAKIRI$/m);
  assert.match(text, /^workers = 4 +# config file .*portico\.toml$/m);
  assert.match(text, /^limit-post = 1048576 +# app module .*options-app\.ts \(serverOptions\)$/m);
  assert.match(text, /^keepalive-timeout = 75 +# default$/m);
});

test('a missing module, a missing export: one line, exit 1', async () => {
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
  const portico = await startPortico([
    'examples/echo/app.ts:application',
    '--mount',
    '/echo=examples/echo/app.ts',
  ]);
  const root1 = await (await fetch(`${portico.url}/x?y=1`)).json();
  const mounted = await (await fetch(`${portico.url}/echo/z`)).json();
  assert.deepEqual([root1.SCRIPT_NAME, root1.PATH_INFO, root1.QUERY_STRING], ['', '/x', 'y=1']);
  assert.deepEqual([mounted.SCRIPT_NAME, mounted.PATH_INFO], ['/echo', '/z']);
  assert.equal(root1['tsgi.multiprocess'], true);
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});

const python = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', ''], { timeout: 5000 }).status === 0,
);
const notify = spawnSync('systemd-notify', ['--version'], { timeout: 5000 }).status === 0;

test(
  'systemd: READY=1 when every worker listens, STOPPING=1 on SIGTERM',
  { skip: !python || !notify },
  async () => {
    const socketPath = join(dir, 'notify.sock');
    const receiver = spawn(
      python as string,
      [
        '-u',
        '-c',
        'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("bound")\nwhile True: print(s.recv(4096).decode().replace("\\n"," "))',
        socketPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let messages = '';
      receiver.stdout.on('data', (d) => (messages += d));
      await once(receiver.stdout, 'data');
      const portico = await startPortico(['examples/echo/app.ts', '--workers', '2'], {
        env: { NOTIFY_SOCKET: socketPath },
      });
      const until = async (pattern: RegExp) => {
        for (let i = 0; i < 50 && !pattern.test(messages); i++) await new Promise((r) => setTimeout(r, 100));
        assert.match(messages, pattern);
      };
      await until(new RegExp(`MAINPID=${portico.pid} READY=1 STATUS=serving on http://127\\.0\\.0\\.1:\\d+`));
      process.kill(portico.pid, 'SIGTERM');
      await until(/STOPPING=1/);
      assert.equal((await portico.exited).code, 0);
    } finally {
      receiver.kill('SIGKILL');
    }
  },
);
