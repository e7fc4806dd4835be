/**
 * `urlHasAllowedHostAndScheme`: Django's test cases for safe and unsafe `next` URLs, and
 * the in-process login limiter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle, urlHasAllowedHostAndScheme } from '../../../src/contrib/auth/index.ts';

test('unsafe URLs (from Django’s tests)', () => {
  const bad = [
    'http://example.com',
    'http:///example.com',
    'https://example.com',
    'ftp://example.com',
    '\\\\example.com',
    '\\\\\\example.com',
    '/\\\\/example.com',
    '\\\\\\example.com',
    '\\\\example.com',
    '\\\\//example.com',
    '/\\/example.com',
    '\\/example.com',
    '/\\example.com',
    'http:///example.com',
    'http:/\\//example.com',
    'http:\\/example.com',
    'http:/\\example.com',
    'javascript:alert("XSS")',
    '\njavascript:alert(x)',
    '\x08//example.com',
    'http://otherserver\\@example.com',
    'http:\\\\testserver\\@example.com',
    'http://testserver\\me:pass@example.com',
    'http://testserver\\@example.com',
    'http:\\\\testserver\\confirm\\me@example.com',
    'http:999999999',
    'ftp:9999999999',
    '\n',
    'http://[2001:cdba:0000:0000:0000:0000:3257:9652/',
    'http://2001:cdba:0000:0000:0000:0000:3257:9652]/',
    '',
    '   ',
  ];
  for (const url of bad)
    assert.equal(urlHasAllowedHostAndScheme(url, ['testserver']), false, JSON.stringify(url));
  assert.equal(urlHasAllowedHostAndScheme(null, ['testserver']), false);
});

test('safe URLs (from Django’s tests), and requireHttps', () => {
  const good = [
    '/view/?param=http://example.com',
    '/view/?param=https://example.com',
    '/view?param=ftp://example.com',
    'view/?param=//example.com',
    'https://testserver/',
    'HTTPS://testserver/',
    '//testserver/',
    'http://testserver/confirm?email=me@example.com',
    '/url%20with%20spaces/',
    'path/http:2222222222',
  ];
  for (const url of good) assert.equal(urlHasAllowedHostAndScheme(url, ['testserver']), true, url);
  assert.equal(urlHasAllowedHostAndScheme('http://testserver/', 'testserver', true), false);
  assert.equal(urlHasAllowedHostAndScheme('//testserver/', 'testserver', true), false);
  assert.equal(urlHasAllowedHostAndScheme('https://testserver/', 'testserver', true), true);
  assert.equal(urlHasAllowedHostAndScheme('/relative/', null, true), true);
});

test('LoginThrottle: a fixed window per key, bounded memory', () => {
  let now = 0;
  const throttle = new LoginThrottle({ maxKeys: 2, now: () => now });
  for (let i = 0; i < 3; i++) throttle.fail('user:a', 60);
  assert.equal(throttle.retryAfter('user:a', 3), 60);
  assert.equal(throttle.retryAfter('user:a', 4), 0);
  assert.equal(throttle.retryAfter('user:a', 0), 0, '0 attempts: off');
  now = 30_500;
  assert.equal(throttle.retryAfter('user:a', 3), 30);
  now = 60_000;
  assert.equal(throttle.retryAfter('user:a', 3), 0, 'the window passed');
  throttle.fail('k1', 60);
  throttle.fail('k2', 60);
  throttle.fail('k3', 60); // evicts the oldest
  assert.equal(throttle.retryAfter('k1', 1), 0);
  assert.equal(throttle.retryAfter('k3', 1), 60);
  throttle.reset('k3');
  assert.equal(throttle.retryAfter('k3', 1), 0);
});
