/**
 * One Portico per process, and load failures that say where: a project that depends on
 * this checkout with `"portico": "file:…"` (npm links it into node_modules) runs
 * `node_modules/.bin/portico` with no flags, and the command and the project's
 * `import 'portico/web'` must be the same copy of the framework.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanEnv, root } from '../appserver/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-one-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A project folder linked to this checkout as npm links a `file:` dependency. */
function project(name: string, files: Record<string, string>, type: string | null = 'module'): string {
  const folder = join(dir, name);
  mkdirSync(join(folder, 'node_modules/.bin'), { recursive: true });
  symlinkSync(root, join(folder, 'node_modules/portico'), 'dir');
  symlinkSync('../portico/bin/portico.js', join(folder, 'node_modules/.bin/portico'));
  const pkg = {
    name,
    private: true,
    ...(type === null ? {} : { type }),
    dependencies: { portico: `file:${root}` },
  };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(pkg));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(folder, file, '..'), { recursive: true });
    writeFileSync(join(folder, file), text);
  }
  return folder;
}

const settings = `import type { Settings } from 'portico/web';
import { urlpatterns } from './urls.ts';
export default { rootUrlconf: urlpatterns, debug: true, allowedHosts: ['127.0.0.1'], secretKey: 'x' } satisfies Settings;
`;
const urls = `import { path } from 'portico/web';
import { home } from './views.ts';
export const urlpatterns = [path('', home, { name: 'home' })];
`;
const views = `import { HttpResponse } from 'portico/web';
export function home(): HttpResponse {
  return new HttpResponse('home');
}
`;
const app = `import { getTsgiApplication } from 'portico/web';
import settings from './settings.ts';
export const application = getTsgiApplication(settings);
`;

/** Runs the project's own `portico` (the .bin link, as npx does), bounded. */
async function portico(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [join(cwd, 'node_modules/.bin/portico'), ...args], {
    cwd,
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

describe('a project linked with file:', () => {
  const folder = project('linked', {
    'settings.ts': settings,
    'urls.ts': urls,
    'views.ts': views,
    'app.ts': app,
  });

  test('check and routes see the project’s path() patterns (one copy of the framework)', async () => {
    const check = await portico(folder, ['check']);
    assert.equal(check.stderr, '');
    assert.equal(check.stdout, 'System check identified no issues.\n');
    const routes = await portico(folder, ['routes', '--json']);
    assert.equal(routes.code, 0, routes.stderr);
    assert.deepEqual(JSON.parse(routes.stdout), [{ pattern: '', view: 'home', name: 'home' }]);
  });

  test('serve: the workers load the same copy as the master', async () => {
    const child = spawn(
      process.execPath,
      [
        join(folder, 'node_modules/.bin/portico'),
        'serve',
        'app.ts',
        '--http',
        '127.0.0.1:0',
        '--workers',
        '1',
      ],
      { cwd: folder, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
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
      assert.equal(await response.text(), 'home');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      clearTimeout(killer);
    }
  });
});

describe('load failures keep their cause', () => {
  test('a syntax error in a view: file, line, column, the line and a caret, LOAD_FAILED', async () => {
    const folder = project('syntax', {
      'settings.ts': settings,
      'urls.ts': urls,
      'views.ts': `import { HttpResponse } from 'portico/web';\nexport function home(: HttpResponse {\n  return new HttpResponse('home');\n}\n`,
    });
    const result = await portico(folder, ['check']);
    assert.equal(result.code, 1);
    const [first, source, caret, ...rest] = result.stderr.trimEnd().split('\n');
    assert.match(
      first ?? '',
      /^portico: error: settings file '\.\/settings\.ts' failed to load: views\.ts:2:\d+: SyntaxError: .+ \[PORTICO_ERR_LOAD_FAILED\]$/,
    );
    assert.equal(source, '  export function home(: HttpResponse {');
    assert.match(caret ?? '', /^ {2} *\^$/);
    assert.deepEqual(rest, []);
  });

  test('a module that throws while loading: its own line, not the framework’s', async () => {
    const folder = project('throws', {
      'app.ts': `const ready: boolean = false;\nif (!ready) throw new Error('no database');\nexport const application = () => [];\n`,
    });
    const result = await portico(folder, ['serve', 'app.ts', '--http', '127.0.0.1:0']);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "portico: error: module 'app.ts' failed to load: app.ts:2:19: Error: no database [PORTICO_ERR_LOAD_FAILED]\n" +
        "  if (!ready) throw new Error('no database');\n" +
        '                    ^\n',
    );
  });

  test('a project without "type": "module" gets a one-line hint', async () => {
    const folder = project(
      'commonjs',
      { 'settings.ts': settings, 'urls.ts': urls, 'views.ts': views },
      'commonjs',
    );
    const result = await portico(folder, ['check']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^portico: error: settings file .* failed to load: .*\[PORTICO_ERR_LOAD_FAILED\]\n/,
    );
    assert.match(
      result.stderr,
      /\nhint: package\.json needs "type": "module" \(it is commonjs\); Portico projects are ES modules\n/,
    );
  });
});
