/**
 * The database commands as a user runs them, in a project of its own: makemigrations
 * (and --check), migrate (two at once), showmigrations, sqlmigrate; on SQLite, and on
 * PostgreSQL when TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanEnv } from '../appserver/helpers.ts';
import { createTestDatabase, VENDORS } from '../db/helpers.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/portico.js');

async function portico(args: string[], cwd: string, env: Record<string, string> = {}, input?: string) {
  const { NODE_TEST_CONTEXT: _, ...base } = cleanEnv();
  const child = spawn(process.execPath, ['--conditions=portico-source', bin, ...args], {
    cwd,
    env: { ...base, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin?.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-dbcli-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/portico'), 'dir');
  mkdirSync(join(dir, 'notes'));
  writeFileSync(
    join(dir, 'notes/models.ts'),
    `import { CharField, DateTimeField, defineApp, TextField } from 'portico/db';
export const notes = defineApp('notes', { migrations: new URL('./migrations/', import.meta.url) });
export const Note = notes.model('Note', {
  fields: { title: CharField({ maxLength: 200 }), body: TextField({ blank: true, default: '' }), created: DateTimeField({ autoNowAdd: true }) },
  meta: { ordering: ['-created'] },
});
`,
  );
  writeFileSync(
    join(dir, 'settings.ts'),
    `import { path, HttpResponse } from 'portico/web';
import { notes } from './notes/models.ts';
const url = process.env.TEST_DATABASE_URL;
export default {
  rootUrlconf: [path('', () => new HttpResponse('ok'))],
  installedApps: [notes],
  allowedHosts: ['localhost'],
  secretKey: 'a-test-secret-key-that-is-long-enough-for-the-checks-0123456789',
  databases: { default: url ? { engine: 'postgres', url } : { engine: 'sqlite', name: 'db.sqlite3' } },
};
`,
  );
  return dir;
}

for (const vendor of VENDORS) {
  describe(`portico makemigrations / migrate / showmigrations / sqlmigrate (${vendor})`, () => {
    const project = makeProject();
    let drop = async () => {};
    let env: Record<string, string> = {};
    after(async () => {
      await drop();
      rmSync(project, { recursive: true, force: true });
    });

    test('a new model: --check fails, makemigrations writes 0001_initial, --check passes', async () => {
      if (vendor === 'postgres') {
        const db = await createTestDatabase('postgres');
        drop = db.drop;
        env = { TEST_DATABASE_URL: db.settings.url as string };
      }
      const check = await portico(['makemigrations', '--check'], project, env);
      assert.equal(check.code, 1, check.stderr);
      assert.match(check.stdout, /Migrations for 'notes':\n.*0001_initial\.ts\n {4}- Create model Note\n/);
      assert.equal(
        check.stderr,
        "makemigrations --check: the models of 'notes' have changes without a migration; run portico makemigrations\n",
      );
      assert.equal(existsSync(join(project, 'notes/migrations/0001_initial.ts')), false);
      const made = await portico(['makemigrations'], project, env);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(existsSync(join(project, 'notes/migrations/0001_initial.ts')), true);
      const again = await portico(['makemigrations', '--check'], project, env);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, 'No changes detected\n');
    });

    test('portico check: a model changed without a migration is db.W001 (fatal with --fail-level warning)', async () => {
      const clean = await portico(['check'], project, env);
      assert.equal(clean.code, 0, clean.stderr);
      assert.equal(clean.stdout, 'System check identified no issues.\n');
      const models = join(project, 'notes/models.ts');
      const source = readFileSync(models, 'utf8');
      writeFileSync(
        models,
        source.replace('title: CharField({ maxLength: 200 })', 'title: CharField({ maxLength: 300 })'),
      );
      try {
        const warned = await portico(['check'], project, env);
        assert.equal(warned.code, 0, 'a warning does not fail at the default level');
        assert.match(
          warned.stderr,
          /^warning: Your models in app 'notes' have changes that are not yet reflected in a migration: Alter field title on note\. \[db\.W001\]\n {2}hint: Run 'portico makemigrations notes'\.\n/,
        );
        const strict = await portico(['check', '--fail-level', 'warning'], project, env);
        assert.equal(strict.code, 1, strict.stderr);
      } finally {
        writeFileSync(models, source);
      }
    });

    test('two migrate processes at once: each migration applied once; showmigrations and sqlmigrate', async () => {
      const [a, b] = await Promise.all([
        portico(['migrate'], project, env),
        portico(['migrate'], project, env),
      ]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const applied = [a.stdout, b.stdout].filter((out) => out.includes('Applying notes.0001_initial... OK'));
      assert.equal(applied.length, 1, a.stdout + b.stdout);
      const shown = await portico(['showmigrations'], project, env);
      assert.equal(shown.stdout, 'notes\n [X] 0001_initial\n');
      const sql = await portico(['sqlmigrate', 'notes', '0001'], project, env);
      assert.equal(sql.code, 0, sql.stderr);
      assert.match(sql.stdout, /^BEGIN;\nCREATE TABLE "notes_note" \("id" integer NOT NULL PRIMARY KEY/);
      const back = await portico(['migrate', 'notes', 'zero'], project, env);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /Unapplying notes\.0001_initial\.\.\. OK/);
      const unknown = await portico(['migrate', 'notes', '0009'], project, env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /notes has no migration '0009' \[PORTICO_ERR_DB_MIGRATION\]/);
    });

    test('portico shell: the models in scope, top-level await', async () => {
      assert.equal((await portico(['migrate'], project, env)).code, 0);
      const shell = await portico(
        ['shell'],
        project,
        env,
        "await Note.objects.create({ title: 'from the shell' }); await Note.objects.count()\n",
      );
      assert.equal(shell.code, 0, shell.stderr);
      assert.equal(shell.stdout, '1\n');
    });

    test('portico loaddata and dumpdata: a fixture in, the same objects out; a bad one names the object', async () => {
      assert.equal((await portico(['migrate'], project, env)).code, 0);
      const note = { title: 'from a fixture', body: 'b', created: '2026-01-02T03:04:05.000Z' };
      writeFileSync(
        join(project, 'notes.json'),
        JSON.stringify([{ model: 'notes.note', pk: 100, fields: note }]),
      );
      const loaded = await portico(['loaddata', 'notes.json'], project, env);
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.equal(loaded.stdout, 'Installed 1 object from 1 fixture\n');
      const dumped = await portico(['dumpdata', 'notes.Note', '--indent', '2'], project, env);
      assert.equal(dumped.code, 0, dumped.stderr);
      const objects = JSON.parse(dumped.stdout) as Array<{ pk: number; fields: unknown }>;
      assert.deepEqual(
        objects.find((o) => o.pk === 100),
        { model: 'notes.note', pk: 100, fields: note },
      );
      assert.match(dumped.stdout, /^\[\n {2}\{\n {4}"model": "notes\.note",/);
      const out = await portico(['dumpdata', '--output', 'out.json'], project, env);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(readFileSync(join(project, 'out.json'), 'utf8')), objects);

      writeFileSync(
        join(project, 'bad.json'),
        JSON.stringify([{ model: 'notes.note', pk: 1, fields: { colour: 1 } }]),
      );
      const bad = await portico(['loaddata', 'bad.json'], project, env);
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        /^portico: error: fixture 'bad\.json', object 1 \(notes\.note, pk=1\): Note has no field 'colour' \(fields: title, body, created\) \[PORTICO_ERR_DB_FIXTURE\]\n$/,
      );
      const none = await portico(['loaddata'], project, env);
      assert.equal(none.code, 2);
    });

    const client = vendor === 'sqlite' ? 'sqlite3' : 'psql';
    const installed = spawnSync(client, ['--version']).status === 0;
    test(
      `portico dbshell runs ${client} with the project's settings`,
      { skip: !installed && `${client} is not installed` },
      async () => {
        const args = vendor === 'sqlite' ? ['select 40 + 2;'] : ['-tAc', 'select 40 + 2'];
        const shell = await portico(['dbshell', '--', ...args], project, env);
        assert.equal(shell.code, 0, shell.stderr);
        assert.equal(shell.stdout.trim(), '42');
      },
    );
  });
}
