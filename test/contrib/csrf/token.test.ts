/** Secrets and masked tokens: Django's algorithm, checked against vectors from Django's own tests. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkTokenFormat,
  CSRF_ALLOWED_CHARS,
  doesTokenMatch,
  InvalidTokenFormat,
  maskCipherSecret,
  randomString,
  unmaskCipherToken,
} from '../../../src/contrib/csrf/token.ts';

const TEST_SECRET = 'lcccccccX2kcccccccY2jcccccccssIC';
const MASKED_TEST_SECRET1 = '1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD';
const MASKED_TEST_SECRET2 = '2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf';

test('unmasking gives Django’s answers', () => {
  const cases: [string, string][] = [
    [TEST_SECRET, MASKED_TEST_SECRET1],
    [TEST_SECRET, MASKED_TEST_SECRET2],
    ['a'.repeat(32), 'vFioG3XOLyGyGsPRFyB9iYUs341ufzIEvFioG3XOLyGyGsPRFyB9iYUs341ufzIE'],
    ['a'.repeat(32), 'a'.repeat(64)],
    ['a'.repeat(32), 'b'.repeat(64)],
    ['b'.repeat(32), 'a'.repeat(32) + 'b'.repeat(32)],
    ['b'.repeat(32), 'b'.repeat(32) + 'c'.repeat(32)],
    ['c'.repeat(32), 'a'.repeat(32) + 'c'.repeat(32)],
  ];
  for (const [secret, masked] of cases) assert.equal(unmaskCipherToken(masked), secret, masked);
});

test('masking: 64 characters of the alphabet, a fresh mask each time, round-trips', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const token = maskCipherSecret(TEST_SECRET);
    assert.match(token, /^[a-zA-Z0-9]{64}$/);
    assert.equal(unmaskCipherToken(token), TEST_SECRET);
    seen.add(token);
  }
  assert.equal(seen.size, 50);
});

test('random strings use the whole alphabet, evenly enough', () => {
  const counts = new Map<string, number>();
  for (const char of randomString(62_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
  assert.equal(counts.size, CSRF_ALLOWED_CHARS.length);
  // 1000 expected per character; a modulo bias would put the first eight near 1250.
  for (const [char, n] of counts) assert.ok(n > 850 && n < 1150, `${char}: ${n}`);
});

test('token format: 32 or 64 characters of the alphabet', () => {
  checkTokenFormat('a'.repeat(32));
  checkTokenFormat('a'.repeat(64));
  assert.throws(
    () => checkTokenFormat('a'.repeat(63)),
    (e: InvalidTokenFormat) => e.reason === 'has incorrect length',
  );
  assert.throws(
    () => checkTokenFormat('-'.repeat(64)),
    (e: InvalidTokenFormat) => e.reason === 'has invalid characters',
  );
});

test('a token matches its secret only', () => {
  assert.ok(doesTokenMatch(MASKED_TEST_SECRET1, TEST_SECRET));
  assert.ok(doesTokenMatch(TEST_SECRET, TEST_SECRET), 'the bare secret');
  assert.equal(doesTokenMatch(MASKED_TEST_SECRET1, 'a'.repeat(32)), false);
});
