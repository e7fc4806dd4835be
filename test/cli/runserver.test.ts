/** `portico runserver`: the real command serving a temporary project, reloading on a change. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { bin, cleanEnv, root } from '../appserver/helpers.ts';

const web = pathToFileURL(join(root, 'src/web/index.ts')).href;
const dir = mkdtempSync(join(tmpdir(), 'portico-runserver-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeView(text: string): void {
  writeFileSync(
    join(dir, 'views.ts'),
    `import { HttpResponse } from '${web}';\nexport function home() { return new HttpResponse('${text}'); }\n` +
      `export function broken(): HttpResponse { throw new Error('broken on purpose'); }\n`,
  );
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Polls `url` until `predicate` holds for the body, or fails after `ms`. */
async function waitFor(url: string, predicate: (body: string) => boolean, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
      if (predicate(last)) return last;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no matching response from ${url} within ${ms} ms; last: ${last.slice(0, 200)}`);
}

test('runserver serves with debug pages, and a changed view is served after a reload', async () => {
  writeView('version one');
  writeFileSync(
    join(dir, 'settings.ts'),
    `import { path } from '${web}';\nimport { broken, home } from './views.ts';\n` +
      `export default { rootUrlconf: [path('', home), path('broken/', broken)], allowedHosts: ['127.0.0.1'], secretKey: 'x' };\n`,
  );
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'runserver', `127.0.0.1:${port}`], {
    cwd: dir,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const url = `http://127.0.0.1:${port}/`;
    assert.equal(await waitFor(url, (b) => b.includes('version')), 'version one');
    assert.match(stdout, new RegExp(`development server at http://127\\.0\\.0\\.1:${port}/`));
    // Debug is on: an error shows the technical page.
    const broken = await fetch(`${url}broken/`);
    assert.equal(broken.status, 500);
    assert.match(await broken.text(), /<h1>Error at \/broken\/<\/h1>/);

    writeView('version two');
    assert.equal(await waitFor(url, (b) => b === 'version two'), 'version two');
    assert.match(stdout, /portico: views\.ts changed, reloading/);
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 0, stderr);
  }
  // The server child went with it: the port is free again.
  const probe = createServer().listen(port, '127.0.0.1');
  await once(probe, 'listening');
  probe.close();
});

test('runserver: a bad address is one usage line', async () => {
  const child = spawn(process.execPath, [bin, 'runserver', 'localhost:99999'], {
    cwd: dir,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^portico: error: runserver: 'localhost:99999' is not an address .*\[PORTICO_ERR_CLI_USAGE\]\n$/,
  );
});

/** A runserver on a temporary project, its output, and a stop that checks it ends cleanly. */
async function startRunserver(project: string, extra: string[] = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'runserver', `127.0.0.1:${port}`, ...extra], {
    cwd: project,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => (output.stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return {
    url: `http://127.0.0.1:${port}/`,
    output,
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(killer);
      assert.equal(code, 0, output.stderr);
    },
  };
}

/** Polls until `predicate` holds for the text, or fails after `ms`. */
async function until(what: string, read: () => string, predicate: (text: string) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (predicate(read())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what} within ${ms} ms; got: ${read().slice(-600)}`);
}

test('runserver: editor-style saves, new files, a failed reload, request lines, static files', async () => {
  const project = mkdtempSync(join(tmpdir(), 'portico-runserver-editor-'));
  after(() => rmSync(project, { recursive: true, force: true }));
  const view = (text: string) =>
    `import { HttpResponse } from '${web}';\nexport function home() { return new HttpResponse('${text}'); }\n`;
  writeFileSync(join(project, 'views.ts'), view('one'));
  writeFileSync(
    join(project, 'settings.ts'),
    `import { path } from '${web}';\nimport { home } from './views.ts';\n` +
      `export default { rootUrlconf: [path('', home)], allowedHosts: ['127.0.0.1'], secretKey: 'x' };\n`,
  );
  mkdirSync(join(project, 'static'));
  writeFileSync(join(project, 'static/site.css'), 'body { color: teal }\n');
  const server = await startRunserver(project);
  try {
    assert.equal(await waitFor(server.url, (b) => b === 'one'), 'one');
    // One line per request: method, path, status, time.
    await until(
      'a request line',
      () => server.output.stdout,
      (out) => /\] GET \/ 200 \d+(\.\d)?ms\n/.test(out),
    );
    // Static files, in debug, from the project's static/ folder.
    const css = await fetch(`${server.url}static/site.css`);
    assert.equal(css.status, 200);
    assert.equal(await css.text(), 'body { color: teal }\n');

    // A safe write, twice: a temporary file renamed over the original.
    for (const text of ['two', 'three']) {
      writeFileSync(join(project, '.views.ts.tmp~'), view(text));
      renameSync(join(project, '.views.ts.tmp~'), join(project, 'views.ts'));
      assert.equal(await waitFor(server.url, (b) => b === text), text);
    }
    // In place.
    writeFileSync(join(project, 'views.ts'), view('four'));
    assert.equal(await waitFor(server.url, (b) => b === 'four'), 'four');
    // Deleted, then created again.
    rmSync(join(project, 'views.ts'));
    await new Promise((r) => setTimeout(r, 400));
    writeFileSync(join(project, 'views.ts'), view('five'));
    assert.equal(await waitFor(server.url, (b) => b === 'five'), 'five');
    // A new module in a new folder is watched too.
    mkdirSync(join(project, 'lib'));
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(project, 'lib/text.ts'), `export const text = 'six';\n`);
    writeFileSync(
      join(project, 'views.ts'),
      `import { HttpResponse } from '${web}';\nimport { text } from './lib/text.ts';\nexport function home() { return new HttpResponse(text); }\n`,
    );
    assert.equal(await waitFor(server.url, (b) => b === 'six'), 'six');
    writeFileSync(join(project, 'lib/text.ts'), `export const text = 'seven';\n`);
    assert.equal(await waitFor(server.url, (b) => b === 'seven'), 'seven');

    // A change that does not load: the error, and the last good version still serving.
    const before = server.output.stdout.length;
    writeFileSync(join(project, 'lib/text.ts'), `export const text = ;\n`);
    await until(
      'the failed-reload line',
      () => server.output.stdout.slice(before),
      (out) => out.includes('the reload failed; still serving the last good version'),
    );
    assert.match(server.output.stderr, /\[PORTICO_ERR_LOAD_FAILED\]/);
    assert.equal(await (await fetch(server.url)).text(), 'seven');
    writeFileSync(join(project, 'lib/text.ts'), `export const text = 'eight';\n`);
    assert.equal(await waitFor(server.url, (b) => b === 'eight'), 'eight');

    // Output and other files are not code: no reload.
    const quiet = server.output.stdout.length;
    for (let i = 0; i < 5; i++) {
      writeFileSync(join(project, 'server.log'), `line ${i}\n`, { flag: 'a' });
      writeFileSync(join(project, 'notes.md'), `note ${i}\n`);
    }
    await new Promise((r) => setTimeout(r, 600));
    assert.doesNotMatch(server.output.stdout.slice(quiet), /changed, reloading/);
  } finally {
    await server.stop();
  }
});

test('runserver: a port in use is one error line, first, and exit 1', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address() as { port: number };
  try {
    const child = spawn(
      process.execPath,
      [bin, 'runserver', String(port), '--settings', 'test/cli/fixtures/projects/good/settings.ts'],
      {
        cwd: root,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `portico: error: cannot listen on 127.0.0.1:${port}: address already in use [PORTICO_ERR_LISTEN]\n`,
    );
  } finally {
    blocker.close();
  }
});
