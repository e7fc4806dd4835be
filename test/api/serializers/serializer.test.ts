import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorDetail, errorCodes, ValidationError } from '../../../src/api/exceptions.ts';
import {
  CharField,
  EmailField,
  IntegerField,
  ListField,
  Serializer,
  SerializerMethodField,
  type ValidatedData,
} from '../../../src/api/serializers/index.ts';

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

class Address extends Serializer.of({ city: CharField(), zip: CharField({ maxLength: 5 }) }) {}

class Person extends Serializer.of({
  name: CharField({ maxLength: 3 }),
  email: EmailField({ required: false }),
  password: CharField({ writeOnly: true }),
  slug: CharField({ readOnly: true }),
  nickname: CharField({ source: 'alias', required: false }),
  addr: Address.asField(),
  tags: ListField({ child: IntegerField() }),
  friends: Address.asField({ many: true, required: false }),
}) {}

test('DRF’s error shape: lists of messages, nested dicts, index keys for lists; codes on every message', async () => {
  const s = new Person({
    data: { name: 'abcd', addr: { zip: '123456' }, tags: [1, 'x'], friends: [{ city: 'a', zip: '1' }, {}] },
  });
  assert.equal(await s.isValid(), false);
  assert.deepEqual(json(s.errors), {
    name: ['Ensure this field has no more than 3 characters.'],
    password: ['This field is required.'],
    addr: { city: ['This field is required.'], zip: ['Ensure this field has no more than 5 characters.'] },
    tags: { 1: ['A valid integer is required.'] },
    friends: { 1: { city: ['This field is required.'], zip: ['This field is required.'] } },
  });
  assert.deepEqual(errorCodes(s.errors as never), {
    name: ['max_length'],
    password: ['required'],
    addr: { city: ['required'], zip: ['max_length'] },
    tags: { 1: ['invalid'] },
    friends: { 1: { city: ['required'], zip: ['required'] } },
  });
  assert.ok((s.errors.name as ErrorDetail[])[0] instanceof ErrorDetail);
});

test('valid data: read-only ignored, source renames, write-only hidden from data', async () => {
  const s = new Person({
    data: {
      name: 'Ann',
      password: 'pw',
      slug: 'ignored',
      nickname: 'A',
      addr: { city: 'X', zip: '1' },
      tags: ['2'],
    },
  });
  assert.equal(await s.isValid(), true, JSON.stringify(s.errors));
  assert.deepEqual(s.errors, {});
  assert.deepEqual(s.validatedData, {
    name: 'Ann',
    password: 'pw',
    alias: 'A',
    addr: { city: 'X', zip: '1' },
    tags: [2],
  });
  const shown = new Person({
    instance: {
      name: 'Ann',
      password: 'pw',
      slug: 'ann',
      alias: 'A',
      addr: { city: 'X', zip: '1' },
      tags: [2],
    },
  });
  assert.deepEqual(shown.data, {
    name: 'Ann',
    email: null,
    slug: 'ann',
    nickname: 'A',
    addr: { city: 'X', zip: '1' },
    tags: [2],
    friends: null,
  });
});

test('order: field conversion, validate<Field>, class validators, then validate(attrs); validate is skipped after a field error', async () => {
  const calls: string[] = [];
  class Ordered extends Serializer.of({ a: IntegerField(), b: IntegerField() }) {
    static override validators = [
      (attrs: Record<string, unknown>) => {
        calls.push('class');
        return attrs.a === 0 ? 'a may not be 0' : undefined;
      },
    ];
    validateA(value: number) {
      calls.push(`validateA(${value})`);
      if (value < 0) throw new ValidationError('Negative.', { code: 'negative' });
      return value * 10;
    }
    override validate(attrs: ValidatedData<typeof Ordered>) {
      calls.push('validate');
      if (attrs.a > attrs.b) throw new ValidationError('a must not exceed b.');
      return { ...attrs, b: attrs.b + 1 };
    }
  }
  const ok = new Ordered({ data: { a: '1', b: 20 } });
  assert.equal(await ok.isValid(), true);
  assert.deepEqual(calls, ['validateA(1)', 'class', 'validate']);
  assert.deepEqual(ok.validatedData, { a: 10, b: 21 });

  calls.length = 0;
  const neg = new Ordered({ data: { a: -1, b: 'x' } });
  assert.equal(await neg.isValid(), false);
  assert.deepEqual(calls, ['validateA(-1)']);
  assert.deepEqual(errorCodes(neg.errors as never), { a: ['negative'], b: ['invalid'] });

  calls.length = 0;
  const cls = new Ordered({ data: { a: 0, b: 1 } });
  assert.equal(await cls.isValid(), false);
  assert.deepEqual(calls, ['validateA(0)', 'class']);
  assert.deepEqual(json(cls.errors), { non_field_errors: ['a may not be 0'] });

  const obj = new Ordered({ data: { a: 5, b: 1 } });
  assert.equal(await obj.isValid(), false);
  assert.deepEqual(json(obj.errors), { non_field_errors: ['a must not exceed b.'] });
  assert.deepEqual(errorCodes(obj.errors as never), { non_field_errors: ['invalid'] });
});

