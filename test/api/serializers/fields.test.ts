/**
 * Each field's conversion, with DRF's codes and English messages: one serializer per
 * field, so the error tree is the field's alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorCodes } from '../../../src/api/exceptions.ts';
import {
  type AnyField,
  BooleanField,
  CharField,
  ChoiceField,
  DateField,
  DateTimeField,
  DecimalField,
  DictField,
  EmailField,
  FloatField,
  IntegerField,
  JSONField,
  ListField,
  Serializer,
  SlugField,
  URLField,
  UUIDField,
} from '../../../src/api/serializers/index.ts';

/** Validates `{ f: value }` with one field: `{ ok, value }` or `{ ok: false, message, code }`. */
async function check(field: AnyField, value: unknown) {
  const S = Serializer.of({ f: field });
  const s = new S({ data: value === undefined ? {} : { f: value } });
  if (await s.isValid()) return { ok: true as const, value: (s.validatedData as Record<string, unknown>).f };
  const tree = s.errors.f as unknown;
  return {
    ok: false as const,
    message: JSON.parse(JSON.stringify(tree)) as unknown,
    code: errorCodes(tree as never),
  };
}

async function fails(field: AnyField, value: unknown, code: string, message: string) {
  const r = await check(field, value);
  assert.equal(r.ok, false, `${JSON.stringify(value)} should fail`);
  assert.deepEqual(r, { ok: false, message: [message], code: [code] });
}
async function passes(field: AnyField, value: unknown, expected: unknown) {
  const r = await check(field, value);
  assert.deepEqual(r, { ok: true, value: expected }, JSON.stringify(r));
}

test('CharField: trims, blank, lengths, type', async () => {
  const f = CharField({ maxLength: 3, minLength: 2 });
  await passes(f, '  ab ', 'ab');
  await passes(f, 12, '12');
  await fails(f, 'abcd', 'max_length', 'Ensure this field has no more than 3 characters.');
  await fails(f, 'a', 'min_length', 'Ensure this field has at least 2 characters.');
  await fails(f, '   ', 'blank', 'This field may not be blank.');
  await fails(f, ['x'], 'invalid', 'Not a valid string.');
  await fails(f, true, 'invalid', 'Not a valid string.');
  await fails(f, null, 'null', 'This field may not be null.');
  await fails(f, undefined, 'required', 'This field is required.');
  await passes(CharField({ allowBlank: true }), '', '');
  await passes(CharField({ trimWhitespace: false }), ' a ', ' a ');
  await passes(CharField({ allowNull: true }), null, null);
});

test('EmailField, SlugField, URLField, UUIDField', async () => {
  await passes(EmailField(), 'ada@example.com', 'ada@example.com');
  await fails(EmailField(), 'ada@', 'invalid', 'Enter a valid email address.');
  await passes(SlugField(), 'a-b_c1', 'a-b_c1');
  await fails(
    SlugField(),
    'a b',
    'invalid',
    'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
  );
  await passes(URLField(), 'https://example.com/x?y', 'https://example.com/x?y');
  await fails(URLField(), 'javascript:alert(1)', 'invalid', 'Enter a valid URL.');
  await fails(URLField(), 'nope', 'invalid', 'Enter a valid URL.');
  await passes(UUIDField(), '6F9619FF8B86D011B42D00C04FC964FF', '6f9619ff-8b86-d011-b42d-00c04fc964ff');
  await fails(UUIDField(), 'zz', 'invalid', 'Must be a valid UUID.');
});

test('IntegerField and FloatField: strings, bounds, non-numbers', async () => {
  const f = IntegerField({ minValue: 0, maxValue: 10 });
  await passes(f, 7, 7);
  await passes(f, ' 7 ', 7);
  await passes(f, '7.0', 7);
  await fails(f, 7.5, 'invalid', 'A valid integer is required.');
  await fails(f, 'seven', 'invalid', 'A valid integer is required.');
  await fails(f, true, 'invalid', 'A valid integer is required.');
  await fails(f, 11, 'max_value', 'Ensure this value is less than or equal to 10.');
  await fails(f, -1, 'min_value', 'Ensure this value is greater than or equal to 0.');
  await fails(f, '1'.repeat(1001), 'max_string_length', 'String value too large.');
  const g = FloatField({ maxValue: 1 });
  await passes(g, '0.5', 0.5);
  await passes(g, 1e-3, 0.001);
  await fails(g, 'x', 'invalid', 'A valid number is required.');
  await fails(g, 2, 'max_value', 'Ensure this value is less than or equal to 1.');
});

test('DecimalField: a string quantized to its places, DRF’s digit rules in order', async () => {
  const f = DecimalField({ maxDigits: 5, decimalPlaces: 2 });
  await passes(f, '12.5', '12.50');
  await passes(f, 3, '3.00');
  await passes(f, '-0.10', '-0.10');
  await fails(
    f,
    '1234.5',
    'max_whole_digits',
    'Ensure that there are no more than 3 digits before the decimal point.',
  );
  await fails(f, '1.234', 'max_decimal_places', 'Ensure that there are no more than 2 decimal places.');
  await fails(f, '123456', 'max_digits', 'Ensure that there are no more than 5 digits in total.');
  await fails(f, '1e5', 'invalid', 'A valid number is required.');
  await fails(f, 'NaN', 'invalid', 'A valid number is required.');
});

