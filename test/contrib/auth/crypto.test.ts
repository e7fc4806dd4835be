/**
 * `saltedHmac` and `getSessionAuthHash` against values Django 3.2 computed
 * (`django.utils.crypto.salted_hmac(..., algorithm='sha256')`), each asked twice and
 * interleaved: the derived keys and the hashes are remembered, and must never be mixed
 * up between salts, secrets or passwords.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constantTimeCompare, getSessionAuthHash, saltedHmac } from '../../../src/contrib/auth/index.ts';
import type { BaseUser } from '../../../src/contrib/auth/models.ts';

const AUTH_SALT = 'django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash';
const PASSWORD = 'pbkdf2_sha256$1$a$b';
const S1 = 'b4c302457eaf2f0ae5a1aaabb15da2fb8351b6b2430ffb7f355b1e62b683f85b';
const S2 = 'dcfdd1fa4ab3690e5e1a99464df540aa7375da6db295e9e8fffdde2235c76ae7';
const OTHER = 'c37036977964dc6b873129939a5465f952250dcb4989ab1a8caeccaae3a9ea64';

test("saltedHmac is Django's salted_hmac, per salt and secret, however often it is asked", () => {
  for (let i = 0; i < 2; i++) {
    assert.equal(saltedHmac(AUTH_SALT, PASSWORD, 's1'), S1);
    assert.equal(saltedHmac(AUTH_SALT, PASSWORD, 's2'), S2);
    assert.equal(saltedHmac('other', 'v', 's1'), OTHER);
  }
});

test("getSessionAuthHash is Django's, and follows a changed password or secret", () => {
  const user = { password: PASSWORD } as BaseUser;
  for (let i = 0; i < 2; i++) {
    assert.equal(getSessionAuthHash(user, 's1'), S1);
    assert.equal(getSessionAuthHash(user, 's2'), S2);
  }
  const changed = { password: 'pbkdf2_sha256$1$a$c' } as BaseUser;
  assert.notEqual(getSessionAuthHash(changed, 's1'), S1);
  assert.equal(getSessionAuthHash(changed, 's1'), saltedHmac(AUTH_SALT, changed.password, 's1'));
});

test('constantTimeCompare: equal only for the same code units, whatever the lengths', () => {
  const hash = S1;
  assert.equal(constantTimeCompare(hash, `${S1}`), true);
  assert.equal(constantTimeCompare('', ''), true);
  assert.equal(constantTimeCompare('é✓', 'é✓'), true);
  for (let i = 0; i < hash.length; i++) {
    const changed = hash.slice(0, i) + (hash[i] === '0' ? '1' : '0') + hash.slice(i + 1);
    assert.equal(constantTimeCompare(hash, changed), false, `position ${i}`);
  }
  assert.equal(constantTimeCompare(hash, hash.slice(0, -1)), false);
  assert.equal(constantTimeCompare(hash.slice(0, -1), hash), false);
  assert.equal(constantTimeCompare('', 'a'), false);
  assert.equal(constantTimeCompare('a', ''), false);
  // Same length in UTF-16 code units, different characters: not equal.
  assert.equal(constantTimeCompare('é', 'e'), false);
  assert.equal(constantTimeCompare('\u0100', '\u0000'), false);
});
