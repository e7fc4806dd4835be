import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  formatConfig,
  OPTIONS,
  resolveServeConfig,
  type ResolvedConfig,
} from '../../../src/appserver/index.ts';
import { hasCode } from '../../../src/tsgi/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-config-'));
const toml = join(dir, 'portico.toml');
writeFileSync(
  toml,
  [
    'workers = 3',
    'harakiri = 30',
    'limit_post = "2m"',
    'max-requests = 500',
    'access-log = true',
    'mount = ["/api=api.ts:application"]',
  ].join('\n'),
);
const moduleOptions = async () => ({
  workers: 5,
  maxRequests: 100,
  gracefulTimeout: 9,
  keepaliveTimeout: 61,
});

async function resolved(
  args: string[],
  env: Record<string, string> = {},
  loader: () => Promise<unknown> = moduleOptions,
) {
  const request = await resolveServeConfig(args, env, loader);
  assert.equal(request.help, false);
  return request as ResolvedConfig & { help: false };
}

test('precedence: command line > environment > file > serverOptions > defaults', async () => {
  const { config, sources } = await resolved(['app.ts', '--config', toml, '--workers', '7', '-w', '8'], {
    PORTICO_WORKERS: '6',
    PORTICO_HARAKIRI: '40',
  });
  assert.equal(config.workers, 8);
  assert.equal(sources.workers, 'command line --workers');
  assert.equal(config.harakiri, 40);
  assert.equal(sources.harakiri, 'environment PORTICO_HARAKIRI');
  assert.equal(config.limitPost, 2 * 1024 * 1024);
  assert.equal(sources['limit-post'], `config file ${toml}`);
  assert.equal(config.maxRequests, 500, 'the file beats serverOptions');
  assert.equal(config.gracefulTimeout, 9);
  assert.equal(sources['graceful-timeout'], 'app module app.ts (serverOptions)');
  assert.equal(config.keepaliveTimeout, 61);
  assert.equal(config.headerTimeout, 30);
  assert.equal(sources['header-timeout'], 'default');
  assert.deepEqual(config.mount, [{ prefix: '/api', spec: 'api.ts:application' }]);
  assert.equal(config.accessLog, true);
});

test('the environment can name the config file and the app; booleans negate', async () => {
  const { config, sources } = await resolved(['--no-access-log'], {
    PORTICO_CONFIG: toml,
    PORTICO_APP: 'a.ts:app',
  });
  assert.equal(config.app, 'a.ts:app');
  assert.equal(config.workers, 3);
  assert.equal(config.accessLog, false);
  assert.equal(sources['access-log'], 'command line --access-log');
});

test('a JSON config file works like TOML', async () => {
  const json = join(dir, 'portico.json');
  writeFileSync(
    json,
    JSON.stringify({ workers: 2, http: '0.0.0.0:9000', 'forwarded-allow-ips': ['10.0.0.0/8'] }),
  );
  const { config } = await resolved(['app.ts', '--config', json], {}, async () => undefined);
  assert.equal(config.workers, 2);
  assert.deepEqual(config.http, [{ host: '0.0.0.0', port: 9000 }]);
  assert.deepEqual(config.forwardedAllowIps, ['10.0.0.0/8']);
});

