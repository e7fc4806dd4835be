import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  getConverter,
  intConverter,
  isSegmentSafe,
  pathConverter,
  registerConverter,
  slugConverter,
  stringConverter,
  uuidConverter,
} from '../../../src/web/urls/converters.ts';
import { ImproperlyConfigured } from '../../../src/web/exceptions.ts';

test('built-in converters: regexes and conversions', () => {
  const full = (regex: string) => new RegExp(`^(?:${regex})$`);
  assert.ok(full(stringConverter.regex).test('a b-c'));
  assert.ok(!full(stringConverter.regex).test('a/b'));
  assert.ok(full(intConverter.regex).test('0042'));
  assert.equal(intConverter.toPython('0042'), 42);
  assert.throws(() => intConverter.toPython('99999999999999999999'), RangeError);
  assert.equal(intConverter.toUrl(7), '7');
  assert.throws(() => intConverter.toUrl(-1));
  assert.throws(() => intConverter.toUrl(1.5));
  assert.ok(full(slugConverter.regex).test('hello-world_2'));
  assert.ok(!full(slugConverter.regex).test('héllo'));
  assert.ok(full(uuidConverter.regex).test('123e4567-e89b-12d3-a456-426614174000'));
  assert.ok(!full(uuidConverter.regex).test('123E4567-E89B-12D3-A456-426614174000'));
  assert.ok(full(pathConverter.regex).test('a/b/c'));
});

test('registerConverter: custom names, no duplicates, checked shape', () => {
  const year = { regex: '[0-9]{4}', toPython: Number, toUrl: (v: number) => String(v).padStart(4, '0') };
  registerConverter(year, 'yyyy');
  assert.equal(getConverter('yyyy'), year);
  assert.throws(() => registerConverter(year, 'yyyy'), ImproperlyConfigured);
  assert.throws(() => registerConverter(year, 'int'), /already registered/);
  assert.throws(() => registerConverter(year, 'not-an-identifier'), ImproperlyConfigured);
  assert.throws(() => registerConverter({ regex: '(' } as never, 'broken'), ImproperlyConfigured);
  assert.throws(() => registerConverter({ regex: 'x' } as never, 'incomplete'), /toPython/);
});

test('isSegmentSafe: only regexes that can never match a slash', () => {
  const c = (regex: string) => ({ regex, toPython: String, toUrl: String });
  assert.ok(isSegmentSafe(intConverter));
  assert.ok(!isSegmentSafe(pathConverter));
  assert.ok(isSegmentSafe(c('[0-9]{4}')));
  assert.ok(isSegmentSafe(c('[a-z]+-[0-9]+')));
  assert.ok(isSegmentSafe(c('[^/.]+')));
  assert.ok(isSegmentSafe(c('\\d+|x')));
  assert.ok(!isSegmentSafe(c('[a-z/]+')));
  assert.ok(!isSegmentSafe(c('[!-~]+')), 'a range spanning the slash');
  assert.ok(!isSegmentSafe(c('.+')));
  assert.ok(!isSegmentSafe(c('[^.]+')));
  assert.ok(!isSegmentSafe(c('(a|b)')));
});
