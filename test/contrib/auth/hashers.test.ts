/**
 * Password hashing in Django's formats: a hash made here verifies with Django's formula
 * (Python's hashlib, when python3 is there) and a Django-formula hash verifies here; the
 * upgrade path, unusable passwords, legacy hashers, timing evening, and that hashing
 * never blocks the event loop.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import {
  checkPassword,
  configureAuth,
  getHasher,
  identifyHasher,
  isPasswordUsable,
  makePassword,
  MD5PasswordHasher,
  PBKDF2PasswordHasher,
  ScryptPasswordHasher,
  UnsaltedMD5PasswordHasher,
  verifyPassword,
} from '../../../src/contrib/auth/index.ts';

const python =
  spawnSync('python3', ['-c', 'import hashlib; hashlib.scrypt'], { encoding: 'utf8' }).status === 0;

/** Runs a Python expression with `hashlib` and `base64` imported; its printed value. */
function py(expression: string): string {
  const r = spawnSync('python3', ['-c', `import hashlib, base64, sys\nprint(${expression})`], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

afterEach(() => configureAuth({}));

describe('pbkdf2_sha256 (the default)', () => {
  test('the default: 1,000,000 iterations and a 22-character salt of Django’s alphabet (128 bits)', async () => {
    const encoded = await makePassword('s3cret-pässword');
    const [algorithm, iterations, salt, hash] = encoded.split('$');
    assert.equal(algorithm, 'pbkdf2_sha256');
    assert.equal(iterations, '1000000');
    assert.match(salt!, /^[a-zA-Z0-9]{22}$/);
    assert.equal(Buffer.from(hash!, 'base64').length, 32);
    assert.equal(await checkPassword('s3cret-pässword', encoded), true);
    assert.equal(await checkPassword('s3cret-password', encoded), false);
  });

  test(
    'a hash made here is Django’s: recomputed with Python’s hashlib.pbkdf2_hmac',
    { skip: !python && 'python3 not found' },
    async () => {
      const encoded = await makePassword('correct horse ☃', 'seasalt1234567890abcde');
      const expected = py(
        "base64.b64encode(hashlib.pbkdf2_hmac('sha256', 'correct horse ☃'.encode(), b'seasalt1234567890abcde', 1000000)).decode()",
      );
      assert.equal(encoded, `pbkdf2_sha256$1000000$seasalt1234567890abcde$${expected}`);
    },
  );

  test('a hash made by Django’s formula verifies here (and a fixed vector without python3)', async () => {
    // Django 5.2's make_password('portico', 'fixedsalt'): the vector was computed with Python 3's
    // base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'portico', b'fixedsalt', 1000000)) (2026-12-07).
    const vector = 'pbkdf2_sha256$1000000$fixedsalt$uNEqAsEF3S/n4D052eFETerb+P5KsDOqmhn6XWBPbis=';
    if (python) {
      const hash = py(
        "base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'portico', b'fixedsalt', 1000000)).decode()",
      );
      assert.equal(`pbkdf2_sha256$1000000$fixedsalt$${hash}`, vector);
    }
    assert.equal(await checkPassword('portico', vector), true);
    assert.equal(await checkPassword('Portico', vector), false);
  });

  test('fewer iterations than configured: correct, must update, and the setter stores a new hash', async () => {
    const old = await new PBKDF2PasswordHasher({ iterations: 1000 }).encode('pw', 'abcdefghijklmnopqrstuv');
    configureAuth({ auth: { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 2000 })] } });
    assert.deepEqual(await verifyPassword('pw', old), { isCorrect: true, mustUpdate: true });
    let stored = '';
    assert.equal(
      await checkPassword('pw', old, async (raw) => void (stored = await makePassword(raw))),
      true,
    );
    assert.match(stored, /^pbkdf2_sha256\$2000\$/);
    // A wrong password never reaches the setter.
    let called = false;
    assert.equal(await checkPassword('nope', old, () => void (called = true)), false);
    assert.equal(called, false);
    // The current hash needs no update.
    assert.deepEqual(await verifyPassword('pw', stored), { isCorrect: true, mustUpdate: false });
  });
});

describe('scrypt', () => {
  test('Django’s format and parameters (N=2^14, r=8, p=5, 64 bytes), checked against Python’s hashlib.scrypt', async () => {
    const encoded = await makePassword('pw', 'saltsaltsaltsaltsaltsa', 'scrypt');
    const [algorithm, n, salt, r, p, hash] = encoded.split('$');
    assert.deepEqual([algorithm, n, salt, r, p], ['scrypt', '16384', 'saltsaltsaltsaltsaltsa', '8', '5']);
    assert.equal(Buffer.from(hash!, 'base64').length, 64);
    if (python) {
      const expected = py(
        "base64.b64encode(hashlib.scrypt(b'pw', salt=b'saltsaltsaltsaltsaltsa', n=16384, r=8, p=5, maxmem=0, dklen=64)).decode()",
      );
      assert.equal(hash, expected);
    }
    assert.equal(await checkPassword('pw', encoded), true);
    assert.equal(await checkPassword('pw2', encoded), false);
    // Not the default hasher: a correct check must update to pbkdf2_sha256.
    assert.equal((await verifyPassword('pw', encoded)).mustUpdate, true);
    const weaker = Object.assign(new ScryptPasswordHasher(), { workFactor: 2 ** 10 });
    const small = await weaker.encode('pw', 'saltsaltsaltsaltsaltsa');
    configureAuth({ auth: { passwordHashers: ['scrypt'] } });
    assert.deepEqual(await verifyPassword('pw', small), { isCorrect: true, mustUpdate: true });
  });
});

