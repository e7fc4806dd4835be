import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadSignature, SignatureExpired, Signer, TimestampSigner } from '../../../src/web/index.ts';
import { b62Decode, b62Encode, getCookieSigner } from '../../../src/web/core/signing.ts';
import { hasCode } from '../../../src/tsgi/errors.ts';

test('signatures are Django’s: the cookie signer of "sid" under "secret" (vector computed with Python)', () => {
  const signer = getCookieSigner({ secretKey: 'secret' }, 'sid');
  assert.equal(signer.signature('hello:1'), 'D6SNsdroqwXzNf_xOSd3WJ9M-yIIiOdT1Q9f1wQAo-g');
  assert.equal(signer.unsign('hello:1:D6SNsdroqwXzNf_xOSd3WJ9M-yIIiOdT1Q9f1wQAo-g'), 'hello');
});

test('sign and unsign round-trip; tampering, another salt or another key is a BadSignature', () => {
  const signer = new Signer({ key: 'k1', salt: 'a' });
  const signed = signer.sign('value:with:colons');
  assert.equal(signer.unsign(signed), 'value:with:colons');
  assert.throws(() => signer.unsign(signed.replace('value', 'valve')), BadSignature);
  assert.throws(() => new Signer({ key: 'k1', salt: 'b' }).unsign(signed), BadSignature);
  assert.throws(
    () => new Signer({ key: 'k2', salt: 'a' }).unsign(signed),
    (e) => hasCode(e, 'PORTICO_ERR_BAD_SIGNATURE'),
  );
  assert.throws(() => signer.unsign('no-separator'), /No ":" found/);
});

test('key rotation: values signed with a fallback key still verify; new ones use the current key', () => {
  const old = new Signer({ key: 'old' }).sign('v');
  const rotated = new Signer({ key: 'new', fallbackKeys: ['old'] });
  assert.equal(rotated.unsign(old), 'v');
  assert.throws(() => new Signer({ key: 'old' }).unsign(rotated.sign('v')), BadSignature);
});

test('timestamped signatures expire after maxAge', () => {
  const signer = new TimestampSigner({ key: 'k' });
  const t0 = Date.UTC(2026, 0, 1);
  const signed = signer.sign('v', t0);
  assert.equal(signer.unsign(signed, 60, t0 + 59_000), 'v');
  assert.throws(() => signer.unsign(signed, 60, t0 + 61_000), SignatureExpired);
  assert.throws(
    () => signer.unsign(signed, 60, t0 + 61_000),
    (e) => hasCode(e, 'PORTICO_ERR_SIGNATURE_EXPIRED'),
  );
  assert.equal(signer.unsign(signed, undefined, t0 + 10 ** 9), 'v');
});

test('base 62 round-trips; an empty secret or an unsafe separator is refused', () => {
  for (const n of [0, 1, 61, 62, 1_767_225_600]) assert.equal(b62Decode(b62Encode(n)), n);
  assert.equal(b62Encode(1_767_225_600), '1vb66i');
  assert.throws(() => new Signer({ key: '' }), /must not be empty/);
  assert.throws(() => new Signer({ key: 'k', sep: 'a' }), /Unsafe Signer separator/);
});

test("signatures match Django's for each key and salt, asked again and interleaved (derived keys are remembered)", () => {
  for (let i = 0; i < 2; i++) {
    assert.equal(
      new Signer({ key: 's1', salt: 'pepper' }).sign('hello'),
      'hello:kZm7DKoyIWW3zZF3BZoCzFlMMQYP5U5pPMJeHWkGriw',
    );
    assert.equal(
      new Signer({ key: 's2', salt: 'pepper' }).sign('hello'),
      'hello:6urmm2CuaAFB3QJQossfpN2gT9k6dTPhJXawbeECnV4',
    );
  }
});