test('BooleanField: DRF’s spellings; ChoiceField', async () => {
  await passes(BooleanField(), 'on', true);
  await passes(BooleanField(), 0, false);
  await passes(BooleanField(), 'False', false);
  await fails(BooleanField(), 'maybe', 'invalid', 'Must be a valid boolean.');
  const c = ChoiceField({ choices: [['draft', 'Draft'], 'live', 3] });
  await passes(c, 'live', 'live');
  await passes(c, '3', 3);
  await fails(c, 'gone', 'invalid_choice', '"gone" is not a valid choice.');
});

test('DateField and DateTimeField', async () => {
  await passes(DateField(), '2024-02-29', '2024-02-29');
  await fails(
    DateField(),
    '2023-02-29',
    'invalid',
    'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
  );
  await fails(
    DateField(),
    '2023-1-2',
    'invalid',
    'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
  );
  await passes(DateTimeField(), '2026-12-07T10:00:00+01:00', new Date('2026-12-07T09:00:00Z'));
  await passes(DateTimeField(), '2026-12-07T10:00', new Date('2026-12-07T10:00:00Z'));
  await fails(DateTimeField(), '2026-12-07', 'date', 'Expected a datetime but got a date.');
  await fails(
    DateTimeField(),
    'yesterday',
    'invalid',
    'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  );
  const S = Serializer.of({ at: DateTimeField(), on: DateField() });
  const s = new S({ instance: { at: new Date('2026-01-02T03:04:05.678Z'), on: '2026-01-02' } });
  assert.deepEqual(s.data, { at: '2026-01-02T03:04:05.678Z', on: '2026-01-02' });
});

test('ListField: items keyed by index, lengths, not a list; DictField; JSONField', async () => {
  const f = ListField({ child: IntegerField(), minLength: 1, maxLength: 2 });
  await passes(f, ['1', 2], [1, 2]);
  assert.deepEqual(await check(f, [1, 'x', null]), {
    ok: false,
    message: { 1: ['A valid integer is required.'], 2: ['This field may not be null.'] },
    code: { 1: ['invalid'], 2: ['null'] },
  });
  await fails(f, [], 'min_length', 'Ensure this field has at least 1 elements.');
  await fails(f, [1, 2, 3], 'max_length', 'Ensure this field has no more than 2 elements.');
  await fails(f, 'abc', 'not_a_list', 'Expected a list of items but got type "str".');
  await fails(
    ListField({ child: CharField(), allowEmpty: false }),
    [],
    'empty',
    'This list may not be empty.',
  );
  // A dict comes out with no prototype: a `__proto__` key is data, never a prototype.
  await passes(
    DictField({ child: IntegerField() }),
    { a: '1' },
    Object.assign(Object.create(null), { a: 1 }),
  );
  await fails(DictField(), [1], 'not_a_dict', 'Expected a dictionary of items but got type "list".');
  await passes(JSONField(), { a: [1, 'b', null] }, { a: [1, 'b', null] });
});

test('options: default (value or function), required false, allowNull, error message overrides', async () => {
  let n = 0;
  await passes(IntegerField({ default: () => ++n }), undefined, 1);
  await passes(IntegerField({ default: () => ++n }), undefined, 2);
  await passes(CharField({ default: 'x' }), undefined, 'x');
  const optional = await check(CharField({ required: false }), undefined);
  assert.deepEqual(optional, { ok: true, value: undefined });
  await fails(
    CharField({
      maxLength: 2,
      errorMessages: { max_length: 'At most {max_length}, please.', required: 'Name it.' },
    }),
    'abc',
    'max_length',
    'At most 2, please.',
  );
  await fails(CharField({ errorMessages: { required: 'Name it.' } }), undefined, 'required', 'Name it.');
  assert.throws(() => CharField({ readOnly: true, writeOnly: true }), /both readOnly and writeOnly/);
  assert.throws(() => CharField({ required: true, default: 'x' }), /required and have a default/);
});

test('field validators: every message collected, strings and thrown ValidationErrors, async ones', async () => {
  const { ValidationError } = await import('../../../src/api/exceptions.ts');
  const f = CharField({
    validators: [
      (v) => (v.includes('x') ? 'No x.' : undefined),
      (v) => {
        if (v.length < 3) throw new ValidationError('Too short.', { code: 'short' });
      },
      async (v) => (v === 'xy' ? 'Not xy.' : undefined),
    ],
  });
  const r = await check(f, 'xy');
  assert.deepEqual(r, {
    ok: false,
    message: ['No x.', 'Too short.', 'Not xy.'],
    code: ['invalid', 'short', 'invalid'],
  });
  await passes(f, 'abc', 'abc');
});
