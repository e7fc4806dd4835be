import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePath } from '../../src/server/path.ts';

test('paths without escapes come back unchanged', () => {
  assert.equal(decodePath('/a/b c'), '/a/b c');
});

test('escapes decode as UTF-8', () => {
  assert.equal(decodePath('/caf%C3%A9/%E2%82%AC'), '/café/€');
  assert.equal(decodePath('/a%2Fb'), '/a/b');
});

test('bytes that are not UTF-8 stay percent-encoded, valid neighbours decode', () => {
  assert.equal(decodePath('/x%FFy'), '/x%FFy');
  assert.equal(decodePath('/%E2%82%AC%FF%E2%82%AC'), '/€%FF€');
  assert.equal(decodePath('/%C3'), '/%C3');
});

test('malformed escapes stay literal', () => {
  assert.equal(decodePath('/%zz'), '/%zz');
  assert.equal(decodePath('/100%'), '/100%');
  assert.equal(decodePath('/%4'), '/%4');
});

test('raw non-ASCII bytes in the target (read as latin-1) decode as UTF-8', () => {
  assert.equal(decodePath('/\u00c3\u00a0%20k'), '/à k');
  assert.equal(decodePath('/\u00ff'), '/%FF');
});
