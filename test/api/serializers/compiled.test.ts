import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '../../../src/api/exceptions.ts';
import { CharField, Field, IntegerField, type Run, Serializer } from '../../../src/api/serializers/index.ts';
import { trimKeeps } from '../../../src/api/serializers/fields.ts';

const cases = path.join(import.meta.dirname, 'fixtures', 'compiled-cases.ts');

function run(flags: string[]): string {
  const r = spawnSync(process.execPath, [...flags, cases], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('compiled validation answers exactly as the plain loop, on every edge of every inline check', () => {
  const compiled = run([]);
  const plain = run(['--disallow-code-generation-from-strings']);
  assert.ok(compiled.length > 10_000, 'the cases ran');
  assert.equal(compiled, plain);
});

test('trimKeeps agrees with String.prototype.trim on every UTF-16 code unit at either end', () => {
  for (let c = 0; c < 0x10000; c++) {
    const ch = String.fromCharCode(c);
    for (const s of [ch, `${ch}x`, `x${ch}`, `x${ch}x`])
      assert.equal(trimKeeps(s), s.trim() === s, `U+${c.toString(16)}`);
  }
});

/** A field whose own inline check accepts even numbers; counts the calls of its full path. */
class EvenType extends Field<number> {
  calls = 0;
  override inlineCheck(v: string) {
    return { test: `typeof ${v} === 'number' && ${v} % 2 === 0` };
  }
  toInternal(data: unknown, run: Run): unknown {
    this.calls++;
    return typeof data === 'number' ? data : this.fail(run, 'invalid');
  }
}
/** A subclass that changes the conversion and does not define the check: its methods must run. */
class DoubledType extends EvenType {
  override toInternal(data: unknown, run: Run): unknown {
    this.calls++;
    return typeof data === 'number' ? data * 2 : this.fail(run, 'invalid');
  }
}

test('a field’s inline check replaces its full path for the values it accepts, only when its own class defines it', () => {
  const even = new EvenType();
  const doubled = new DoubledType();
  class S extends Serializer.of({ even, doubled }) {}
  const s = new S({ data: { even: 4, doubled: 4 } });
  assert.equal(s.isValidSync(), true);
  assert.deepEqual(s.validatedData, { even: 4, doubled: 8 });
  assert.equal(even.calls, 0, 'the accepted value did not take the full path');
  assert.equal(doubled.calls, 1, 'the subclass without a check of its own did');
  const odd = new S({ data: { even: 3, doubled: 1 } });
  assert.equal(odd.isValidSync(), true);
  assert.equal(even.calls, 1, 'a value the check refuses takes the full path');
});

class Person extends Serializer.of({
  name: CharField({ maxLength: 5 }),
  age: IntegerField({ minValue: 0 }),
}) {}

test('isValidSync: DRF’s is_valid, with no promise', () => {
  const ok = new Person({ data: { name: 'Ada', age: 36 } });
  assert.equal(ok.isValidSync(), true);
  assert.deepEqual(ok.validatedData, { name: 'Ada', age: 36 });
  assert.equal(ok.isValidSync({ raiseException: true }), true, 'later calls give the same answer');

  const bad = new Person({ data: { name: 'Adalovelace', age: -1 } });
  assert.equal(bad.isValidSync(), false);
  assert.deepEqual(Object.keys(bad.errors), ['name', 'age']);
  assert.throws(
    () => bad.isValidSync({ raiseException: true }),
    (e: unknown) => e instanceof ValidationError && e.status === 400,
  );
  const raising = new Person({ data: { name: 'x' } });
  assert.throws(() => raising.isValidSync({ raiseException: true }), ValidationError);
  assert.throws(() => new Person().isValidSync(), /no `data` was passed/);
});

test('isValidSync refuses a serializer whose validation answered asynchronously, and leaves it unvalidated', async () => {
  // As a UniqueValidator does: a database lookup, so a promise.
  const taken = async (value: string) => (value === 'taken' ? 'This name is taken.' : undefined);
  class Account extends Serializer.of({ name: CharField({ validators: [taken] }) }) {}
  const s = new Account({ data: { name: 'taken' } });
  assert.throws(
    () => s.isValidSync(),
    (e: unknown) =>
      (e as { code?: string }).code === 'PORTICO_ERR_API_SERIALIZER' &&
      /await serializer\.isValid\(\)/.test(String(e)),
  );
  assert.throws(() => s.errors, /call `\.isValid\(\)`/);
  assert.equal(await s.isValid(), false, 'isValid still validates it');
  assert.deepEqual(Object.keys(s.errors), ['name']);

  class Hooked extends Serializer.of({ name: CharField() }) {
    async validateName(value: string) {
      throw new Error(`the store is down (${value})`);
    }
  }
  // The dropped validation fails later: that must not be an unhandled rejection.
  assert.throws(() => new Hooked({ data: { name: 'a' } }).isValidSync(), /asynchronously/);
  await new Promise((r) => setTimeout(r, 10));
});

test('ListSerializer.isValidSync: each item, errors keyed by index, no promise', async () => {
  const ok = Person.many({
    data: [
      { name: 'Ada', age: 36 },
      { name: 'Alan', age: 41 },
    ],
  });
  assert.equal(ok.isValidSync(), true);
  assert.deepEqual(ok.validatedData, [
    { name: 'Ada', age: 36 },
    { name: 'Alan', age: 41 },
  ]);
  const bad = Person.many({ data: [{ name: 'Ada', age: 36 }, { name: 'Alan' }] });
  assert.equal(bad.isValidSync(), false);
  assert.deepEqual(Object.keys(bad.errors), ['1']);
  assert.throws(() => bad.isValidSync({ raiseException: true }), ValidationError);
  class Slow extends Serializer.of({ name: CharField() }) {
    async validateName(value: string) {
      return value;
    }
  }
  assert.throws(() => Slow.many({ data: [{ name: 'a' }] }).isValidSync(), /asynchronously/);
  assert.equal(await Slow.many({ data: [{ name: 'a' }] }).isValid(), true);
});
