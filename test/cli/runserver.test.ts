/** `portico runserver`: the real command serving a temporary project, reloading on a change. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
