/**
 * authtoken's default user loader: tokens linked to contrib auth's User (SQLite, and
 * PostgreSQL with TEST_POSTGRES_URL), with `databaseTokenStore()` given no loader.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  APIView,
  IsAuthenticated,
  type PermissionClass,
  type Request,
  Response,
  TokenAuthentication,
} from '../../src/api/index.ts';
import { authtokenApp, databaseTokenStore, loadAuthUser, Token } from '../../src/api/authtoken/index.ts';
import { APIClient } from '../../src/api/test/index.ts';
import { configureAuth, createUser, PBKDF2PasswordHasher, User } from '../../src/contrib/auth/index.ts';
import { path } from '../../src/web/index.ts';
import { setUpAuthDatabase, VENDORS } from '../contrib/auth/helpers/database.ts';

class Me extends APIView {
  override authenticationClasses = [TokenAuthentication];
  override permissionClasses: PermissionClass[] = [IsAuthenticated];
  get(request: Request) {
    return new Response({ username: request.user.username, id: request.user.id });
  }
}

const settings = {
  allowedHosts: ['testserver'],
  rootUrlconf: [path('me/', Me.asView())],
  api: { tokenStore: databaseTokenStore() },
};

for (const vendor of VENDORS) {
  describe(`tokens of contrib auth's users on ${vendor}`, () => {
    let drop: () => Promise<void>;
    before(async () => {
      configureAuth({ auth: { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 })] } });
      drop = await setUpAuthDatabase(vendor, [authtokenApp]);
    });
    after(() => drop());

    test('a token authenticates its User; inactive and deleted users are refused', async () => {
      const ada = await createUser({ username: 'ada', password: 'pw-123456' });
      const { key } = await Token.generate(ada.id);
      const client = new APIClient(settings);
      client.credentials({ Authorization: `Token ${key}` });
      assert.deepEqual((await client.get('/me/')).json(), { username: 'ada', id: ada.id });

      ada.isActive = false;
      await ada.save();
      const inactive = await client.get('/me/');
      assert.equal(inactive.status, 401);
      assert.deepEqual(inactive.json(), { detail: 'User inactive or deleted.' });

      await ada.delete();
      const deleted = await client.get('/me/');
      assert.equal(deleted.status, 401);
      assert.deepEqual(deleted.json(), { detail: 'Invalid token.' });
    });

    test('loadAuthUser: by primary key, null for an unknown or malformed id', async () => {
      const bob = await createUser({ username: 'bob', password: 'pw-123456' });
      assert.equal(
        ((await loadAuthUser(String(bob.id))) as InstanceType<typeof User> | null)?.username,
        'bob',
      );
      assert.equal(await loadAuthUser('999999'), null);
      for (const id of ['99999999999999999999', '2147483648', 'abc', '1.5', ''])
        assert.equal(await loadAuthUser(id), null, id);
    });
  });
}