test('errors are one line naming the option and its source', async () => {
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, 'wokers = 2\n');
  const badValue = join(dir, 'bad-value.toml');
  writeFileSync(badValue, 'workers = "many"\n');
  const broken = join(dir, 'broken.toml');
  writeFileSync(broken, 'workers = = 2\n');
  const cases: [string[], Record<string, string>, string, RegExp][] = [
    [['app.ts', '--wokers', '2'], {}, 'PORTICO_ERR_CLI_USAGE', /unknown option '--wokers'/],
    [['app.ts', '--workers', 'x'], {}, 'PORTICO_ERR_CLI_USAGE', /^--workers: 'x' is not a positive integer$/],
    [['app.ts', '--workers'], {}, 'PORTICO_ERR_CLI_USAGE', /^--workers: missing value/],
    [
      ['app.ts'],
      { PORTICO_WOKERS: '2' },
      'PORTICO_ERR_CONFIG',
      /unknown option PORTICO_WOKERS \(from the environment\)/,
    ],
    [
      ['app.ts'],
      { PORTICO_LIMIT_POST: 'lots' },
      'PORTICO_ERR_CONFIG',
      /^limit-post: 'lots' is not a size .*\(from environment PORTICO_LIMIT_POST\)$/,
    ],
    [
      ['app.ts', '--config', bad],
      {},
      'PORTICO_ERR_CONFIG',
      /unknown option 'wokers' \(from config file .*bad\.toml\)/,
    ],
    [
      ['app.ts', '--config', badValue],
      {},
      'PORTICO_ERR_CONFIG',
      /^workers: 'many' is not a positive integer \(from config file/,
    ],
    [['app.ts', '--config', broken], {}, 'PORTICO_ERR_CONFIG', /^config file .*broken\.toml: /],
    [['app.ts', '--config', join(dir, 'nope.toml')], {}, 'PORTICO_ERR_CONFIG', /cannot read config file/],
    [['app.ts', '--access-log-format', '%(nope)'], {}, 'PORTICO_ERR_CLI_USAGE', /unknown variable %\(nope\)/],
    [
      ['app.ts', '--workers', '2', '--cheaper', '2'],
      {},
      'PORTICO_ERR_CLI_USAGE',
      /^--cheaper: 2 must be below --workers/,
    ],
    [[], {}, 'PORTICO_ERR_CLI_USAGE', /no application given/],
  ];
  for (const [args, env, code, pattern] of cases) {
    await assert.rejects(
      resolveServeConfig(args, env, async () => undefined),
      (error: Error) => {
        assert.ok(hasCode(error, code as 'PORTICO_ERR_CONFIG'), `${args.join(' ')}: ${error.message}`);
        assert.match(error.message, pattern);
        assert.ok(!error.message.includes('\n'), 'one line');
        return true;
      },
    );
  }
  await assert.rejects(
    resolveServeConfig(['app.ts'], {}, async () => ({ workers: 'lots' })),
    (error: Error) =>
      hasCode(error, 'PORTICO_ERR_CONFIG') &&
      error.message === "workers: 'lots' is not a positive integer (from app module app.ts (serverOptions))",
  );
});

