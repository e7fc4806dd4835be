/**
 * The password validators: Django's defaults, messages and codes; every problem collected.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import {
  CommonPasswordValidator,
  configureAuth,
  getPasswordValidators,
  MinimumLengthValidator,
  NumericPasswordValidator,
  PasswordValidationError,
  passwordValidatorsHelpTexts,
  UserAttributeSimilarityValidator,
  validatePassword,
} from '../../../src/contrib/auth/index.ts';

afterEach(() => configureAuth({}));

async function problems(password: string, user?: object): Promise<Array<[string, string]>> {
  try {
    await validatePassword(password, user);
    return [];
  } catch (error) {
    assert.ok(error instanceof PasswordValidationError);
    assert.equal(error.code, 'PORTICO_ERR_AUTH_PASSWORD_INVALID');
    return error.problems.map((p) => [p.code, p.message]);
  }
}

test('the four default validators, every problem collected in order with Django’s messages', async () => {
  assert.deepEqual(
    getPasswordValidators().map((v) => v.constructor.name),
    [
      'UserAttributeSimilarityValidator',
      'MinimumLengthValidator',
      'CommonPasswordValidator',
      'NumericPasswordValidator',
    ],
  );
  assert.deepEqual(await problems('1234567'), [
    ['password_too_short', 'This password is too short. It must contain at least 8 characters.'],
    ['password_too_common', 'This password is too common.'],
    ['password_entirely_numeric', 'This password is entirely numeric.'],
  ]);
  assert.deepEqual(await problems('Tr0ub4dor&3-horse'), []);
  assert.deepEqual(await problems('password'), [['password_too_common', 'This password is too common.']]);
  assert.deepEqual(await problems('  PassWord  '), [['password_too_common', 'This password is too common.']]);
});

test('similarity to the user’s attributes, with Django’s verbose names and length shortcut', async () => {
  const user = { username: 'marguerite', firstName: 'Ann', lastName: '', email: 'margo.lane@example.com' };
  assert.deepEqual(await problems('marguerite1', user), [
    ['password_too_similar', 'The password is too similar to the username.'],
  ]);
  assert.deepEqual(await problems('lanemargo', user), [
    ['password_too_similar', 'The password is too similar to the email address.'],
  ]);
  // A long password is never "too similar" to a much shorter value.
  assert.deepEqual(await problems('ann-is-a-lovely-passphrase-indeed', user), []);
  // Without a user there is nothing to compare with.
  assert.deepEqual(await problems('marguerite1'), []);
  assert.throws(() => new UserAttributeSimilarityValidator({ maxSimilarity: 0.05 }), /at least 0.1/);
});

test('MinimumLengthValidator counts characters (code points), singular and plural messages', async () => {
  const v = new MinimumLengthValidator({ minLength: 1 });
  assert.throws(() => v.validate(''), /at least 1 character\./);
  assert.equal(v.helpText(), 'Your password must contain at least 1 character.');
  const ten = new MinimumLengthValidator({ minLength: 10 });
  assert.doesNotThrow(() => ten.validate('😀😀😀😀😀😀😀😀😀😀'));
  assert.throws(() => ten.validate('😀😀😀😀😀'), /at least 10 characters\./);
});

test('the common passwords: Django’s list of about 20,000, loaded once', async () => {
  const v = new CommonPasswordValidator();
  const size = await v.size();
  assert.ok(size > 19_000 && size <= 20_000, `${size} passwords`);
  await assert.rejects(async () => v.validate('qwerty123'), PasswordValidationError);
  await v.validate('a-rather-uncommon-one-42');
});

test('NumericPasswordValidator, help texts, and a configured list with options', async () => {
  assert.throws(() => new NumericPasswordValidator().validate('０１２３４５６７８９'), /entirely numeric/);
  assert.doesNotThrow(() => new NumericPasswordValidator().validate('1234a'));
  configureAuth({ auth: { passwordValidators: [['MinimumLengthValidator', { minLength: 12 }]] } });
  assert.deepEqual(await problems('elevenchars'), [
    ['password_too_short', 'This password is too short. It must contain at least 12 characters.'],
  ]);
  assert.deepEqual(passwordValidatorsHelpTexts(), ['Your password must contain at least 12 characters.']);
  configureAuth({ auth: { passwordValidators: ['NoSuchValidator'] } });
  assert.throws(() => getPasswordValidators(), /unknown validator 'NoSuchValidator'/);
});
