/**
 * SessionAuthentication (DRF's): the user contrib's AuthenticationMiddleware found in the
 * session, real users in the database (SQLite, and PostgreSQL with TEST_POSTGRES_URL),
 * sessions in signed cookies, CSRF enforced for authenticated unsafe requests only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AllowAny,
  APIView,
  BasicAuthentication,
  IsAuthenticated,
  type PermissionClass,
  type Request,
  Response,
  SessionAuthentication,
} from '../../src/api/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import {
  authenticate,
  AuthenticationMiddleware,
  configureAuth,
  createUser,
  login,
  PBKDF2PasswordHasher,
} from '../../src/contrib/auth/index.ts';
import { CsrfViewMiddleware, getToken } from '../../src/contrib/csrf/index.ts';
import { SessionMiddleware } from '../../src/contrib/sessions/index.ts';
import { HttpRequest, HttpResponse, path, type Settings } from '../../src/web/index.ts';
import { setUpAuthDatabase, VENDORS } from '../contrib/auth/helpers/database.ts';

class Me extends APIView {
  override permissionClasses: PermissionClass[] = [IsAuthenticated];
  get(request: Request) {
    return new Response({ username: request.user.username, auth: request.auth ?? null });
  }
  post(request: Request) {
    return new Response({ username: request.user.username, data: request.data }, { status: 201 });
  }
}

class Open extends APIView {
  override permissionClasses: PermissionClass[] = [AllowAny];
  post(request: Request) {
    return new Response({ authenticated: request.user.isAuthenticated }, { status: 201 });
  }
}

const auth = { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 })] };
const settings: Settings = {
  secretKey: 'session-authentication-tests-0123456789-abcdef',
  allowedHosts: ['testserver'],
  sessions: { engine: 'signedCookies' },
  middleware: [SessionMiddleware, CsrfViewMiddleware, AuthenticationMiddleware],
  auth,
  rootUrlconf: [
    path('me/', Me.asView()),
    path('basic-only/', Me.asView({ authenticationClasses: [BasicAuthentication] })),
    path('open/', Open.asView()),
    // A plain view: logs in (a form would), and hands out a CSRF token as a page does.
    path('login/', async (request: HttpRequest) => {
      const user = await authenticate(request, { username: request.GET.get('u'), password: 'pw-123456' });
      if (user === null) return new HttpResponse('no', { status: 401 });
      await login(request, user);
      return new HttpResponse('ok');
    }),
    path('token/', (request: HttpRequest) => new HttpResponse(getToken(request))),
  ],
};

async function loggedIn(username: string, options: { enforceCsrfChecks?: boolean } = {}) {
  const client = new APIClient(settings, options);
  const answer = await client.get('/login/', { u: username });
  assert.equal(answer.status, 200, `login of ${username}`);
  return client;
}

for (const vendor of VENDORS) {
  describe(`SessionAuthentication on ${vendor}`, () => {
    let drop: () => Promise<void>;
    before(async () => {
      configureAuth({ auth });
      drop = await setUpAuthDatabase(vendor);
      await createUser({ username: 'ada', password: 'pw-123456' });
    });
    after(() => drop());

    test('anonymous: a 403 without a challenge (the default authenticators are session, basic)', async () => {
      const answer = await new APIClient(settings).get('/me/');
      assert.equal(answer.status, 403);
      assert.equal(answer.headers.get('www-authenticate'), null);
      assert.deepEqual(answer.json(), { detail: 'Authentication credentials were not provided.' });
    });

    test('a view with only Basic still answers 401 with its challenge', async () => {
      const answer = await new APIClient(settings).get('/basic-only/');
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="api"');
    });

    test('logged in through the session: the user is the API request’s, auth is null', async () => {
      const client = await loggedIn('ada');
      assert.deepEqual((await client.get('/me/')).json(), { username: 'ada', auth: null });
      // The test client does not enforce CSRF unless asked, as DRF's.
      assert.equal((await client.post('/me/', { a: 1 })).status, 201);
      // Logged out: anonymous again.
      client.logout();
      assert.equal((await client.get('/me/')).status, 403);
    });

    test('an authenticated unsafe request without a CSRF token is a 403 naming the reason', async () => {
      const client = await loggedIn('ada', { enforceCsrfChecks: true });
      assert.equal((await client.get('/me/')).status, 200, 'safe methods are not checked');
      // login() rotated the CSRF token, so the client holds a fresh cookie; without it:
      assert.ok(client.client.cookies.has('csrftoken'), 'login sets a fresh CSRF cookie');
      client.client.cookies.delete('csrftoken');
      const noCookie = await client.post('/me/', { a: 1 });
      assert.equal(noCookie.status, 403);
      assert.deepEqual(noCookie.json(), { detail: 'CSRF Failed: CSRF cookie not set.' });

      const token = (await client.get('/token/')).text();
      assert.ok(client.client.cookies.has('csrftoken'));
      const noToken = await client.post('/me/', { a: 1 });
      assert.deepEqual(noToken.json(), { detail: 'CSRF Failed: CSRF token missing.' });
      const wrong = await client.post('/me/', { a: 1 }, { headers: { 'X-CSRFToken': 'x'.repeat(64) } });
      assert.equal(wrong.status, 403);
      assert.deepEqual(wrong.json(), {
        detail: "CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect.",
      });
      const foreign = await client.post(
        '/me/',
        { a: 1 },
        {
          headers: { 'X-CSRFToken': token, Origin: 'https://evil.example' },
        },
      );
      assert.equal(foreign.status, 403);
      assert.match((foreign.json() as { detail: string }).detail, /^CSRF Failed: Origin checking failed/);

      const ok = await client.post('/me/', { a: 1 }, { headers: { 'X-CSRFToken': token } });
      assert.equal(ok.status, 201);
      assert.deepEqual(ok.json(), { username: 'ada', data: { a: 1 } });
      for (const method of ['put', 'patch', 'delete'] as const)
        assert.equal((await client[method]('/me/')).status, 403, `${method} is checked too`);
    });

    test('anonymous unsafe requests are not CSRF-checked (no ambient authority to abuse)', async () => {
      const client = new APIClient(settings, { enforceCsrfChecks: true });
      const answer = await client.post('/open/', {});
      assert.equal(answer.status, 201);
      assert.deepEqual(answer.json(), { authenticated: false });
    });

    test('Basic credentials are not CSRF-checked (the header is not sent by a browser on its own)', async () => {
      const client = new APIClient(
        {
          ...settings,
          api: {
            authenticateCredentials: (u, p) =>
              u === 'robot' && p === 'x' ? { isAuthenticated: true, id: 99, username: 'robot' } : null,
          },
        },
        { enforceCsrfChecks: true },
      );
      client.credentials({ Authorization: `Basic ${Buffer.from('robot:x').toString('base64')}` });
      assert.equal((await client.post('/me/', {})).status, 201);
    });
  });
}

test('SessionAuthentication returns null without AuthenticationMiddleware (no request.user)', async () => {
  const client = new APIClient({
    allowedHosts: ['testserver'],
    rootUrlconf: [path('me/', Me.asView({ authenticationClasses: [SessionAuthentication] }))],
  });
  const answer = await client.get('/me/');
  assert.equal(answer.status, 403);
});
