/**
 * Two hosts behind nginx (docs/deploy.md, "Several hosts behind nginx"): two `portico serve`
 * processes of the demo — separate ports, the same code and `secretKey` — behind an
 * `upstream` that takes turns, sessions in Redis and the data in PostgreSQL (a fresh
 * database per run, migrated once before either starts). A user logged in through one
 * stays logged in on the other; a note posted through one is listed by the other; killing
 * one instance mid-run loses no session and no note, nginx sending everything to the
 * other. Skipped without nginx, TEST_REDIS_URL or TEST_POSTGRES_URL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@redis/client';
import { bin, cleanEnv, type Portico, root, startPortico } from '../appserver/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../db/helpers.ts';
import { type Nginx, nginxSkip, startNginx } from '../helpers/nginx.ts';
import { WebClient } from '../helpers/web-client.ts';

const REDIS_URL = process.env.TEST_REDIS_URL;
const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

function skip(): string | false {
  if (REDIS_URL === undefined) return 'TEST_REDIS_URL is not set: the two-host test needs Redis';
  if (POSTGRES_URL === undefined) return 'TEST_POSTGRES_URL is not set: the two-host test needs PostgreSQL';
  return nginxSkip();
}

const USER = { username: 'two-hosts', password: 'round-robin-passphrase-7' };

/** The nginx side of docs/deploy.md's layout; `X-Upstream` says which instance answered. */
function config(ports: readonly number[]) {
  return {
    http: `
    upstream demo {
${ports.map((port) => `        server 127.0.0.1:${port} max_fails=1 fail_timeout=30s;`).join('\n')}
        keepalive 8;
    }`,
    server: `
        location / {
            proxy_pass http://demo;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
            add_header X-Upstream $upstream_addr always;
        }`,
  };
}

/** Runs `portico ARGS` to completion with the demo's environment. */
async function portico(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: cleanEnv(env), stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, output);
  return output;
}

describe(
  'two instances of the demo behind nginx, sessions in Redis, data in PostgreSQL',
  { skip: skip() },
  () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    const instances: Portico[] = [];
    let nginx: Nginx;
    let client: WebClient;

    before(async () => {
      database = await createTestDatabase('postgres');
      env = {
        DEMO_DATABASE_URL: (database.settings as { url: string }).url,
        DEMO_SESSION_ENGINE: 'cache',
        DEMO_REDIS_URL: REDIS_URL as string,
        // One key for the whole site: a session's login hash made on one host verifies on the other.
        SECRET_KEY: randomBytes(48).toString('base64url'),
      };
      // Migrations run once, before the instances start (they would find nothing to apply).
      await portico(['migrate', '--settings', 'examples/demo/settings.ts'], env);
      for (let i = 0; i < 2; i++)
        instances.push(
          await startPortico(['examples/demo/app.ts:application'], { env, killAfterTest: false }),
        );
      nginx = await startNginx(config(instances.map((p) => Number(new URL(p.url).port))));
      client = new WebClient(nginx.url);
    });

    after(async () => {
      for (const instance of instances)
        if (instance.child.exitCode === null && instance.child.signalCode === null) {
          process.kill(instance.pid, 'SIGTERM');
          await instance.exited;
        }
      await nginx?.stop();
      await database?.drop();
    });

    /** GETs `path` through nginx: the page, and which instance served it. */
    async function viaNginx(path: string): Promise<{ html: string; upstream: string }> {
      const { response, html } = await client.get(path);
      assert.equal(response.status, 200, `${path}: ${html.slice(0, 300)}\n${nginx.errorLog()}`);
      return { html, upstream: response.headers.get('x-upstream') ?? '' };
    }

    test('signed up and logged in through one instance, still logged in on the other', async () => {
      const signup = await client.submit('/accounts/signup/', {
        username: USER.username,
        email: '',
        password1: USER.password,
        password2: USER.password,
      });
      assert.equal(signup.status, 302, await signup.text());
      // A POST without the form's CSRF token is refused, on either instance.
      assert.equal((await client.request('/accounts/logout/', { method: 'POST' })).status, 403);
      const login = await client.login(USER.username, USER.password);
      assert.equal(login.headers.get('location'), '/notes/');
      // Round-robin: consecutive requests take turns; every page knows the user.
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const { html, upstream } = await viaNginx('/notes/');
        assert.match(html, /Logged in as <strong>two-hosts<\/strong>/, `request ${i} on ${upstream}`);
        seen.add(upstream);
      }
      assert.equal(seen.size, 2, `both instances answered: ${[...seen].join(', ')}`);
      // The session is in Redis (under the demo's key prefix), not in either process.
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      try {
        const keys = await redis.keys(`demo:*${client.cookies.get('sessionid')}`);
        assert.equal(keys.length, 1, 'one Redis key for the session');
      } finally {
        await redis.close();
      }
    });

    test('a note posted through one instance is listed by the other', async () => {
      // Straight to each instance, to know which is which: the session cookie works on both.
      const [a, b] = instances as [Portico, Portico];
      const direct = new WebClient(a.url);
      for (const [name, value] of client.cookies) direct.cookies.set(name, value);
      const posted = await direct.submit('/notes/', { title: 'Posted on A', body: 'through A' });
      assert.equal(posted.status, 302);
      direct.base = b.url;
      const { html } = await direct.get('/notes/');
      assert.match(html, /Posted on A/);
      assert.match(html, /Logged in as <strong>two-hosts<\/strong>/);
    });

    test('one instance killed mid-run: nginx fails over, no session and no note lost', async () => {
      const [a, b] = instances as [Portico, Portico];
      const posted = await client.submit('/notes/', { title: 'Before the crash', body: '' });
      assert.equal(posted.status, 302);

      process.kill(a.pid, 'SIGKILL');
      await a.exited;
      const survivor = `127.0.0.1:${new URL(b.url).port}`;
      for (let i = 0; i < 6; i++) {
        const { html, upstream } = await viaNginx('/notes/');
        assert.equal(upstream.split(', ').at(-1), survivor, `request ${i} answered by the survivor`);
        assert.match(html, /Logged in as <strong>two-hosts<\/strong>/, 'the session is in Redis');
        assert.match(html, /Before the crash/, 'the note is in PostgreSQL');
        assert.match(html, /Posted on A/);
      }
      const after = await client.submit('/notes/', { title: 'After the crash', body: '' });
      assert.equal(after.status, 302);
      assert.match((await viaNginx('/notes/')).html, /After the crash/);
      // Logging out deletes the session from Redis.
      const out = await client.submit('/notes/', {}, '/accounts/logout/');
      assert.equal(out.status, 302);
      assert.equal(client.cookies.has('sessionid'), false);
      assert.match((await viaNginx('/notes/')).html, /Log in to post/);
    });
  },
);
