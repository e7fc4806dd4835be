/**
 * Logging in and out through the real handler: AuthenticationMiddleware (behind the
 * test-only in-memory session middleware), the login/logout/signup views and templates,
 * the access decorators and mixins, the session's auth keys, the signals, throttling.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HttpRequest, HttpResponse, include, path, type Settings, View } from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import { CharField, defineApp } from '../../../src/db/index.ts';
import {
  AnonymousUser,
  authenticate,
  AuthenticationMiddleware,
  authTemplatesDir,
  authUrls,
  BACKEND_SESSION_KEY,
  configureAuth,
  createSuperuser,
  createUser,
  defaultLoginThrottle,
  getSessionAuthHash,
  HASH_SESSION_KEY,
  login,
  LoginRequiredMixin,
  loginRequired,
  LoginView,
  PBKDF2PasswordHasher,
  Permission,
  PermissionRequiredMixin,
  permissionRequired,
  SESSION_KEY,
  setPassword,
  User,
  userLoggedIn,
  userLoggedOut,
  userLoginFailed,
} from '../../../src/contrib/auth/index.ts';
import { CsrfViewMiddleware } from '../../../src/contrib/csrf/index.ts';
import { setUpAuthDatabase, VENDORS } from './helpers/database.ts';
import { MemorySessionStore, memorySessionMiddleware } from './helpers/memory-session.ts';

const shop = defineApp('loginshop');
shop.model('Product', { fields: { name: CharField({ maxLength: 50 }) } });

const store = new MemorySessionStore();
const whoami = (request: HttpRequest) =>
  new HttpResponse(
    request.user?.isAuthenticated ? `user:${(request.user as { username: string }).username}` : 'anonymous',
  );

class Dashboard extends LoginRequiredMixin(View) {
  get(request: HttpRequest) {
    return whoami(request);
  }
}
class Catalogue extends PermissionRequiredMixin(View) {
  override permissionRequired = 'loginshop.view_product';
  get() {
    return new HttpResponse('catalogue');
  }
}

const auth = {
  passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 })],
  loginRedirectUrl: '/home/',
  loginThrottleAttempts: 3,
};
const settings: Settings = {
  secretKey: 'test-secret-key-of-some-length-0123456789',
  allowedHosts: ['testserver'],
  middleware: [memorySessionMiddleware(store), AuthenticationMiddleware],
  templates: { dirs: [authTemplatesDir] },
  auth,
  rootUrlconf: [
    path('whoami/', whoami),
    path('private/', loginRequired(whoami)),
    path('perm/', permissionRequired('loginshop.view_product', whoami)),
    path('perm403/', permissionRequired('loginshop.view_product', whoami, { raiseException: true })),
    path('dashboard/', Dashboard.asView()),
    path('catalogue/', Catalogue.asView()),
    path('login-api/', async (request: HttpRequest) => {
      const user = await authenticate(request, {
        username: request.GET.get('u'),
        password: request.GET.get('p'),
      });
      if (user === null) return new HttpResponse('no', { status: 401 });
      await login(request, user);
      return new HttpResponse('ok');
    }),
    path('accounts/', include(authUrls)),
    path('quick-login/', LoginView.asView({ redirectAuthenticatedUser: true })),
  ],
};

// The same project with CSRF protection, checked as for a browser.
const csrfSettings: Settings = {
  ...settings,
  middleware: [memorySessionMiddleware(store), CsrfViewMiddleware, AuthenticationMiddleware],
};

/** The hidden token of the page's form. */
function formToken(html: string): string {
  const token = /name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"/.exec(html)?.[1];
  assert.ok(token !== undefined, 'the page has a CSRF token');
  return token;
}

/** Form fields, as the test client takes them. */
function form(data: Record<string, string>): Record<string, string> {
  return data;
}

function sessionData(client: Client) {
  const key = client.cookies.get('sessionid');
  return key === undefined ? undefined : store.data.get(key);
}

