/**
 * docs/appserver.md, "Launching from code": its example, run as written (its
 * `portico/appserver` import pointed at src/), serves an application with options built in
 * code, and `limitPost: 0` lets a body larger than the default limit through.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanEnv, root } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-launch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the launch-from-code example serves, with no limit on bodies', async () => {
  const doc = readFileSync(join(root, 'docs/appserver.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Launching from code'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, 'the section has a ts example');
  writeFileSync(
    join(dir, 'run-web.ts'),
    code.replace("'portico/appserver'", `'${pathToFileURL(join(root, 'src/appserver/index.ts')).href}'`),
  );
  // The application counts the body it reads.
  writeFileSync(
    join(dir, 'app.ts'),
    `export async function application(environ: Record<string, any>, startResponse: Function) {
  let size = 0;
  for await (const chunk of environ['tsgi.input']) size += chunk.length;
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [String(size)];
}
`,
  );
  const child = spawn(process.execPath, ['run-web.ts'], {
    cwd: dir,
    env: cleanEnv({ WEB_BIND: '127.0.0.1:0', WEB_WORKERS: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const match = /^portico: serving \/ -> app\.ts:application on (http:\/\/\S+) \(master pid/m.exec(out);
        if (match !== null) resolve(match[1] as string);
      });
      child.once('exit', () => reject(new Error(`exited before ready:\n${err}`)));
    });
    const size = 20 * 1024 * 1024; // beyond the default limit-post of 16m
    const response = await fetch(`${url}/`, {
      method: 'POST',
      body: new Uint8Array(size),
      signal: AbortSignal.timeout(20_000),
    });
    assert.equal(response.status, 200, err);
    assert.equal(await response.text(), String(size));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, err);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    clearTimeout(killer);
  }
});
