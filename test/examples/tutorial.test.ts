/**
 * docs/web/tutorial.md, followed as a reader would: its file blocks (```LANG PATH) written in
 * order into an empty folder, Portico installed from a packed tarball, and after each step
 * `portico check` run (and `makemigrations --check`, when the step shows migrations) and the
 * project served, answering the pages the step's table names.
 * At the end the project's own `npm test` and `npm run typecheck` pass, and its files are
 * the demo's (examples/demo/), file for file.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, root } from '../appserver/helpers.ts';
import { npmInstall, pack } from '../cli/pack.ts';

const tutorial = readFileSync(join(root, 'docs/web/tutorial.md'), 'utf8');

interface Claim {
  readonly address: string;
  readonly status: number;
  readonly body: readonly string[];
  readonly headers: readonly string[];
}

interface Step {
  readonly title: string;
  readonly files: readonly { path: string; text: string }[];
  readonly claims: readonly Claim[];
}

/** The steps: each `## ` section's file blocks and the rows of its `| address | shows |` table. */
function parseSteps(text: string): Step[] {
  return text
    .split(/^## /m)
    .slice(1)
    .map((section) => {
      const title = section.slice(0, section.indexOf('\n'));
      const files = [...section.matchAll(/^```\w+ (\S+)\n([\s\S]*?)^```$/gm)].map((m) => ({
        path: m[1] as string,
        text: m[2] as string,
      }));
      const claims: Claim[] = [];
      const table = /^\| address +\| shows +\|\n\|[-| ]+\|\n((?:\|.*\|\n)+)/m.exec(section);
      for (const row of table?.[1]?.trimEnd().split('\n') ?? []) {
        const [, address = '', shows = ''] = row.split(/ *\| */);
        const headers = [...shows.matchAll(/header `([^`]+)`/g)].map((m) => m[1] as string);
        const body = [...shows.replace(/header `[^`]+`/g, '').matchAll(/`([^`]+)`/g)].map(
          (m) => m[1] as string,
        );
        const status = Number(/^(\d{3})\b/.exec(shows)?.[1] ?? 200);
        claims.push({ address: address.replaceAll('`', ''), status, body, headers });
      }
      return { title, files, claims };
    });
}

const steps = parseSteps(tutorial);
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'portico-tutorial-')));
after(() => rmSync(dir, { recursive: true, force: true }));
const project = join(dir, 'notes');

// This Node first on PATH, so npm and the project's scripts run on it; without the
// runner's NODE_TEST_CONTEXT, a nested `node --test` reports as a top-level run.
const { NODE_TEST_CONTEXT: _, ...base } = cleanEnv();
const env = { ...base, PATH: `${dirname(process.execPath)}${delimiter}${base.PATH ?? ''}` };

async function run(command: string, args: string[], cwd: string, ms = 45_000) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, `${command} ${args.join(' ')}:\n${stdout}\n${stderr}`);
  return { stdout, stderr };
}

function write(step: Step, tarball: string): void {
  for (const { path, text } of step.files) {
    const file = join(project, path);
    mkdirSync(dirname(file), { recursive: true });
    // Until Portico is on the registry, the reader installs a tarball; so does this test.
    writeFileSync(
      file,
      path === 'package.json' ? text.replace(/"portico": "[^"]*"/, `"portico": "file:${tarball}"`) : text,
    );
  }
}

/** Serves the project as it stands and checks each claim of the step. */
async function serveAndCheck(step: Step): Promise<void> {
  const bin = join(project, 'node_modules/.bin/portico');
  const child = spawn(process.execPath, [bin, 'serve', 'app.ts', '--http', '127.0.0.1:0'], {
    cwd: project,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const match = / on (http:\/\/[^\s,]+)[^\n]* \(master pid/.exec(out);
        if (match !== null) resolve(match[1] as string);
      });
      child.once('exit', () => reject(new Error(`exited before ready:\n${err}`)));
    });
    for (const claim of step.claims) {
      const response = await fetch(`${url}${claim.address}`, { signal: AbortSignal.timeout(5000) });
      const body = await response.text();
      assert.equal(
        response.status,
        claim.status,
        `${step.title}: GET ${claim.address}\n${body.slice(0, 400)}\n${err}`,
      );
      for (const text of claim.body)
        assert.ok(body.includes(text), `${step.title}: GET ${claim.address} shows ${text}`);
      for (const header of claim.headers)
        assert.ok(response.headers.has(header), `${step.title}: GET ${claim.address} has ${header}`);
    }
  } finally {
    // A server that already exited (it crashed) has no exit left to wait for.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    clearTimeout(killer);
  }
}

describe('the tutorial, followed from an empty folder', () => {
  let tarball = '';

  before(async () => {
    tarball = await pack(dir, env);
  });

  test('it has steps, each with files, and tables of what they serve', () => {
    assert.ok(steps.length >= 6, steps.map((s) => s.title).join(' / '));
    assert.ok(steps.filter((s) => s.claims.length > 0).length >= 4);
  });

  test('step 0: the empty folder installs', async () => {
    const first = steps[0] as Step;
    assert.deepEqual(
      first.files.map((f) => f.path),
      ['package.json', 'tsconfig.json'],
    );
    mkdirSync(project);
    write(first, tarball);
    await npmInstall(project, env);
  });

  for (const step of steps.slice(1).filter((s) => s.files.length > 0)) {
    test(`${step.title}: checks clean and serves what it says`, async () => {
      write(step, tarball);
      const portico = join(project, 'node_modules/.bin/portico');
      const check = await run(process.execPath, [portico, 'check'], project);
      assert.equal(check.stdout, 'System check identified no issues.\n');
      // A step that shows migration files: they are what makemigrations would write.
      if (step.files.some((f) => f.path.startsWith('migrations/'))) {
        const pending = await run(process.execPath, [portico, 'makemigrations', '--check'], project);
        assert.equal(pending.stdout, 'No changes detected\n');
      }
      if (step.claims.length > 0) await serveAndCheck(step);
    });
  }

  test('at the end: npm test and npm run typecheck pass', async () => {
    const tests = await run('npm', ['test'], project);
    assert.match(tests.stdout, /# pass 3\b|ℹ pass 3\b/);
    await run('npm', ['run', 'typecheck'], project, 90_000);
  });

  test('at the end: the files are the demo’s', () => {
    const demo = join(root, 'examples/demo');
    const written = new Set(steps.flatMap((s) => s.files.map((f) => f.path)));
    for (const path of written) {
      if (!existsSync(join(demo, path))) continue;
      // The demo imports the checkout's sources; a project imports the package.
      // Lines marked `// beyond the tutorial:` (the seed's API the demo also mounts) are the demo's own.
      const expected = readFileSync(join(demo, path), 'utf8')
        .replace(/^.*\/\/ beyond the tutorial: .*\n/gm, '')
        .replace(/'(?:\.\.\/)+src\/(web|db|contrib\/\w+)\/index\.ts'/g, "'portico/$1'");
      assert.equal(readFileSync(join(project, path), 'utf8'), expected, path);
    }
    // And every file of the demo's code appears in the tutorial.
    for (const path of [
      'settings.ts',
      'urls.ts',
      'views.ts',
      'forms.ts',
      'middleware.ts',
      'models.ts',
      'migrations/0001_initial.ts',
      'migrations/0002_welcome_notes.ts',
      'migrations/0003_note_author.ts',
      'templates/registration/login.html',
      'templates/registration/signup.html',
      'app.ts',
    ])
      assert.ok(written.has(path), path);
  });
});
