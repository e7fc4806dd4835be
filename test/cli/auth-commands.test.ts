/**
 * `portico createsuperuser` and `portico changepassword` as a user runs them, in a
 * project of its own on SQLite (and PostgreSQL when TEST_POSTGRES_URL is set): the
 * --noinput path from the environment, the prompts on piped input, one-line errors and
 * non-zero exits.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cleanEnv } from '../appserver/helpers.ts';
import { createTestDatabase, VENDORS } from '../db/helpers.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/portico.js');

async function portico(args: string[], cwd: string, env: Record<string, string> = {}, input?: string) {
  const { NODE_TEST_CONTEXT: _, ...base } = cleanEnv();
  const child = spawn(process.execPath, ['--conditions=portico-source', bin, ...args], {
    cwd,
    env: { ...base, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A project with auth installed; passwords hashed with few iterations to keep the test quick. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-authcli-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/portico'), 'dir');
  writeFileSync(
    join(dir, 'settings.ts'),
    `import { path, HttpResponse } from 'portico/web';
import { authApp, PBKDF2PasswordHasher } from 'portico/contrib/auth';
const url = process.env.TEST_DATABASE_URL;
export default {
  rootUrlconf: [path('', () => new HttpResponse('ok'))],
  installedApps: [authApp],
  databases: { default: url ? { engine: 'postgres', url } : { engine: 'sqlite', name: 'db.sqlite3' } },
  auth: { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 }), 'pbkdf2_sha256'] },
};
`,
  );
  writeFileSync(
    join(dir, 'check.ts'),
    `import settings from './settings.ts';
import { configureDatabases } from 'portico/db';
import { checkPassword, configureAuth, User } from 'portico/contrib/auth';
configureDatabases(settings); configureAuth(settings);
const [name, password] = process.argv.slice(2);
const u = await User.objects.get({ username: name });
console.log(JSON.stringify({ staff: u.isStaff, superuser: u.isSuperuser, email: u.email, usable: !u.password.startsWith('!'), ok: password ? await checkPassword(password, u.password) : null }));
`,
  );
  return dir;
}

for (const vendor of VENDORS) {
  describe(`createsuperuser and changepassword on ${vendor}`, () => {
    let dir: string;
    let env: Record<string, string>;
    let drop: () => Promise<void> = async () => {};
    before(async () => {
      dir = makeProject();
      env = {};
      if (vendor === 'postgres') {
        const db = await createTestDatabase('postgres');
        env.TEST_DATABASE_URL = db.settings.url as string;
        drop = db.drop;
      }
      const migrated = await portico(['migrate'], dir, env);
      assert.equal(migrated.code, 0, migrated.stderr);
    });
    after(async () => {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const check = async (name: string, password = '') => {
      const { NODE_TEST_CONTEXT: _, ...base } = cleanEnv();
      const child = spawn(process.execPath, ['--conditions=portico-source', 'check.ts', name, password], {
        cwd: dir,
        env: { ...base, ...env },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 0);
      return JSON.parse(out) as {
        staff: boolean;
        superuser: boolean;
        email: string;
        usable: boolean;
        ok: boolean | null;
      };
    };

    test('--noinput takes the username, email and password from the environment', async () => {
      const r = await portico(['createsuperuser', '--noinput'], dir, {
        ...env,
        PORTICO_SUPERUSER_USERNAME: 'admin',
        PORTICO_SUPERUSER_EMAIL: 'Admin@Example.COM',
        PORTICO_SUPERUSER_PASSWORD: 'correct-horse-battery',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Superuser created successfully.\n');
      assert.deepEqual(await check('admin', 'correct-horse-battery'), {
        staff: true,
        superuser: true,
        email: 'Admin@example.com',
        usable: true,
        ok: true,
      });
      // --username wins over the environment; no password: an unusable one.
      const r2 = await portico(
        ['createsuperuser', '--noinput', '--username', 'robot', '--email', 'r@example.com'],
        dir,
        {
          ...env,
          PORTICO_SUPERUSER_USERNAME: 'ignored',
        },
      );
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal((await check('robot')).usable, false);
    });

    test('bad input: one line on stderr and exit 1 (or 2 for a usage error)', async () => {
      const missing = await portico(['createsuperuser', '--noinput'], dir, env);
      assert.equal(missing.code, 1);
      assert.equal(
        missing.stderr,
        'portico: error: You must use --username with --noinput. [PORTICO_ERR_CLI_COMMAND]\n',
      );
      const taken = await portico(['createsuperuser', '--noinput', '--username', 'admin'], dir, env);
      assert.equal(taken.code, 1);
      assert.equal(
        taken.stderr,
        'portico: error: That username is already taken. [PORTICO_ERR_CLI_COMMAND]\n',
      );
      const invalid = await portico(['createsuperuser', '--noinput', '--username', 'bad name'], dir, env);
      assert.equal(invalid.code, 1);
      assert.match(
        invalid.stderr,
        /^portico: error: Enter a valid username\. .* \[PORTICO_ERR_CLI_COMMAND\]\n$/,
      );
      const email = await portico(
        ['createsuperuser', '--noinput', '--username', 'x', '--email', 'nope'],
        dir,
        env,
      );
      assert.equal(email.code, 1);
      assert.match(email.stderr, /Enter a valid email address/);
      const usage = await portico(['createsuperuser', '--frobnicate'], dir, env);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /unknown option '--frobnicate'/);
      const nobody = await portico(['changepassword', 'nobody'], dir, env);
      assert.equal(nobody.code, 1);
      assert.equal(nobody.stderr, "portico: error: user 'nobody' does not exist [PORTICO_ERR_CLI_COMMAND]\n");
    });

    test('interactive createsuperuser: a taken name, a mismatch and a refused password are asked again', async () => {
      const input = [
        'admin', // taken
        'carol',
        'carol@example.com',
        'one-password', // mismatch
        'another-password',
        '123', // too short, too common, numeric
        '123',
        'n', // do not bypass
        'a-fine-passphrase',
        'a-fine-passphrase',
        '',
      ].join('\n');
      const r = await portico(['createsuperuser'], dir, env, input);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Username \(leave blank to use '[^']*'\): |Username: /);
      assert.match(r.stdout, /Superuser created successfully\.\n$/);
      assert.match(r.stderr, /Error: That username is already taken\./);
      assert.match(r.stderr, /Error: Your passwords didn't match\./);
      assert.match(
        r.stderr,
        /This password is too short\. It must contain at least 8 characters\.\nThis password is too common\.\nThis password is entirely numeric\./,
      );
      assert.deepEqual(await check('carol', 'a-fine-passphrase'), {
        staff: true,
        superuser: true,
        email: 'carol@example.com',
        usable: true,
        ok: true,
      });
      const eof = await portico(['createsuperuser', '--username', 'dan'], dir, env, 'dan@example.com\n');
      assert.equal(eof.code, 1);
      assert.match(eof.stderr, /aborted: the input ended/);
    });

    test('changepassword: asked twice, validated, three failures abort', async () => {
      const ok = await portico(
        ['changepassword', 'carol'],
        dir,
        env,
        'x\ny\nnew-passphrase-1\nnew-passphrase-1\n',
      );
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^Changing password for user 'carol'\n/);
      assert.match(ok.stdout, /Password changed successfully for user 'carol'\n$/);
      assert.match(ok.stderr, /Passwords do not match\. Please try again\./);
      assert.equal((await check('carol', 'new-passphrase-1')).ok, true);
      const abort = await portico(
        ['changepassword', 'carol'],
        dir,
        env,
        'a\nb\n1234\n1234\npassword\npassword\n',
      );
      assert.equal(abort.code, 1);
      assert.match(
        abort.stderr,
        /portico: error: Aborting password change for user 'carol' after 3 attempts \[PORTICO_ERR_CLI_COMMAND\]\n$/,
      );
      assert.equal((await check('carol', 'new-passphrase-1')).ok, true, 'unchanged');
    });
  });
}
