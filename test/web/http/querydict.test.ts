import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryDict, TooManyFieldsSent } from '../../../src/web/index.ts';
import { hasCode } from '../../../src/tsgi/errors.ts';

test('repeated keys: get gives the last value, getList all of them', () => {
  const q = new QueryDict('a=1&b=2&a=3&empty=&flag');
  assert.equal(q.get('a'), '3');
  assert.deepEqual(q.getList('a'), ['1', '3']);
  assert.equal(q.get('empty'), '');
  assert.equal(q.get('flag'), '');
  assert.equal(q.get('missing'), undefined);
  assert.equal(q.get('missing', 'fallback'), 'fallback');
  assert.deepEqual(q.getList('missing'), []);
  assert.equal(q.size, 4);
  assert.deepEqual(
    [...q],
    [
      ['a', '3'],
      ['b', '2'],
      ['empty', ''],
      ['flag', ''],
    ],
  );
});

test('decoding: + is a space, percent-escapes are UTF-8, invalid UTF-8 falls back to latin-1; ; does not separate', () => {
  const q = new QueryDict('name=Ann+Lee&city=K%C3%B6ln&old=%E9t%E9&semi=a;b=c&bad=%zz');
  assert.equal(q.get('name'), 'Ann Lee');
  assert.equal(q.get('city'), 'Köln');
  assert.equal(q.get('old'), 'été');
  assert.equal(q.get('semi'), 'a;b=c');
  assert.equal(q.get('bad'), '%zz');
});

test('more fields than the limit is a TooManyFieldsSent', () => {
  assert.throws(() => new QueryDict('a=1&b=2&c=3', 2), TooManyFieldsSent);
  assert.equal(new QueryDict('a=1&b=2', 2).size, 2);
});

test('urlencode round-trips', () => {
  const q = new QueryDict('a=1&a=2&b=x+y%26z');
  assert.equal(q.urlencode(), 'a=1&a=2&b=x%20y%26z');
  assert.deepEqual([...new QueryDict(q.urlencode()).lists()], [...q.lists()]);
});

test('QueryDicts are read-only unless built mutable or copied; copy() is deep', () => {
  const q = new QueryDict('a=1&a=2');
  assert.equal(q.mutable, false);
  assert.throws(
    () => q.set('a', 'x'),
    (e) => hasCode(e, 'PORTICO_ERR_IMMUTABLE_QUERYDICT'),
  );
  assert.throws(() => q.append('b', 'x'), /immutable/);
  assert.throws(() => q.delete('a'), /immutable/);
  const copy = q.copy();
  copy.append('a', '3');
  copy.set('b', 'x');
  copy.setList('c', ['1', '2']);
  assert.deepEqual(copy.getList('a'), ['1', '2', '3']);
  assert.deepEqual(q.getList('a'), ['1', '2'], 'the original is unchanged');
  assert.equal(copy.urlencode(), 'a=1&a=2&a=3&b=x&c=1&c=2');
  assert.ok(copy.delete('b'));
  assert.deepEqual(copy.dict(), { a: '3', c: '2' });
  const built = new QueryDict('', { mutable: true });
  built.append('x', '1');
  assert.equal(built.get('x'), '1');
  assert.deepEqual(QueryDict.fromEntries([['k', 'v']]).dict(), { k: 'v' });
});

test('another encoding decodes the percent-escapes with it', () => {
  assert.equal(new QueryDict('city=K%F6ln', { encoding: 'latin1' }).get('city'), 'Köln');
  assert.equal(new QueryDict('x=%82%A0', { encoding: 'shift_jis' }).get('x'), 'あ');
});
