import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  APIView,
  type ApiUser,
  BasicAuthentication,
  IsAuthenticated,
  type PermissionClass,
  type Request,
  Response,
  TokenAuthentication,
} from '../../src/api/index.ts';
import {
  authtokenApp,
  databaseTokenStore,
  generateToken,
  revokeTokens,
  Token,
  tokenDigest,
} from '../../src/api/authtoken/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { configureDatabases, connections, migrate } from '../../src/db/index.ts';
import { path, type Settings } from '../../src/web/index.ts';
import { createTestDatabase, type TestDatabase, VENDORS } from '../db/helpers.ts';

const users: Record<string, ApiUser & { password: string }> = {
  '1': { isAuthenticated: true, id: 1, username: 'ann', password: 'pässword', isActive: true },
  '2': { isAuthenticated: true, id: 2, username: 'gone', password: 'x', isActive: false },
};

class Me extends APIView {
  override permissionClasses: PermissionClass[] = [IsAuthenticated];
  get(request: Request) {
    const auth = request.auth as { prefix?: string } | null;
    return new Response({ user: request.user.username, prefix: auth?.prefix ?? null });
  }
}

const settings: Settings = {
  rootUrlconf: [
    path('basic/', Me.asView({ authenticationClasses: [BasicAuthentication] })),
    path('token/', Me.asView({ authenticationClasses: [TokenAuthentication] })),
    path('both/', Me.asView({ authenticationClasses: [TokenAuthentication, BasicAuthentication] })),
  ],
  allowedHosts: ['testserver'],
  secretKey: 'api-auth-test',
  api: {
    authenticateCredentials: (username, password) =>
      Object.values(users).find((u) => u.username === username && u.password === password) ?? null,
    tokenStore: databaseTokenStore(async (id) => users[id] ?? null),
  },
};

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BasicAuthentication', () => {
  const client = new APIClient(settings);

  test('right credentials (UTF-8 password) authenticate', async () => {
    const response = await client.get('/basic/', undefined, {
      headers: { Authorization: basic('ann', 'pässword') },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json(), { user: 'ann', prefix: null });
  });

  test('no credentials: 401 with WWW-Authenticate: Basic realm="api"', async () => {
    const response = await client.get('/basic/');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Basic realm="api"');
  });

  for (const [header, detail] of [
    [basic('ann', 'wrong'), 'Invalid username/password.'],
    [basic('gone', 'x'), 'User inactive or deleted.'],
    ['Basic', 'Invalid basic header. No credentials provided.'],
    ['Basic a b', 'Invalid basic header. Credentials string should not contain spaces.'],
    ['Basic !!!!', 'Invalid basic header. Credentials not correctly base64 encoded.'],
    [
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      'Invalid basic header. Credentials not correctly base64 encoded.',
    ],
  ] as const) {
    test(`"${header}" → 401 ${detail}`, async () => {
      const response = await client.get('/basic/', undefined, { headers: { Authorization: header } });
      assert.equal(response.status, 401);
      assert.deepEqual(response.json(), { detail });
      assert.equal(response.headers.get('www-authenticate'), 'Basic realm="api"');
    });
  }

  test('unconfigured, every credential is refused', async () => {
    const bare = new APIClient({ ...settings, api: {} });
    const response = await bare.get('/basic/', undefined, {
      headers: { Authorization: basic('ann', 'pässword') },
    });
    assert.equal(response.status, 401);
  });
});

for (const vendor of VENDORS) {
  describe(`TokenAuthentication with the authtoken app (${vendor})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase(vendor);
      await connections.reset();
      configureDatabases({ databases: { default: db.settings } });
      await migrate([authtokenApp]);
    });
    after(async () => {
      await connections.reset();
      await db.drop();
    });

    test('Token.generate() returns the key once and stores only its digest', async () => {
      const { key, token } = await Token.generate(1);
      assert.match(key, /^[0-9a-f]{40}$/);
      const row = await Token.objects.get({ id: token.id });
      assert.equal(row.digest, tokenDigest(key));
      assert.notEqual(row.digest, key);
      assert.equal(row.prefix, key.slice(0, 8));
      assert.equal(row.userId, '1');
    });

    test('Token and Bearer keywords authenticate; request.auth is the row', async () => {
      const { key } = await generateToken(1);
      const client = new APIClient(settings);
      for (const keyword of ['Token', 'Bearer', 'token']) {
        client.credentials({ Authorization: `${keyword} ${key}` });
        const response = await client.get('/token/');
        assert.equal(response.status, 200, keyword);
        assert.deepEqual(response.json(), { user: 'ann', prefix: key.slice(0, 8) });
      }
    });

    test('bad tokens: 401 with WWW-Authenticate: Token', async () => {
      const { key } = await generateToken(2);
      const client = new APIClient(settings);
      for (const [header, detail] of [
        [`Token ${'0'.repeat(40)}`, 'Invalid token.'],
        [`Token ${key}`, 'User inactive or deleted.'],
        ['Token', 'Invalid token header. No credentials provided.'],
        ['Token a b', 'Invalid token header. Token string should not contain spaces.'],
        ['Token a\u00e9', 'Invalid token header. Token string should not contain invalid characters.'],
      ] as const) {
        const response = await client.get('/token/', undefined, { headers: { Authorization: header } });
        assert.equal(response.status, 401, header);
        assert.deepEqual(response.json(), { detail }, header);
        assert.equal(response.headers.get('www-authenticate'), 'Token');
      }
    });

    test('the first authenticator that recognises the scheme wins; revoked tokens stop working', async () => {
      const { key } = await generateToken(1);
      const client = new APIClient(settings);
      const byBasic = await client.get('/both/', undefined, {
        headers: { Authorization: basic('ann', 'pässword') },
      });
      assert.equal(byBasic.status, 200);
      const anonymous = await client.get('/both/');
      assert.equal(anonymous.headers.get('www-authenticate'), 'Token');
      assert.ok((await revokeTokens(1)) >= 1);
      const revoked = await client.get('/both/', undefined, { headers: { Authorization: `Token ${key}` } });
      assert.equal(revoked.status, 401);
    });
  });
}