test('--print-config shows every file option, its value and where it came from', async () => {
  const request = await resolved(['app.ts', '--config', toml, '--print-config'], {
    PORTICO_LOG_LEVEL: 'debug',
  });
  const text = formatConfig(request);
  assert.match(text, /^workers = 3 +# config file .*portico\.toml$/m);
  assert.match(text, /^graceful-timeout = 9 +# app module app\.ts \(serverOptions\)$/m);
  assert.match(text, /^log-level = "debug" +# environment PORTICO_LOG_LEVEL$/m);
  assert.match(text, /^app = "app\.ts" +# command line$/m);
  assert.match(text, /^# pidfile = +# default$/m);
  for (const option of OPTIONS)
    if (!option.notInFile) assert.match(text, new RegExp(`^(# )?${option.name} =`, 'm'));
});

test('sockets: --http and --uwsgi repeat, lists from the environment, the default HTTP only without --uwsgi', async () => {
  const none = async () => undefined;
  const many = await resolved(
    [
      'app.ts',
      '--http',
      '127.0.0.1:8001',
      '--http=/run/a.sock',
      '--uwsgi',
      '[::1]:3031',
      '--socket',
      'unix:b.sock',
    ],
    {},
    none,
  );
  assert.deepEqual(many.config.http, [{ host: '127.0.0.1', port: 8001 }, { path: '/run/a.sock' }]);
  assert.deepEqual(many.config.uwsgiSocket, [{ host: '::1', port: 3031 }, { path: 'b.sock' }]);
  assert.equal(many.sources.uwsgi, 'command line --uwsgi', 'an alias reports the option by its name');

  const fromEnv = await resolved(['app.ts'], { PORTICO_UWSGI: '127.0.0.1:3031, /run/u.sock' }, none);
  assert.deepEqual(fromEnv.config.uwsgiSocket, [{ host: '127.0.0.1', port: 3031 }, { path: '/run/u.sock' }]);
  assert.deepEqual(fromEnv.config.http, [], 'uwsgi alone: no HTTP port nobody asked for');
  assert.match(fromEnv.sources.http as string, /^default \(none: a uwsgi socket is given\)$/);
  assert.match(formatConfig(fromEnv), /^# http = +# default \(none/m);
  assert.match(
    formatConfig(fromEnv),
    /^uwsgi = "127\.0\.0\.1:3031,\/run\/u\.sock" +# environment PORTICO_UWSGI$/m,
  );
  assert.equal(formatConfig(fromEnv).match(/^(# )?uwsgi =/gm)?.length, 1, 'printed once, not per alias');

  const both = await resolved(['app.ts', '--uwsgi', '/run/u.sock', '--http', ':8080'], {}, none);
  assert.deepEqual(both.config.http, [{ host: '0.0.0.0', port: 8080 }]);
  const plain = await resolved(['app.ts'], {}, none);
  assert.deepEqual(plain.config.http, [{ host: '127.0.0.1', port: 8000 }]);
  assert.deepEqual(plain.config.uwsgiSocket, []);
});

test('--listen (uWSGI) or backlog (gunicorn): the accept queue, 1024 by default', async () => {
  const none = async () => undefined;
  assert.equal((await resolved(['app.ts'], {}, none)).config.listen, 1024);
  assert.equal((await resolved(['app.ts', '--listen', '4096'], {}, none)).config.listen, 4096);
  assert.equal((await resolved(['app.ts', '-l', '300'], {}, none)).config.listen, 300);
  assert.equal((await resolved(['app.ts', '--backlog=2048'], {}, none)).config.listen, 2048);
  assert.equal((await resolved(['app.ts'], { PORTICO_LISTEN: '512' }, none)).config.listen, 512);
  const cases: [string[], Record<string, string>, string, RegExp][] = [
    [['app.ts', '--listen', '0'], {}, 'PORTICO_ERR_CLI_USAGE', /^--listen: '0' is not a positive integer$/],
    [
      ['app.ts'],
      { PORTICO_LISTEN: 'big' },
      'PORTICO_ERR_CONFIG',
      /^listen: 'big' is not a positive integer \(from environment PORTICO_LISTEN\)$/,
    ],
    [['app.ts', '--http', 'nowhere'], {}, 'PORTICO_ERR_CLI_USAGE', /^--http: 'nowhere' is not HOST:PORT$/],
    [
      ['app.ts', '--uwsgi-allow', '127.0.0.1,10.0.0.0/99'],
      {},
      'PORTICO_ERR_CLI_USAGE',
      /^--uwsgi-allow: '10\.0\.0\.0\/99' is not an IP, a CIDR or \*$/,
    ],
    [
      ['app.ts'],
      { PORTICO_FORWARDED_ALLOW_IPS: 'localhost' },
      'PORTICO_ERR_CONFIG',
      /^forwarded-allow-ips: 'localhost' is not an IP/,
    ],
    [
      ['app.ts', '--uwsgi', '127.0.0.1:3031', '--uwsgi', '127.0.0.1:3031'],
      {},
      'PORTICO_ERR_CLI_USAGE',
      /^--uwsgi: 127\.0\.0\.1:3031 is given twice/,
    ],
    [
      ['app.ts'],
      { PORTICO_HTTP: '' },
      'PORTICO_ERR_CONFIG',
      /^http: no socket to listen on: give --http or --uwsgi \(from environment PORTICO_HTTP\)$/,
    ],
  ];
  for (const [args, env, code, pattern] of cases) {
    await assert.rejects(resolveServeConfig(args, env, none), (error: Error) => {
      assert.ok(hasCode(error, code as 'PORTICO_ERR_CONFIG'), `${args.join(' ')}: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

test('--help is a request, not an error', async () => {
  assert.deepEqual(await resolveServeConfig(['--help'], {}), { help: true });
});
