/** `portico check` and `portico routes`, run as the real command on fixture projects. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bin, cleanEnv, root } from '../appserver/helpers.ts';

const projects = join(root, 'test/cli/fixtures/projects');

/** Runs `portico ARGS` to completion (bounded), returning its exit code and output. */
export async function portico(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? root,
    env: cleanEnv(options.env ?? {}),
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

describe('portico check', () => {
  test('a clean project: no issues, exit 0; found through ./settings.ts by default', async () => {
    const result = await portico(['check'], { cwd: join(projects, 'good') });
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, 'System check identified no issues.\n');
    assert.equal(result.code, 0);
  });

  test('every finding on one line with its level and id (hints indented), exit 1 for errors', async () => {
    const result = await portico(['check', '--settings', 'test/cli/fixtures/projects/bad/settings.ts']);
    assert.equal(result.code, 1);
    const lines = result.stderr.trimEnd().split('\n');
    const findings = lines.filter((line) => !line.startsWith('  hint: ') && !line.startsWith('System check'));
    assert.deepEqual(
      findings.map((line) => /^(\w+): .* \[([a-z]+\.[DIWEC]\d{3})\]$/.exec(line)?.slice(1, 3).join(' ')),
      ['error middleware.E001', 'error urls.E003', 'info security.I020', 'warning security.W101'],
    );
    assert.match(
      lines[0] ?? '',
      /^error: AuthenticationMiddleware requires SessionMiddleware, which is listed after it/,
    );
    assert.match(
      lines[1] ?? '',
      /URL name 'home' is used twice in the root namespace: by '\/' and by 'index\/'/,
    );
    assert.equal(lines[2], '  hint: Rename one.');
    assert.equal(
      lines.at(-1),
      'System check identified 4 issues in test/cli/fixtures/projects/bad/settings.ts.',
    );
    assert.equal(result.stdout, '');
  });

  test('--fail-level, --deploy, --tag and silencedSystemChecks decide what is reported and the exit code', async () => {
    const bad = 'test/cli/fixtures/projects/bad/settings.ts';
    const critical = await portico(['check', '--settings', bad, '--fail-level', 'critical']);
    assert.equal(critical.code, 0, critical.stderr);
    assert.match(critical.stderr, /4 issues in .*; none at level critical or above\.\n$/);
    const security = await portico(['check', '--settings', bad, '--tag', 'security', '--deploy']);
    assert.deepEqual(
      [...security.stderr.matchAll(/\[([a-z]+\.[DIWEC]\d{3})\]/g)].map((m) => m[1]),
      // The contrib apps' deploy checks run although this project imports none of them.
      ['security.I020', 'security.W101', 'security.W018', 'security.W003', 'security.W001', 'security.W002'],
    );
    assert.equal(security.code, 0, 'warnings alone pass at the default fail level');
    const warning = await portico([
      'check',
      '--settings',
      bad,
      '--tag',
      'security',
      '--fail-level',
      'WARNING',
    ]);
    assert.equal(warning.code, 1);
    const silenced = await portico([
      'check',
      '--settings',
      'test/cli/fixtures/projects/silenced/settings.ts',
    ]);
    assert.equal(silenced.stdout, 'System check identified no issues.\n', silenced.stderr);
    const usage = await portico(['check', '--settings', bad, '--fail-level', 'loud']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--fail-level must be one of debug, info, warning, error, critical/);
    const tags = await portico(['check', '--settings', bad, '--list-tags']);
    assert.equal(tags.stdout, 'auth\nmiddleware\nmigrations\nmodels\nsecurity\nsessions\nsettings\nurls\n');
  });

  test('--deploy reports the contrib apps’ checks: the missing middleware, not the present one', async () => {
    const good = await portico([
      'check',
      '--deploy',
      '--settings',
      'test/cli/fixtures/projects/good/settings.ts',
    ]);
    const ids = (stderr: string) => [...stderr.matchAll(/\[([a-z]+\.[DIWEC]\d{3})\]/g)].map((m) => m[1]);
    for (const id of ['security.W001', 'security.W002', 'security.W003'])
      assert.ok(ids(good.stderr).includes(id), `${id} in:\n${good.stderr}`);
    // The demo has CsrfViewMiddleware: no W003 there.
    const demo = await portico(['check', '--deploy', '--settings', 'examples/demo/settings.ts']);
    assert.ok(!ids(demo.stderr).includes('security.W003'), demo.stderr);
    assert.ok(ids(demo.stderr).includes('security.W001'), demo.stderr);
  });

  test('a missing required middleware is reported too', async () => {
    const { checkMiddleware } = await import('../../src/web/core/checks/index.ts');
    class SessionMiddleware {}
    class AuthenticationMiddleware {
      static readonly requires = [SessionMiddleware];
    }
    const messages = checkMiddleware([AuthenticationMiddleware as never]);
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]?.message ?? '',
      /requires SessionMiddleware, which is not in settings.middleware/,
    );
    assert.deepEqual(checkMiddleware([SessionMiddleware as never, AuthenticationMiddleware as never]), []);
  });

  test('an unknown converter and a view that is not callable, with their codes', async () => {
    const converter = await portico(['check', '--settings=test/cli/fixtures/projects/converter/settings.ts']);
    assert.equal(converter.code, 1);
    assert.match(
      converter.stderr,
      /^critical: URL route 'items\/<money:price>\/' uses invalid converter 'money'\. \[core\.E001 PORTICO_ERR_UNKNOWN_CONVERTER\]\n/,
    );
    const view = await portico(['check', '--settings', 'test/cli/fixtures/projects/view/settings.ts']);
    assert.equal(view.code, 1);
    assert.match(
      view.stderr,
      /^critical: URL 'items\/': the view must be a function .*\[core\.E001 PORTICO_ERR_VIEW_NOT_CALLABLE\]\n/,
    );
  });

  test('a missing or unusable settings file: one line, exit 1, no stack', async () => {
    for (const [args, pattern] of [
      [
        ['check'],
        /^portico: error: settings file '\.\/settings\.ts' not found .*\[PORTICO_ERR_SETTINGS\]\n$/,
      ],
      [
        ['routes', '--settings', 'test/cli/fixtures/projects/noexport/settings.ts'],
        /^portico: error: .* must export its settings as 'default' or 'settings' \(it exports: debug\) \[PORTICO_ERR_SETTINGS\]\n$/,
      ],
      [
        ['check', '--settings', 'package.json'],
        /^portico: error: settings file 'package.json' failed to load: .*\[PORTICO_ERR_LOAD_FAILED\]\n$/,
      ],
    ] as const) {
      const result = await portico([...args]);
      assert.equal(result.code, 1, String(args));
      assert.match(result.stderr, pattern);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
    const usage = await portico(['check', '--setings', 'x']);
    assert.equal(usage.code, 2);
    assert.match(
      usage.stderr,
      /unknown option '--setings'; did you mean '--settings'\? .*\[PORTICO_ERR_CLI_USAGE\]/,
    );
  });

  test('PORTICO_SETTINGS names the file when --settings is not given', async () => {
    const result = await portico(['check'], {
      env: { PORTICO_SETTINGS: 'test/cli/fixtures/projects/good/settings.ts' },
    });
    assert.equal(result.code, 0, result.stderr);
  });
});

describe('portico routes', () => {
  const settings = ['--settings', 'test/cli/fixtures/projects/good/settings.ts'];

  test('the table in resolution order: pattern, view, name', async () => {
    const result = await portico(['routes', ...settings]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'PATTERN             VIEW           NAME',
        '/                   home           home',
        '/blog/<int:year>/   archive        blog:archive',
        '/blog/<slug:slug>/  ArticleDetail  blog:detail',
        '/health/            home           -',
        '',
      ].join('\n'),
    );
  });

  test('--json', async () => {
    const result = await portico(['routes', ...settings, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [
      { pattern: '', view: 'home', name: 'home' },
      { pattern: 'blog/<int:year>/', view: 'archive', name: 'blog:archive' },
      { pattern: 'blog/<slug:slug>/', view: 'ArticleDetail', name: 'blog:detail' },
      { pattern: 'health/', view: 'home', name: null },
    ]);
  });
});
