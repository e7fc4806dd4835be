/**
 * `session-signed`, `session-db`, `session-redis` (`session` runs the three): a logged-in
 * `GET /` whose view reads a session value and `request.user`, answering
 * `{"user":"bench","theme":"dark"}`, with the session in a signed cookie, in the database
 * (SQLite) and in Redis. Portico under `portico serve` (one worker) against Django on uWSGI
 * (`--master --processes 1`) with the same session engine and `django.contrib.auth`; each
 * server is launched by `bench/servers/session/launcher.ts`.
 *
 * Before the load, the harness logs in once through each server's login view (the real
 * `login()`), and every request then carries that session cookie. uWSGI's sync worker
 * answers one connection at a time on its HTTP socket and closes it (saying
 * `Connection: close`), so the load generator reconnects for every Django request, as it
 * keeps its connections alive to Portico.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { BENCH_PASSWORD, BENCH_USERNAME, PAGE_BODY, type SessionEngine } from '../servers/session/spec.ts';
import type { BenchServer, Workload } from './types.ts';

const script = 'bench/servers/session/launcher.ts';

/** Why Django on uWSGI cannot run here, or undefined when it can. */
export function djangoUnavailable(engine: SessionEngine): string | undefined {
  if (spawnSync('uwsgi', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'uwsgi is not installed (apt-get install -y uwsgi uwsgi-plugin-python3)';
  // uWSGI's plugin runs the system Python. Django 3.2 (Debian 12) has no Redis cache of its
  // own: django-redis then.
  const modules =
    engine === 'cache'
      ? 'import django, redis; django.VERSION >= (4,) or __import__("django_redis")'
      : 'import django';
  const probe = spawnSync('/usr/bin/python3', ['-c', modules], { stdio: 'ignore' });
  if (probe.status !== 0)
    return engine === 'cache'
      ? 'the system Python lacks Django or its Redis cache (apt-get install -y python3-django python3-redis python3-django-redis)'
      : 'the system Python lacks Django (apt-get install -y python3-django)';
  return undefined;
}

/**
 * Logs in with the bench user's credentials (`POST /login/`) and answers the `Cookie`
 * header that carries the session the server set.
 */
export function logIn(url: string): Promise<Record<string, string>> {
  const body = new URLSearchParams({ username: BENCH_USERNAME, password: BENCH_PASSWORD }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/login/', url),
      {
        method: 'POST',
        agent: false,
        timeout: 30_000, // the password is hashed (PBKDF2) on a loaded machine
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`POST /login/ answered ${res.statusCode}`));
          // `name=value` of each cookie set (Django's start with a space: trimmed).
          const cookies = (res.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]?.trim());
          if (cookies.length === 0) return reject(new Error('POST /login/ set no cookie'));
          resolve({ Cookie: cookies.join('; ') });
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error('POST /login/: no answer in 30 s')));
    req.once('error', reject);
    req.end(body);
  });
}

function sessionWorkload(name: string, engine: SessionEngine, what: string): Workload {
  const servers: BenchServer[] = [
    // Both migrate a database and hash the bench user's password as they start: on a busy
    // machine that takes more than the harness's default 15 s.
    {
      name: 'django',
      script,
      args: ['django', engine],
      unavailable: () => djangoUnavailable(engine),
      readyTimeoutMs: 60_000,
    },
    { name: 'portico-serve', script, args: ['portico', engine], readyTimeoutMs: 60_000 },
  ];
  return {
    name,
    description: `logged-in GET / reading the session (${what}) and request.user -> ${PAGE_BODY}; portico serve vs Django on uWSGI`,
    baseline: 'django',
    servers,
    prepare: logIn,
    requests: [
      {
        method: 'GET',
        path: '/',
        expect: { status: 200, contentType: 'application/json', body: PAGE_BODY },
      },
    ],
  };
}

export const sessionSigned = sessionWorkload('session-signed', 'signedCookies', 'signed cookie');
export const sessionDb = sessionWorkload('session-db', 'db', 'database, SQLite');
export const sessionRedis = sessionWorkload('session-redis', 'cache', 'cache, Redis');
