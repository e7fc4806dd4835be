/**
 * The `session` workloads' Portico project, as a module `portico serve` loads: the
 * sessions and auth apps, `SessionMiddleware` then `AuthenticationMiddleware`, a SQLite
 * file, and two views:
 *
 * - `POST /login/` (form `username`, `password`): `authenticate()`, the real `login()`,
 *   then `theme` stored in the session; `200 ok`. The harness calls it once and keeps the
 *   session cookie.
 * - `GET /` : reads `theme` from the session and `request.user`, answers
 *   `{"user":"bench","theme":"dark"}` (the page every measured request asks for).
 *
 * Configured from the environment, since the app server passes no arguments:
 * `BENCH_SESSION_ENGINE` (`signedCookies`, `db` or `cache`), `BENCH_SESSION_DB` (the
 * SQLite file, in the launcher's temporary directory), `BENCH_REDIS_URL` (for `cache`).
 * Migrated and the bench user created when the module loads (one worker: no race).
 */
import {
  authApp,
  AuthenticationMiddleware,
  authenticate,
  configureAuth,
  createUser,
  login,
  User,
} from '../../../src/contrib/auth/index.ts';
import { SessionMiddleware, sessionsApp } from '../../../src/contrib/sessions/index.ts';
import { configureDatabases, migrate } from '../../../src/db/index.ts';
import {
  getTsgiApplication,
  type HttpRequest,
  HttpResponse,
  JsonResponse,
  path,
} from '../../../src/web/index.ts';
import { BENCH_PASSWORD, BENCH_USERNAME, isSessionEngine } from './spec.ts';

const engine = process.env.BENCH_SESSION_ENGINE;
if (!isSessionEngine(engine))
  throw new Error(`set BENCH_SESSION_ENGINE to signedCookies, db or cache (got ${JSON.stringify(engine)})`);
const databaseFile = process.env.BENCH_SESSION_DB;
if (databaseFile === undefined) throw new Error('set BENCH_SESSION_DB to a SQLite file');
const redisUrl = process.env.BENCH_REDIS_URL;
if (engine === 'cache' && redisUrl === undefined) throw new Error('set BENCH_REDIS_URL for the cache engine');

async function loginView(request: HttpRequest) {
  const user = await authenticate(request, {
    username: request.POST.get('username'),
    password: request.POST.get('password'),
  });
  if (user === null) return new HttpResponse('bad credentials', { status: 401 });
  await login(request, user);
  await request.session!.set('theme', 'dark');
  return new HttpResponse('ok');
}

async function page(request: HttpRequest) {
  const theme = await request.session!.get<string>('theme');
  return new JsonResponse({ user: request.user?.isAuthenticated ? request.user.username : null, theme });
}

const settings = {
  rootUrlconf: [path('login/', loginView), path('', page)],
  allowedHosts: ['127.0.0.1'],
  secretKey: 'portico-bench-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  installedApps: [sessionsApp, authApp],
  middleware: [SessionMiddleware, AuthenticationMiddleware],
  databases: { default: { engine: 'sqlite' as const, name: databaseFile } },
  ...(redisUrl === undefined
    ? {}
    : { caches: { default: { backend: 'redis' as const, location: redisUrl, keyPrefix: 'sbench' } } }),
  sessions: { engine },
};

configureDatabases(settings);
await migrate(settings.installedApps);
// The hashers for createUser outside a request: the project sets no `auth` section, so the defaults.
configureAuth({});
if ((await User.objects.filter({ username: BENCH_USERNAME }).count()) === 0)
  await createUser({ username: BENCH_USERNAME, password: BENCH_PASSWORD });

export const application = getTsgiApplication(settings);