test('validate(attrs) may raise errors keyed by field; async hooks and validate work', async () => {
  class Signup extends Serializer.of({ password: CharField(), confirm: CharField() }) {
    async validatePassword(value: string) {
      await new Promise((r) => setTimeout(r, 1));
      if (value.length < 4) throw new ValidationError('Too short.', { code: 'password_too_short' });
      return value;
    }
    override async validate(attrs: ValidatedData<typeof Signup>) {
      if (attrs.password !== attrs.confirm) throw new ValidationError({ confirm: ['Does not match.'] });
      return attrs;
    }
  }
  const short = new Signup({ data: { password: 'abc', confirm: 'abc' } });
  assert.equal(await short.isValid(), false);
  assert.deepEqual(errorCodes(short.errors as never), { password: ['password_too_short'] });
  const mismatch = new Signup({ data: { password: 'abcd', confirm: 'x' } });
  assert.equal(await mismatch.isValid(), false);
  assert.deepEqual(json(mismatch.errors), { confirm: ['Does not match.'] });
  const good = new Signup({ data: { password: 'abcd', confirm: 'abcd' } });
  assert.equal(await good.isValid(), true);
});

test('isValid({ raiseException }) throws a 400 ValidationError with the tree', async () => {
  const s = new Address({ data: { city: 'x' } });
  await assert.rejects(s.isValid({ raiseException: true }), (error: unknown) => {
    assert.ok(error instanceof ValidationError);
    assert.equal(error.status, 400);
    assert.deepEqual(json(error.detail), { zip: ['This field is required.'] });
    return true;
  });
  // Asked again, the same answer without validating again.
  await assert.rejects(s.isValid({ raiseException: true }), ValidationError);
  assert.equal(await s.isValid(), false);
});

test('not an object, null, and misuse are clear errors', async () => {
  const s = new Address({ data: 'text' });
  assert.equal(await s.isValid(), false);
  assert.deepEqual(json(s.errors), {
    non_field_errors: ['Invalid data. Expected a dictionary, but got str.'],
  });
  const list = new Address({ data: [] });
  assert.equal(await list.isValid(), false);
  assert.deepEqual(json(list.errors), {
    non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
  });
  const none = new Address({ data: null });
  assert.equal(await none.isValid(), false);
  assert.deepEqual(errorCodes(none.errors as never), { non_field_errors: ['null'] });
  const early = new Address({ data: {} });
  assert.throws(() => early.validatedData, /must call `.isValid\(\)` before accessing `.validatedData`/);
  assert.throws(() => early.data, /must call `.isValid\(\)` before reading its `.data`/);
  await assert.rejects(early.save(), /must call `.isValid\(\)` before calling `.save\(\)`/);
  assert.throws(() => new Address().isValid(), /no `data` was passed/);
});

test('partial: missing fields allowed, defaults not applied; otherwise defaults fill in', async () => {
  class WithDefault extends Serializer.of({ a: CharField(), n: IntegerField({ default: 5 }) }) {}
  const full = new WithDefault({ data: { a: 'x' } });
  assert.equal(await full.isValid(), true);
  assert.deepEqual(full.validatedData, { a: 'x', n: 5 });
  const part = new WithDefault({ data: {}, partial: true });
  assert.equal(await part.isValid(), true);
  assert.deepEqual(part.validatedData, {});
  const wrong = new WithDefault({ data: { n: 'x' }, partial: true });
  assert.equal(await wrong.isValid(), false);
  assert.deepEqual(errorCodes(wrong.errors as never), { n: ['invalid'] });
});

