/**
 * Installed as a package, Portico runs its compiled `dist/` (Node does not strip types
 * under node_modules): the master must then fork `dist/appserver/worker/worker-main.js` and start
 * the `.js` harakiri thread, not the `.ts` sources. Built here with the package's own
 * build config into a temporary node_modules, and served from there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { get, root, startPortico } from './helpers.ts';

test('an installed Portico (node_modules/portico/dist) forks its compiled worker entry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-install-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = join(dir, 'node_modules', 'portico');
  mkdirSync(pkg, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(
    process.execPath,
    [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist'), '--declaration', 'false'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.ok(
    existsSync(join(pkg, 'dist/appserver/worker/worker-main.js')),
    `build failed:\n${build.stdout}${build.stderr}`,
  );
  cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  for (const dependency of ['mime', 'smol-toml']) {
    symlinkSync(join(root, 'node_modules', dependency), join(dir, 'node_modules', dependency));
  }
  writeFileSync(
    join(dir, 'app.js'),
    `export function application(environ, start) {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return [process.pid + ' ' + process.argv[1]];
}
`,
  );
  const portico = await startPortico(
    [join(dir, 'app.js'), '--workers', '2', '--harakiri', '5', '--accept', 'master'],
    {
      bin: join(pkg, 'bin', 'portico.js'),
    },
  );
  // Round-robin (--accept master) gives each worker one of every two connections.
  const answers = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const response = await get(`${portico.url}/`, { headers: { Connection: 'close' } });
    assert.equal(response.status, 200);
    answers.add(response.body);
  }
  assert.equal(answers.size, 2, 'both workers answer');
  for (const answer of answers) {
    // The worker's entry script (process.title hides it from ps, not from argv).
    assert.equal(answer.split(' ')[1], join(pkg, 'dist', 'appserver', 'worker', 'worker-main.js'));
  }
  process.kill(portico.pid, 'SIGTERM');
  assert.equal((await portico.exited).code, 0);
});