describe('legacy hashers, for upgrading old databases', () => {
  test('salted md5, unsalted md5 (bare and md5$$): verified when configured, refused when not', async () => {
    const salted = await new MD5PasswordHasher().encode('pw', 'seasalt');
    const bare = await new UnsaltedMD5PasswordHasher().encode('pw', '');
    assert.equal(bare, py2md5('pw'));
    assert.equal(salted, `md5$seasalt$${py2md5('seasaltpw')}`);
    // Not in the default list: refused, even though the password is right.
    assert.equal(await checkPassword('pw', salted), false);
    configureAuth({
      auth: { passwordHashers: [new PBKDF2PasswordHasher({ iterations: 1000 }), 'md5', 'unsalted_md5'] },
    });
    for (const encoded of [salted, bare, `md5$$${bare}`]) {
      let upgraded = '';
      assert.equal(
        await checkPassword('pw', encoded, async (raw) => void (upgraded = await makePassword(raw))),
        true,
        encoded,
      );
      assert.match(upgraded, /^pbkdf2_sha256\$1000\$/);
      assert.equal(await checkPassword('wrong', encoded), false);
    }
    assert.equal(identifyHasher(bare).algorithm, 'unsalted_md5');
    assert.equal(identifyHasher(`md5$$${bare}`).algorithm, 'unsalted_md5');
  });

  test('pbkdf2_sha1 (in the default list) verifies and upgrades', async () => {
    const sha1 = await getHasher('pbkdf2_sha1');
    const encoded = await (sha1 as PBKDF2PasswordHasher).encode('pw', 'abcdefghijklmnopqrstuv', 1000);
    if (python) {
      const h = py(
        "base64.b64encode(hashlib.pbkdf2_hmac('sha1', b'pw', b'abcdefghijklmnopqrstuv', 1000)).decode()",
      );
      assert.equal(encoded, `pbkdf2_sha1$1000$abcdefghijklmnopqrstuv$${h}`);
    }
    assert.deepEqual(await verifyPassword('pw', encoded), { isCorrect: true, mustUpdate: true });
  });
});

/** MD5 hex of `text`, by Python when there (an independent implementation), else by Node. */
function py2md5(text: string): string {
  if (python) return py(`hashlib.md5(${JSON.stringify(text)}.encode()).hexdigest()`);
  return createHash('md5').update(text).digest('hex');
}

describe('unusable and malformed passwords', () => {
  test('makePassword(null) is unusable and never matches; null encoded counts as usable but never matches', async () => {
    const unusable = await makePassword(null);
    assert.match(unusable, /^![a-zA-Z0-9]{40}$/);
    assert.equal(isPasswordUsable(unusable), false);
    assert.equal(isPasswordUsable(null), true);
    assert.equal(await checkPassword('', unusable), false);
    assert.equal(await checkPassword(unusable, unusable), false);
    assert.equal(await checkPassword('x', null), false);
    assert.equal(
      await checkPassword(null, await makePassword('x', 'a', new PBKDF2PasswordHasher({ iterations: 1 }))),
      false,
    );
  });

  test('gibberish, unknown algorithms and malformed hashes are false, never an exception', async () => {
    for (const encoded of [
      '',
      'plain',
      'argon2$argon2id$v=19$m=102400,t=2,p=8$abc$def',
      'pbkdf2_sha256$notanumber$salt$hash',
      'scrypt$x',
    ]) {
      assert.equal(await checkPassword('pw', encoded), false, encoded);
    }
    await assert.rejects(makePassword('pw', 'bad$salt'), /salt/);
    await assert.rejects(makePassword(42 as unknown as string), /string or null/);
  });
});

describe('timing', () => {
  test('hashing runs off the event loop: timers keep firing during a 1,000,000-iteration hash', async () => {
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    await makePassword('pw');
    const took = performance.now() - started;
    clearInterval(timer);
    assert.ok(took > 100, `a default hash took ${took.toFixed(0)} ms`);
    assert.ok(
      maxGap < took / 2,
      `the event loop stalled for ${maxGap.toFixed(0)} ms of ${took.toFixed(0)} ms`,
    );
  });

  test('hardenRuntime: a wrong password for a weaker hash costs the configured work, not the stored one', async () => {
    const strong = new PBKDF2PasswordHasher({ iterations: 400_000 });
    configureAuth({ auth: { passwordHashers: [strong] } });
    const weak = await new PBKDF2PasswordHasher({ iterations: 1000 }).encode('pw', 'abcdefghijklmnopqrstuv');
    const current = await strong.encode('pw', 'abcdefghijklmnopqrstuv');
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const full = await time(() => checkPassword('wrong', current));
    const hardened = await time(() => checkPassword('wrong', weak));
    const unusable = await time(() => checkPassword('wrong', '!unusable'));
    assert.ok(hardened > full * 0.4, `weak hash: ${hardened.toFixed(0)} ms vs ${full.toFixed(0)} ms`);
    assert.ok(unusable > full * 0.4, `unusable: ${unusable.toFixed(0)} ms vs ${full.toFixed(0)} ms`);
  });
});