test('save(extra): create or update, extra merged; data after save shows the instance', async () => {
  interface Note {
    id: number;
    text: string;
    owner: string;
  }
  const saved: Note[] = [];
  class NoteSerializer extends Serializer.of({
    id: IntegerField({ readOnly: true }),
    text: CharField(),
    owner: CharField({ readOnly: true }),
    length: SerializerMethodField((n: Note) => n.text.length),
  }) {
    override create(data: ValidatedData<typeof NoteSerializer>) {
      const note = { id: saved.length + 1, owner: '', ...data } as Note;
      saved.push(note);
      return note;
    }
    override update(instance: Note, data: ValidatedData<typeof NoteSerializer>) {
      return Object.assign(instance, data);
    }
  }
  const s = new NoteSerializer({ data: { text: 'hello', id: 99 } });
  assert.equal(await s.isValid(), true);
  const note = (await s.save({ owner: 'ann' })) as Note;
  assert.deepEqual(note, { id: 1, owner: 'ann', text: 'hello' });
  assert.deepEqual(s.data, { id: 1, text: 'hello', owner: 'ann', length: 5 });
  await assert.rejects(s.save(), /after accessing `serializer.data`/);

  const u = new NoteSerializer({ instance: note, data: { text: 'bye' } });
  assert.equal(await u.isValid(), true);
  assert.equal(await u.save(), note);
  assert.equal(note.text, 'bye');

  const bad = new NoteSerializer({ data: {} });
  assert.equal(await bad.isValid(), false);
  await assert.rejects(bad.save(), /invalid data/);
  class NoCreate extends Serializer.of({ a: CharField() }) {}
  const n = new NoCreate({ data: { a: 'x' } });
  await n.isValid();
  await assert.rejects(n.save(), /`create\(\)` must be implemented/);
});

test('get<Name> methods compute read-only fields; a missing one is a declaration error', async () => {
  class WithMethod extends Serializer.of({ first: CharField(), full: SerializerMethodField<string>() }) {
    getFull(obj: { first: string }) {
      return `${obj.first} Lovelace`;
    }
  }
  assert.deepEqual(new WithMethod({ instance: { first: 'Ada' } }).data, {
    first: 'Ada',
    full: 'Ada Lovelace',
  });
  const Broken = Serializer.of({ full: SerializerMethodField() });
  assert.throws(() => new Broken({ instance: {} }).data, /no method getFull\(\)/);
});

test('many: a ListSerializer validates each item, errors by index, creates each', async () => {
  class Tag extends Serializer.of({ name: CharField({ maxLength: 4 }) }) {
    override create(data: ValidatedData<typeof Tag>) {
      return { ...data, id: 1 };
    }
  }
  const bad = Tag.many({ data: [{ name: 'ok' }, { name: 'too long' }] });
  assert.equal(await bad.isValid(), false);
  assert.deepEqual(json(bad.errors), { 1: { name: ['Ensure this field has no more than 4 characters.'] } });
  const notList = Tag.many({ data: { name: 'x' } });
  assert.equal(await notList.isValid(), false);
  assert.deepEqual(json(notList.errors), {
    non_field_errors: ['Expected a list of items but got type "dict".'],
  });
  const good = Tag.many({ data: [{ name: 'a' }, { name: 'b' }] });
  assert.equal(await good.isValid(), true);
  assert.deepEqual(await good.save(), [
    { name: 'a', id: 1 },
    { name: 'b', id: 1 },
  ]);
  assert.deepEqual(Tag.many({ instance: [{ name: 'x' }] }).data, [{ name: 'x' }]);
});

test('a serializer instance is cheap: fields are not copied, the plan is compiled once per class', async () => {
  const a = new Address({ data: { city: 'a', zip: '1' } });
  const b = new Address({ data: { city: 'b', zip: '2' } });
  assert.deepEqual(Object.keys(a), Object.keys(b));
  assert.deepEqual(Object.keys(a).sort(), ['context', 'initialData', 'instance', 'partial']);
  assert.equal(await a.isValid(), true);
  assert.equal(await b.isValid(), true);
  // No promise is made for a serializer without async validators: isValid answers a shared, settled one.
  const c = new Address({ data: { city: 'c', zip: '3' } });
  assert.equal(c.isValid(), new Address({ data: { city: 'd', zip: '4' } }).isValid());
});

test('a validate<Name> hook that matches no writable field is a clear error, not a hook that never runs', async () => {
  class Typo extends Serializer.of({ title: CharField(), slug: CharField({ readOnly: true }) }) {
    validateTitel(value: string) {
      return value;
    }
  }
  assert.throws(
    () => new Typo({ data: {} }).isValid(),
    /Typo\.validateTitel\(\) matches no writable field.*title/,
  );
  class ReadOnlyHook extends Serializer.of({ title: CharField(), slug: CharField({ readOnly: true }) }) {
    validateSlug(value: string) {
      return value;
    }
  }
  assert.throws(() => new ReadOnlyHook({ data: {} }).isValid(), /validateSlug\(\) matches no writable field/);
});
