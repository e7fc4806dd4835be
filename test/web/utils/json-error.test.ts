import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locateJsonError } from '../../../src/web/utils/json-error.ts';

test('valid JSON has no error location', () => {
  for (const text of ['{}', '[1, 2.5e3, "a\\u00e9"]', ' null ', '{"a":{"b":[true,false]}}']) {
    assert.equal(locateJsonError(text), null, text);
  }
});

test('the offset, line and column of the first bad character', () => {
  assert.deepEqual(locateJsonError('{"a":}'), {
    position: 5,
    line: 1,
    column: 6,
    reason: 'unexpected character "}"',
  });
  const multi = locateJsonError('{\n  "a": tru\n}');
  assert.equal(multi?.line, 2);
  assert.equal(multi?.column, 8);
  assert.equal(locateJsonError('{"a":1,}')?.reason, 'expected a double-quoted property name');
  assert.equal(locateJsonError('[1,2')?.reason, 'unexpected end of input');
  assert.equal(locateJsonError('{"a":1} x')?.position, 8);
  assert.equal(locateJsonError('')?.position, 0);
  assert.equal(locateJsonError('"a\nb"')?.reason, 'control character in a string');
});
