import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  contentRange,
  ifRangeMatches,
  MAX_RANGES,
  parseRange,
  requestedRange,
} from '../../src/tsgi/range.ts';

test('one range: first-last, open-ended, suffix, clipped to the size', () => {
  assert.deepEqual(parseRange('bytes=0-4', 20), { start: 0, end: 4 });
  assert.deepEqual(parseRange('bytes=15-', 20), { start: 15, end: 19 });
  assert.deepEqual(parseRange('bytes=-5', 20), { start: 15, end: 19 });
  assert.deepEqual(parseRange('bytes=10-99', 20), { start: 10, end: 19 });
  assert.deepEqual(parseRange('bytes=-50', 20), { start: 0, end: 19 });
  assert.deepEqual(parseRange('bytes=19-19', 20), { start: 19, end: 19 });
});

// The two copies this replaces disagreed here: the static files' was case-sensitive and
// allowed no whitespace at all, FileResponse's was case-insensitive and allowed spaces
// inside the range too.
test('the unit is case-insensitive (RFC 9110 §14.1); whitespace only around list commas', () => {
  assert.deepEqual(parseRange('Bytes=0-4', 20), { start: 0, end: 4 });
  assert.deepEqual(parseRange('BYTES=0-4', 20), { start: 0, end: 4 });
  assert.deepEqual(parseRange('bytes=0-4 ,', 20), { start: 0, end: 4 }, 'an empty list element is ignored');
  assert.deepEqual(parseRange('bytes=, 0-4', 20), { start: 0, end: 4 });
  assert.equal(parseRange('bytes= 0 - 4', 20), null, 'no whitespace inside an int-range');
  assert.equal(parseRange('bytes =0-4', 20), null, 'nor before "="');
  assert.equal(parseRange('bytes=', 20), null);
  assert.equal(parseRange('bytes=-', 20), null);
  assert.equal(parseRange('bytes=a-b', 20), null);
  assert.equal(parseRange('items=0-1', 20), null, 'an unknown unit is ignored');
});

test('none satisfiable: 416; an invalid range set: ignored', () => {
  assert.equal(parseRange('bytes=20-', 20), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 20), 'unsatisfiable', 'a zero suffix is never satisfiable');
  assert.equal(parseRange('bytes=30-40, 25-', 20), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable', 'no first position is below a length of 0');
  assert.equal(parseRange('bytes=5-2', 20), null, 'last below first makes the whole header invalid');
  assert.equal(parseRange('bytes=0-1,5-2', 20), null);
  assert.equal(parseRange(`bytes=${'9'.repeat(400)}-`, 20), 'unsatisfiable');
  assert.deepEqual(parseRange(`bytes=0-${'9'.repeat(400)}`, 20), { start: 0, end: 19 });
});

test('an empty representation: a non-zero suffix is satisfiable yet has no byte, so it is ignored', () => {
  assert.equal(parseRange('bytes=-5', 0), null);
});

test('several ranges: coalesced when they overlap or touch, ignored when a gap would need multipart', () => {
  assert.deepEqual(parseRange('bytes=0-1,2-4', 20), { start: 0, end: 4 });
  assert.deepEqual(parseRange('bytes=5-9, 0-6', 20), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=-3, 15-', 20), { start: 15, end: 19 });
  assert.deepEqual(
    parseRange('bytes=30-40, 0-4', 20),
    { start: 0, end: 4 },
    'the unsatisfiable one is dropped',
  );
  assert.equal(parseRange('bytes=0-1,4-5', 20), null);
  const many = Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i}-${i}`).join(',');
  assert.equal(parseRange(`bytes=${many}`, 1000), null, 'too many ranges: ignored');
});

test('If-Range: a strong tag or the exact date lets the range through; a weak tag never does', () => {
  const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
  assert.equal(ifRangeMatches(undefined, '"a"', date), true);
  assert.equal(ifRangeMatches('"a"', '"a"', date), true);
  assert.equal(ifRangeMatches('"b"', '"a"', date), false);
  assert.equal(ifRangeMatches('W/"a"', 'W/"a"', date), false, 'strong comparison (RFC 9110 §13.1.5)');
  assert.equal(ifRangeMatches('"a"', undefined, date), false);
  assert.equal(ifRangeMatches(date, '"a"', date), true);
  assert.equal(
    ifRangeMatches('Wednesday, 21-Oct-15 07:28:00 GMT', '"a"', date),
    true,
    'the same date, obsolete form',
  );
  assert.equal(ifRangeMatches('Wed, 21 Oct 2015 07:28:01 GMT', '"a"', date), false);
  assert.equal(ifRangeMatches(date, '"a"', undefined), false);
});

test('requestedRange: GET only, then If-Range, then the header', () => {
  const target = { size: 20, etag: '"a"' };
  assert.deepEqual(requestedRange({ method: 'GET', range: 'bytes=0-4', ifRange: undefined }, target), {
    start: 0,
    end: 4,
  });
  assert.equal(requestedRange({ method: 'HEAD', range: 'bytes=0-4', ifRange: undefined }, target), null);
  assert.equal(requestedRange({ method: 'GET', range: undefined, ifRange: undefined }, target), null);
  assert.equal(requestedRange({ method: 'GET', range: 'bytes=0-4', ifRange: '"old"' }, target), null);
  assert.equal(contentRange({ start: 0, end: 4 }, 20), 'bytes 0-4/20');
  assert.equal(contentRange('unsatisfiable', 20), 'bytes */20');
});
