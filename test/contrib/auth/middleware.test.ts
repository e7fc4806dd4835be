/**
 * AuthenticationMiddleware and the permission checks with a backend of the project's own
 * (users kept in memory, no database): the session hash, secret-key fallbacks, object
 * permissions, the missing-session error, the context processor.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { HttpRequest, HttpResponse, path, type Settings } from '../../../src/web/index.ts';
import { Client } from '../../../src/web/test/index.ts';
import {
  AnonymousUser,
  authContextProcessor,
  type AuthBackend,
  AuthenticationMiddleware,
  configureAuth,
  getAllPermissions,
  getSessionAuthHash,
  HASH_SESSION_KEY,
  hasModulePerms,
  hasPerm,
  hasPerms,
  login,
  logout,
} from '../../../src/contrib/auth/index.ts';
import { MemorySessionStore, memorySessionMiddleware } from './helpers/memory-session.ts';

/** A user of the in-memory backend. */
class MemoryUser {
  readonly isAuthenticated = true;
  readonly isAnonymous = false;
  isActive = true;
  isSuperuser = false;
  lastLogin: Date | null = null;
  readonly pk: number;
  readonly username: string;
  password: string;
  constructor(pk: number, username: string, password: string) {
    this.pk = pk;
    this.username = username;
    this.password = password;
  }
  async save(): Promise<void> {}
}

const users = new Map<string, MemoryUser>([
  ['1', new MemoryUser(1, 'ann', 'pbkdf2_sha256$1$x$ann')],
  ['2', new MemoryUser(2, 'ben', 'pbkdf2_sha256$1$x$ben')],
]);

/** Grants `notes.edit_note` on note objects the user owns, and `notes.view_note` to everyone. */
const memoryBackend: AuthBackend = {
  name: 'MemoryBackend',
  async authenticate(_request, credentials) {
    return [...users.values()].find((u) => u.username === credentials.username) ?? null;
  },
  async getUser(id) {
    return users.get(id) ?? null;
  },
  async hasPerm(user, perm, obj) {
    if (perm === 'notes.view_note') return true;
    return (
      perm === 'notes.edit_note' &&
      (obj as { owner?: string } | undefined)?.owner === (user as MemoryUser).username
    );
  },
  async getAllPermissions() {
    return new Set(['notes.view_note']);
  },
};

const store = new MemorySessionStore();
const SECRET = 'new-secret-0123456789-0123456789-0123456789';
const OLD = 'old-secret-0123456789-0123456789-0123456789';

function settingsWith(extra: Partial<Settings> = {}): Settings {
  return {
    secretKey: SECRET,
    secretKeyFallbacks: [OLD],
    allowedHosts: ['testserver'],
    middleware: [memorySessionMiddleware(store), AuthenticationMiddleware],
    auth: { authenticationBackends: [memoryBackend] },
    rootUrlconf: [
      path('me/', (request: HttpRequest) => {
        const ctx = authContextProcessor(request);
        return new HttpResponse(String((ctx.user as { username: string }).username || 'anonymous'));
      }),
      path('login/<str:id>/', async (request: HttpRequest, { id }: { id: string }) => {
        await login(request, users.get(id)!);
        return new HttpResponse('in');
      }),
      path('logout/', async (request: HttpRequest) => {
        await logout(request);
        return new HttpResponse('out');
      }),
    ],
    ...extra,
  };
}

afterEach(() => configureAuth({}));

test('a session hashed with a fallback secret stays logged in and moves to the current secret', async () => {
  const client = new Client(settingsWith());
  await client.get('/login/1/');
  const key = client.cookies.get('sessionid')!;
  const ann = users.get('1')!;
  assert.equal(store.data.get(key)![HASH_SESSION_KEY], getSessionAuthHash(ann, SECRET));
  // As if the session had been made before the secret rotated.
  store.data.get(key)![HASH_SESSION_KEY] = getSessionAuthHash(ann, OLD);
  assert.equal((await client.get('/me/')).text(), 'ann');
  const moved = client.cookies.get('sessionid')!;
  assert.notEqual(moved, key, 'the key was cycled');
  assert.equal(store.data.get(moved)![HASH_SESSION_KEY], getSessionAuthHash(ann, SECRET));
  // A hash made with a secret nobody configured: logged out.
  store.data.get(moved)![HASH_SESSION_KEY] = getSessionAuthHash(ann, 'unknown-secret');
  assert.equal((await client.get('/me/')).text(), 'anonymous');
});

test('a session of a deleted user, or without the hash, is anonymous', async () => {
  const client = new Client(settingsWith());
  await client.get('/login/2/');
  const key = client.cookies.get('sessionid')!;
  delete store.data.get(key)![HASH_SESSION_KEY];
  assert.equal((await client.get('/me/')).text(), 'anonymous');
  await client.get('/login/2/');
  users.delete('2');
  assert.equal((await client.get('/me/')).text(), 'anonymous');
  users.set('2', new MemoryUser(2, 'ben', 'pbkdf2_sha256$1$x$ben'));
  await client.get('/login/2/');
  assert.equal((await client.get('/logout/')).text(), 'out');
  assert.equal((await client.get('/me/')).text(), 'anonymous');
});

test('permission checks ask every backend: object permissions from a backend of one’s own', async () => {
  configureAuth({ auth: { authenticationBackends: [memoryBackend] } });
  const ann = users.get('1')!;
  assert.equal(await hasPerm(ann, 'notes.view_note'), true);
  assert.equal(await hasPerm(ann, 'notes.edit_note'), false);
  assert.equal(await hasPerm(ann, 'notes.edit_note', { owner: 'ann' }), true);
  assert.equal(await hasPerm(ann, 'notes.edit_note', { owner: 'ben' }), false);
  assert.equal(await hasPerms(ann, ['notes.view_note', 'notes.edit_note'], { owner: 'ann' }), true);
  assert.deepEqual([...(await getAllPermissions(ann))], ['notes.view_note']);
  assert.equal(await hasModulePerms(ann, 'notes'), true);
  assert.equal(await hasModulePerms(ann, 'shop'), false);
  const boss = Object.assign(new MemoryUser(9, 'boss', 'x'), { isSuperuser: true });
  assert.equal(await hasPerm(boss, 'anything.at_all'), true);
  boss.isActive = false;
  assert.equal(await hasPerm(boss, 'anything.at_all'), false);
});

test('without a session middleware: a one-line configuration error; the context processor still gives a user', async () => {
  const client = new Client(settingsWith({ middleware: [AuthenticationMiddleware] }), {
    raiseRequestException: false,
  });
  const response = await client.get('/me/');
  assert.equal(response.status, 500);
  const direct = new Client(settingsWith({ middleware: [AuthenticationMiddleware] }));
  await assert.rejects(direct.get('/me/'), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'PORTICO_ERR_CONTRIB_CONFIG');
    assert.match((error as Error).message, /put SessionMiddleware before AuthenticationMiddleware/);
    return true;
  });
  const bare = new Client(settingsWith({ middleware: [] }));
  assert.equal((await bare.get('/me/')).text(), 'anonymous');
  assert.ok(
    authContextProcessor(new HttpRequest({ REQUEST_METHOD: 'GET' } as never)).user instanceof AnonymousUser,
  );
});