for (const vendor of VENDORS) {
  describe(`login and logout on ${vendor}`, () => {
    let drop: () => Promise<void>;
    before(async () => {
      configureAuth({ auth });
      drop = await setUpAuthDatabase(vendor, [shop]);
      await createUser({ username: 'alice', email: 'alice@example.com', password: 'alice-pw-123' });
      await createUser({ username: 'bob', password: 'bob-pw-123' });
      await createUser({ username: 'ghost', password: 'ghost-pw-123', isActive: false });
    });
    after(async () => drop());
    beforeEach(() => defaultLoginThrottle.clear());
    afterEach(() => configureAuth({ auth }));

    test('a request without a session cookie is anonymous and never touches the session store', async () => {
      const client = new Client(settings);
      const before = store.loads;
      const response = await client.get('/whoami/');
      assert.equal(response.text(), 'anonymous');
      assert.ok(response.request?.user instanceof AnonymousUser);
      assert.ok((await response.request!.auser!()) instanceof AnonymousUser);
      assert.equal(store.loads, before);
    });

    test('loginRequired and LoginRequiredMixin redirect to loginUrl with ?next=', async () => {
      const client = new Client(settings);
      const r = await client.get('/private/?a=1&b=2');
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), '/accounts/login/?next=/private/%3Fa%3D1%26b%3D2');
      const d = await client.get('/dashboard/');
      assert.equal(d.headers.get('location'), '/accounts/login/?next=/dashboard/');
    });

    test('LoginView: GET renders the form; a wrong password re-renders with Django’s error; a right one logs in and follows next', async () => {
      const client = new Client(settings);
      const page = await client.get('/accounts/login/?next=/private/');
      assert.equal(page.status, 200);
      assert.deepEqual(page.templates, ['registration/login.html', 'registration/base.html']);
      assert.match(page.text(), /name="next" value="\/private\/"/);

      const failures: unknown[] = [];
      const onFail = (event: { credentials: Readonly<Record<string, unknown>> }) =>
        void failures.push(event.credentials);
      userLoginFailed.connect(onFail);
      const wrong = await client.post('/accounts/login/', {
        data: form({ username: 'alice', password: 'nope', next: '/private/' }),
      });
      userLoginFailed.disconnect(onFail);
      assert.equal(wrong.status, 200);
      assert.match(
        wrong.text(),
        /Please enter a correct username and password. Note that both fields may be case-sensitive./,
      );
      assert.doesNotMatch(wrong.text(), /nope/);
      assert.deepEqual(failures, [{ username: 'alice', password: '********************' }]);

      const logins: string[] = [];
      const onLogin = ({ user, request }: { user: object; request: HttpRequest }) =>
        void logins.push(`${(user as { username: string }).username}@${request.path}`);
      userLoggedIn.connect(onLogin);
      const ok = await client.post('/accounts/login/', {
        data: form({ username: 'alice', password: 'alice-pw-123', next: '/private/' }),
      });
      userLoggedIn.disconnect(onLogin);
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.get('location'), '/private/');
      assert.deepEqual(logins, ['alice@/accounts/login/']);
      const alice = await User.objects.get({ username: 'alice' });
      assert.ok(alice.lastLogin instanceof Date);
      const data = sessionData(client)!;
      assert.equal(data[SESSION_KEY], String(alice.id));
      assert.equal(data[BACKEND_SESSION_KEY], 'ModelBackend');
      assert.equal(data[HASH_SESSION_KEY], getSessionAuthHash(alice, settings.secretKey!));
      assert.equal((await client.get('/private/')).text(), 'user:alice');
      assert.equal((await client.get('/dashboard/')).text(), 'user:alice');
    });

    test('redirectAuthenticatedUser sends a logged-in user on; request.auser() resolves to the user', async () => {
      const client = new Client(settings);
      assert.equal((await client.get('/quick-login/')).status, 200);
      await client.get('/login-api/?u=bob&p=bob-pw-123');
      const r = await client.get('/quick-login/?next=/somewhere/');
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), '/somewhere/');
      const me = await client.get('/whoami/');
      const user = await me.request!.auser!();
      assert.equal((user as { username: string }).username, 'bob');
      assert.equal(user, me.request!.user);
    });

    test('an unsafe next goes to loginRedirectUrl; a safe absolute one on this host is kept', async () => {
      for (const next of [
        'http://evil.example/',
        '//evil.example/x',
        '///evil.example',
        'https:/evil',
        ' \u0001//evil.example',
        '\\\\evil.example',
      ]) {
        const client = new Client(settings);
        const r = await client.post('/accounts/login/', {
          data: form({ username: 'bob', password: 'bob-pw-123', next }),
        });
        assert.equal(r.headers.get('location'), '/home/', JSON.stringify(next));
      }
      const client = new Client(settings);
      const r = await client.post('/accounts/login/?next=http://testserver/ok/', {
        data: form({ username: 'bob', password: 'bob-pw-123' }),
      });
      assert.equal(r.headers.get('location'), 'http://testserver/ok/');
    });

    test('login cycles the session key (no fixation); logging in as another user flushes the old data', async () => {
      const client = new Client(settings);
      await client.post('/accounts/login/', { data: form({ username: 'alice', password: 'alice-pw-123' }) });
      const first = client.cookies.get('sessionid')!;
      store.data.get(first)!.cart = 'alice-cart';
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      assert.equal(client.cookies.get('sessionid'), first, 'the same user again keeps the session');
      await client.get('/login-api/?u=bob&p=bob-pw-123');
      const second = client.cookies.get('sessionid')!;
      assert.notEqual(second, first);
      assert.equal(store.data.has(first), false);
      assert.equal(sessionData(client)!.cart, undefined, 'another user’s data is gone');
      assert.equal((await client.get('/whoami/')).text(), 'user:bob');
    });

    test('an inactive user cannot log in; the limiter answers 429 with Retry-After after too many failures', async () => {
      const client = new Client(settings);
      const ghost = await client.post('/accounts/login/', {
        data: form({ username: 'ghost', password: 'ghost-pw-123' }),
      });
      assert.equal(ghost.status, 200);
      assert.match(ghost.text(), /Please enter a correct username/);
      defaultLoginThrottle.clear();
      for (let i = 0; i < 3; i++) {
        const r = await client.post('/accounts/login/', {
          data: form({ username: 'Alice', password: `bad${i}` }),
        });
        assert.equal(r.status, 200);
      }
      const blocked = await client.post('/accounts/login/', {
        data: form({ username: 'alice', password: 'alice-pw-123' }),
      });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.match(blocked.text(), /Too many failed login attempts/);
      assert.equal(client.cookies.get('sessionid'), undefined, 'not logged in');
    });

    test('a password change logs out the other sessions', async () => {
      const one = new Client(settings);
      const two = new Client(settings);
      await one.get('/login-api/?u=bob&p=bob-pw-123');
      await two.get('/login-api/?u=bob&p=bob-pw-123');
      assert.equal((await two.get('/whoami/')).text(), 'user:bob');
      const bob = await User.objects.get({ username: 'bob' });
      await setPassword(bob, 'bob-pw-456');
      await bob.save();
      assert.equal((await two.get('/whoami/')).text(), 'anonymous');
      assert.equal(two.cookies.get('sessionid') ?? '', '', 'the stale session was flushed');
      bob.password = (await User.objects.get({ username: 'bob' })).password;
      await setPassword(bob, 'bob-pw-123');
      await bob.save();
    });

    test('a session naming a backend that is no longer configured is anonymous', async () => {
      const client = new Client(settings);
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      sessionData(client)![BACKEND_SESSION_KEY] = 'RemovedBackend';
      assert.equal((await client.get('/whoami/')).text(), 'anonymous');
    });

    test('a session naming a user that no longer exists is anonymous', async () => {
      const client = new Client(settings);
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      sessionData(client)![SESSION_KEY] = '987654';
      assert.equal((await client.get('/whoami/')).text(), 'anonymous');
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      assert.equal((await client.get('/whoami/')).text(), 'user:alice');
    });

    test('login rotates the CSRF token: a token from before the login is refused after it', async () => {
      const client = new Client(csrfSettings, { enforceCsrfChecks: true });
      const page = await client.get('/accounts/login/');
      const before = client.cookies.get('csrftoken');
      assert.match(before ?? '', /^[A-Za-z0-9]{32}$/);
      const oldToken = formToken(page.text());
      const ok = await client.post('/accounts/login/', {
        data: form({ username: 'alice', password: 'alice-pw-123', csrfmiddlewaretoken: oldToken }),
      });
      assert.equal(ok.status, 302);
      const after = client.cookies.get('csrftoken');
      assert.match(after ?? '', /^[A-Za-z0-9]{32}$/);
      assert.notEqual(after, before, 'the login response carries a new secret');
      // The token of the page seen before the login no longer posts.
      const stale = await client.post('/accounts/logout/', { data: form({ csrfmiddlewaretoken: oldToken }) });
      assert.equal(stale.status, 403);
      assert.equal((await client.get('/whoami/')).text(), 'user:alice');
      // A page rendered after the login carries a token that does.
      const fresh = formToken((await client.get('/accounts/login/')).text());
      const out = await client.post('/accounts/logout/', { data: form({ csrfmiddlewaretoken: fresh }) });
      assert.equal(out.status, 200);
      assert.equal((await client.get('/whoami/')).text(), 'anonymous');
    });

    test('a login without the CSRF middleware sets no CSRF cookie', async () => {
      const client = new Client(settings);
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      assert.equal(client.cookies.has('csrftoken'), false);
    });

    test('LogoutView: GET is 405; POST logs out, sends userLoggedOut, deletes the cookie, renders logged_out.html', async () => {
      const client = new Client(settings);
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      const key = client.cookies.get('sessionid')!;
      assert.equal((await client.get('/accounts/logout/')).status, 405);
      assert.equal((await client.get('/whoami/')).text(), 'user:alice');
      const outs: unknown[] = [];
      const onOut = ({ user }: { user: object | null }) =>
        void outs.push((user as { username?: string } | null)?.username);
      userLoggedOut.connect(onOut);
      const r = await client.post('/accounts/logout/');
      userLoggedOut.disconnect(onOut);
      assert.equal(r.status, 200);
      assert.deepEqual(r.templates, ['registration/logged_out.html', 'registration/base.html']);
      assert.deepEqual(outs, ['alice']);
      assert.equal(store.data.has(key), false);
      assert.match(r.headers.getSetCookie().join('\n'), /sessionid=""; expires=Thu, 01 Jan 1970/);
      assert.equal((await client.get('/whoami/')).text(), 'anonymous');
      // With next: a redirect.
      await client.get('/login-api/?u=alice&p=alice-pw-123');
      const n = await client.post('/accounts/logout/?next=/bye/');
      assert.equal(n.headers.get('location'), '/bye/');
    });

    test('permissionRequired and PermissionRequiredMixin: redirect, 403, or the view', async () => {
      await createUser({ username: 'carol', password: 'carol-pw-123' });
      const client = new Client(settings, { raiseRequestException: false });
      assert.equal((await client.get('/perm/')).headers.get('location'), '/accounts/login/?next=/perm/');
      assert.equal((await client.get('/catalogue/')).status, 302);
      await client.get('/login-api/?u=carol&p=carol-pw-123');
      assert.equal(
        (await client.get('/perm/')).status,
        302,
        'logged in without the permission: to the login page',
      );
      assert.equal((await client.get('/perm403/')).status, 403);
      assert.equal((await client.get('/catalogue/')).status, 403);
      const carol = await User.objects.get({ username: 'carol' });
      await carol.userPermissions.add(
        await Permission.objects.get({ appLabel: 'loginshop', codename: 'view_product' }),
      );
      assert.equal((await client.get('/perm/')).text(), 'user:carol');
      assert.equal((await client.get('/catalogue/')).text(), 'catalogue');
      await createSuperuser({ username: 'admin', password: 'admin-pw-123' });
      const admin = new Client(settings);
      await admin.get('/login-api/?u=admin&p=admin-pw-123');
      assert.equal((await admin.get('/perm403/')).text(), 'user:admin');
    });

    test('SignupView: the validators’ messages; then a new user, logged in', async () => {
      const client = new Client(settings);
      const page = await client.get('/accounts/signup/');
      assert.match(page.text(), /Your password can’t be entirely numeric./);
      const bad = await client.post('/accounts/signup/', {
        data: form({ username: 'alice', email: 'not-an-email', password1: '12345', password2: '12345' }),
      });
      assert.equal(bad.status, 200);
      const errors = (bad.context?.form as { errors: Record<string, string[]> }).errors;
      assert.deepEqual(errors, {
        username: ['A user with that username already exists.'],
        email: ['Enter a valid email address.'],
        password2: [
          'This password is too short. It must contain at least 8 characters.',
          'This password is too common.',
          'This password is entirely numeric.',
        ],
      });
      const mismatch = await client.post('/accounts/signup/', {
        data: form({ username: 'dave', password1: 'dave-pw-123', password2: 'dave-pw-124' }),
      });
      assert.deepEqual((mismatch.context?.form as { errors: object }).errors, {
        password2: ['The two password fields didn’t match.'],
      });
      const ok = await client.post('/accounts/signup/?next=/welcome/', {
        data: form({
          username: 'dave',
          email: 'dave@EXAMPLE.org',
          password1: 'a-good-passphrase',
          password2: 'a-good-passphrase',
        }),
      });
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.get('location'), '/welcome/');
      const dave = await User.objects.get({ username: 'dave' });
      assert.equal(dave.email, 'dave@example.org');
      assert.equal((await client.get('/whoami/')).text(), 'user:dave');
    });
  });
}
