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

  test('every problem on one line with its code, and exit 1', async () => {
    const result = await portico(['check', '--settings', 'test/cli/fixtures/projects/bad/settings.ts']);
    assert.equal(result.code, 1);
    const lines = result.stderr.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => /\[(PORTICO_ERR_[A-Z_]+)\]$/.exec(line)?.[1]),
      [
        'PORTICO_ERR_MIDDLEWARE_DEPENDENCY',
        'PORTICO_ERR_DUPLICATE_URL_NAME',
        'PORTICO_ERR_ALLOWED_HOSTS_EMPTY',
        'PORTICO_ERR_SECRET_KEY_MISSING',
        undefined,
      ],
    );
    assert.match(
      lines[0] ?? '',
      /^error: AuthenticationMiddleware requires SessionMiddleware, which is listed after it/,
    );
    assert.match(
      lines[1] ?? '',
      /URL name 'home' is used twice in the root namespace: by '\/' and by 'index\/'/,
    );
    assert.equal(lines[4], 'System check identified 4 issues in test/cli/fixtures/projects/bad/settings.ts.');
    assert.equal(result.stdout, '');
  });

  test('a missing required middleware is reported too', async () => {
    const { checkMiddleware } = await import('../../src/web/core/checks.ts');
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
      /^error: URL route 'items\/<money:price>\/' uses invalid converter 'money'\. \[PORTICO_ERR_UNKNOWN_CONVERTER\]\n/,
    );
    const view = await portico(['check', '--settings', 'test/cli/fixtures/projects/view/settings.ts']);
    assert.equal(view.code, 1);
    assert.match(
      view.stderr,
      /^error: URL 'items\/': the view must be a function .*\[PORTICO_ERR_VIEW_NOT_CALLABLE\]\n/,
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
