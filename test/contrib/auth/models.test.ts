/**
 * The auth models on a real database: Django's tables, permissions created after migrate,
 * users created with hashed passwords, permissions through groups, the user model swap.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  BooleanField,
  CharField,
  DateTimeField,
  defineApp,
  migrate,
  ValidationError,
} from '../../../src/db/index.ts';
import {
  AnonymousUser,
  authApp,
  authenticate,
  checkUserPassword,
  clearPermissionCache,
  configureAuth,
  createPermissions,
  createSuperuser,
  createUser,
  getAllPermissions,
  getUserModel,
  Group,
  hasModulePerms,
  hasPerm,
  hasPerms,
  PBKDF2PasswordHasher,
  Permission,
  User,
} from '../../../src/contrib/auth/index.ts';
import { setUpAuthDatabase, VENDORS } from './helpers/database.ts';

const shop = defineApp('shop');
shop.model('Product', { fields: { name: CharField({ maxLength: 50 }) } });
shop.model('OrderLine', {
  fields: { qty: CharField({ maxLength: 5 }) },
  meta: { verboseName: 'line of an order' },
});

const accounts = defineApp('accounts');
const Member = accounts.model('Member', {
  fields: {
    email: CharField({ maxLength: 254, unique: true }),
    password: CharField({ maxLength: 128 }),
    lastLogin: DateTimeField({ null: true }),
    isActive: BooleanField({ default: true }),
  },
});
Object.defineProperties(Member, { USERNAME_FIELD: { value: 'email' }, EMAIL_FIELD: { value: 'email' } });

const fast = () =>
  configureAuth({ auth: { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 })] } });

test('Django’s tables and columns', () => {
  const tables = Object.fromEntries(
    authApp.models.map((m) => [m.meta.table, m.meta.fields.map((f) => f.column)]),
  );
  assert.deepEqual(tables, {
    auth_permission: ['id', 'name', 'app_label', 'model', 'codename'],
    auth_group: ['id', 'name'],
    auth_group_permissions: ['id', 'group_id', 'permission_id'],
    auth_user: [
      'id',
      'password',
      'last_login',
      'is_superuser',
      'username',
      'first_name',
      'last_name',
      'email',
      'is_staff',
      'is_active',
      'date_joined',
    ],
    auth_user_groups: ['id', 'user_id', 'group_id'],
    auth_user_user_permissions: ['id', 'user_id', 'permission_id'],
  });
});

for (const vendor of VENDORS) {
  describe(`auth models on ${vendor}`, () => {
    let drop: () => Promise<void>;
    before(async () => {
      fast();
      drop = await setUpAuthDatabase(vendor, [shop, accounts]);
    });
    after(async () => drop());
    afterEach(() => fast());

    test('migrate created the four default permissions of every model (through models excluded), once', async () => {
      const rows = await Permission.objects.filter({ appLabel: 'shop' }).valuesList('codename', 'name');
      assert.deepEqual(rows, [
        ['add_orderline', 'Can add line of an order'],
        ['change_orderline', 'Can change line of an order'],
        ['delete_orderline', 'Can delete line of an order'],
        ['view_orderline', 'Can view line of an order'],
        ['add_product', 'Can add product'],
        ['change_product', 'Can change product'],
        ['delete_product', 'Can delete product'],
        ['view_product', 'Can view product'],
      ]);
      assert.equal(await Permission.objects.filter({ appLabel: 'auth' }).count(), 12);
      const total = await Permission.objects.count();
      await migrate([authApp, shop, accounts]); // nothing to apply; the signal runs again
      assert.equal(await createPermissions(shop), 0);
      assert.equal(await Permission.objects.count(), total);
    });

    test('createUser: a hashed password, the email’s domain lower-cased, NFKC username; createSuperuser', async () => {
      const user = await createUser({
        username: 'ｊｏｈｎ',
        email: 'John.Smith@EXAMPLE.Com',
        password: 'pw-1234!',
      });
      assert.equal(user.username, 'john');
      assert.equal(user.email, 'John.Smith@example.com');
      assert.match(user.password, /^pbkdf2_sha256\$1000\$/);
      assert.equal(user.isStaff, false);
      assert.equal(user.isSuperuser, false);
      assert.equal(user.isActive, true);
      assert.equal(user.isAuthenticated, true);
      assert.ok(user.dateJoined instanceof Date);
      const again = await User.objects.get({ username: 'john' });
      assert.equal(await checkUserPassword(again, 'pw-1234!'), true);
      assert.equal(await checkUserPassword(again, 'wrong'), false);
      const boss = await createSuperuser({ username: 'boss', email: '', password: null });
      assert.equal(boss.isStaff && boss.isSuperuser, true);
      assert.match(boss.password, /^!/);
      await assert.rejects(createUser({ username: '' }), /username must be set/);
      await assert.rejects(createSuperuser({ username: 'x', isStaff: false }), /isStaff=true/);
      await assert.rejects(createUser({ username: 'john' }), /UNIQUE/);
    });

    test('the username validator (Django’s UnicodeUsernameValidator) runs in fullClean', async () => {
      const bad = new User({ username: 'no spaces!', password: 'x' });
      await assert.rejects(bad.fullClean(), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(error.errors.username, [
          'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
        ]);
        return true;
      });
      await new User({ username: 'zoë.o+x@y-z_', password: 'x' }).fullClean();
    });

    test('checkUserPassword upgrades an outdated hash and saves it', async () => {
      const user = await createUser({ username: 'upgrader', password: 'pw' });
      configureAuth({ auth: { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1500 })] } });
      assert.equal(await checkUserPassword(user, 'pw'), true);
      const stored = await User.objects.get({ username: 'upgrader' });
      assert.match(stored.password, /^pbkdf2_sha256\$1500\$/);
    });

    test('permissions: direct, through groups, superuser has all, inactive and anonymous none', async () => {
      const user = await createUser({ username: 'perms', password: 'pw' });
      const [view, change, addGroup] = await Promise.all([
        Permission.objects.get({ appLabel: 'shop', codename: 'view_product' }),
        Permission.objects.get({ appLabel: 'shop', codename: 'change_product' }),
        Permission.objects.get({ appLabel: 'auth', codename: 'add_group' }),
      ]);
      await user.userPermissions.add(view);
      const editors = await Group.objects.create({ name: 'editors' });
      await editors.permissions.add(change, addGroup);
      await user.groups.add(editors);
      assert.equal(await hasPerm(user, 'shop.view_product'), true);
      assert.equal(await hasPerm(user, 'shop.change_product'), true);
      assert.equal(await hasPerm(user, 'shop.delete_product'), false);
      assert.equal(await hasPerms(user, ['shop.view_product', 'shop.change_product']), true);
      assert.equal(await hasPerms(user, ['shop.view_product', 'shop.delete_product']), false);
      assert.deepEqual([...(await getAllPermissions(user))].sort(), [
        'auth.add_group',
        'shop.change_product',
        'shop.view_product',
      ]);
      assert.equal(await hasModulePerms(user, 'auth'), true);
      assert.equal(await hasModulePerms(user, 'accounts'), false);
      // Cached per instance until cleared.
      await user.userPermissions.clear();
      assert.equal(await hasPerm(user, 'shop.view_product'), true);
      clearPermissionCache(user);
      assert.equal(await hasPerm(user, 'shop.view_product'), false);
      // Object permissions are for other backends.
      assert.equal(await hasPerm(user, 'shop.change_product', { id: 1 }), false);

      const root = await createSuperuser({ username: 'root', password: 'pw' });
      assert.equal(await hasPerm(root, 'shop.anything_at_all'), true);
      assert.equal((await getAllPermissions(root)).size, await Permission.objects.count());
      root.isActive = false;
      assert.equal(await hasPerm(root, 'shop.view_product'), false);
      assert.equal((await getAllPermissions(root)).size, 0);
      assert.equal(await hasPerm(new AnonymousUser(), 'shop.view_product'), false);
    });

    test('ModelBackend: an unknown username costs one hash, as a wrong password does; inactive users are refused', async () => {
      const slow = new PBKDF2PasswordHasher({ iterations: 200_000 });
      configureAuth({ auth: { passwordHashers: [slow] } });
      await createUser({ username: 'timed', password: 'right' });
      await createUser({ username: 'asleep', password: 'right', isActive: false });
      const time = async (credentials: Record<string, string>) => {
        const started = performance.now();
        const user = await authenticate(null, credentials);
        return { ms: performance.now() - started, user };
      };
      const known = await time({ username: 'timed', password: 'wrong' });
      const unknown = await time({ username: 'nobody-at-all', password: 'wrong' });
      assert.equal(known.user, null);
      assert.equal(unknown.user, null);
      assert.ok(
        unknown.ms > known.ms * 0.4,
        `unknown ${unknown.ms.toFixed(0)} ms vs wrong ${known.ms.toFixed(0)} ms`,
      );
      assert.equal((await time({ username: 'timed', password: 'right' })).user?.username, 'timed');
      assert.equal((await time({ username: 'asleep', password: 'right' })).user, null);
      configureAuth({
        auth: { passwordHashers: [slow], authenticationBackends: ['AllowAllUsersModelBackend'] },
      });
      const allowed = await time({ username: 'asleep', password: 'right' });
      assert.equal(allowed.user?.backend, 'AllowAllUsersModelBackend');
    });

    test('a swapped user model (auth.userModel) is what getUserModel and createUser use', async () => {
      configureAuth({
        auth: {
          userModel: 'accounts.Member',
          passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 })],
        },
      });
      assert.equal(getUserModel(), Member);
      const member = await createUser({ email: 'Ann@Example.COM', password: 'pw' });
      assert.equal((member as unknown as { email: string }).email, 'Ann@example.com');
      assert.equal(member.isAuthenticated, true);
      assert.equal(await checkUserPassword(member, 'pw'), true);
      configureAuth({ auth: { userModel: 'accounts.Nobody' } });
      assert.throws(() => getUserModel(), /accounts.Nobody/);
    });
  });
}
