/**
 * The scalar fields (DRF's `fields.py`), with DRF's codes and English messages. Each is
 * declared with a function (`CharField({ maxLength: 100 })`) whose options decide its
 * type: `allowNull` adds `| null`, `readOnly`/`writeOnly` and `required`/`default` decide
 * where the field appears in the validated data and in `data`.
 *
 * @module
 */
import {
  Field,
  type FieldOptions,
  type FlagsOf,
  type InlineCheck,
  type InlineRef,
  type Nullable,
  type Run,
} from './field.ts';

// What `String.prototype.trim` removes: ECMAScript's WhiteSpace and LineTerminator.
const SPACES = new Set([
  9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232,
  8233, 8239, 8287, 12288, 65279,
]);

/** Whether `trim()` leaves the non-empty `s` as it is (its first and last characters are not white space). */
export function trimKeeps(s: string): boolean {
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  return (a > 32 && a < 127 ? true : !SPACES.has(a)) && (b > 32 && b < 127 ? true : !SPACES.has(b));
}

// ------------------------------------------------------------------ text

/** Options of {@link CharField}. */
export interface CharOptions extends FieldOptions<string> {
  readonly maxLength?: number;
  readonly minLength?: number;
  /** `''` is accepted (default false). */
  readonly allowBlank?: boolean;
  /** Leading and trailing whitespace is removed (default true). */
  readonly trimWhitespace?: boolean;
}

/** A string. */
export class CharFieldType extends Field<string> {
  static override readonly metadataType: string = 'string';
  static override readonly messages: Readonly<Record<string, string>> = {
    invalid: 'Not a valid string.',
    blank: 'This field may not be blank.',
    max_length: 'Ensure this field has no more than {max_length} characters.',
    min_length: 'Ensure this field has at least {min_length} characters.',
  };
  readonly maxLength: number;
  readonly minLength: number;
  readonly allowBlank: boolean;
  readonly trim: boolean;

  constructor(options: CharOptions = {}) {
    super(options);
    this.maxLength = options.maxLength ?? Infinity;
    this.minLength = options.minLength ?? 0;
    this.allowBlank = options.allowBlank === true;
    this.trim = options.trimWhitespace !== false;
    // The length messages have fixed parameters: format them once.
    (this as { messages: Record<string, string> }).messages = {
      ...this.messages,
      max_length: (this.messages.max_length as string).replace('{max_length}', String(options.maxLength)),
      min_length: (this.messages.min_length as string).replace('{min_length}', String(options.minLength)),
    };
  }

  protected override schemaType(): Record<string, unknown> {
    const schema: Record<string, unknown> = { type: 'string' };
    if (Number.isFinite(this.maxLength)) schema.maxLength = this.maxLength;
    if (this.minLength > 0) schema.minLength = this.minLength;
    return schema;
  }

  /** A string kept as it is: the lengths (never empty), nothing to trim. */
  protected charTest(v: string, ref: InlineRef): string {
    let test = `typeof ${v} === 'string' && ${v}.length >= ${Math.max(this.minLength, 1)}`;
    if (Number.isFinite(this.maxLength)) test += ` && ${v}.length <= ${this.maxLength}`;
    if (this.trim) test += ` && ${ref(trimKeeps)}(${v})`;
    return test;
  }

  override inlineCheck(v: string, ref: InlineRef): InlineCheck | null {
    return { test: this.charTest(v, ref) };
  }

  toInternal(data: unknown, run: Run): unknown {
    let value: string;
    if (typeof data === 'string') value = data;
    else if (typeof data === 'number' && Number.isFinite(data)) value = String(data);
    else return this.fail(run, 'invalid');
    if (this.trim) value = value.trim();
    if (value === '') return this.allowBlank ? '' : this.fail(run, 'blank');
    if (value.length > this.maxLength) return this.fail(run, 'max_length');
    if (value.length < this.minLength) return this.fail(run, 'min_length');
    return this.format(value, run);
  }

  /** The format check of subclasses (email, slug, URL): the value or FAIL. */
  protected format(value: string, _run: Run): unknown {
    return value;
  }
}

/** A string: `CharField({ maxLength: 100 })`. */
export function CharField<const O extends CharOptions>(options?: O): FieldOf<string, string, O> {
  return new CharFieldType(options) as never as FieldOf<string, string, O>;
}

/** A field declared with options `O`: its value and representation types and flags. */
export type FieldOf<T, R, O> = Field<Nullable<T, O>, Nullable<R, O>, FlagsOf<O>>;

// Django's EmailValidator, simplified to one expression: a dot-atom local part, domain labels.
const EMAIL =
  /^[-!#$%&'*+/=?^_`{|}~\w]+(?:\.[-!#$%&'*+/=?^_`{|}~\w]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const SLUG = /^[-a-zA-Z0-9_]+$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

class EmailFieldType extends CharFieldType {
  static override readonly metadataType: string = 'email';
  static override readonly messages = { ...CharFieldType.messages, invalid: 'Enter a valid email address.' };
  protected override schemaType(): Record<string, unknown> {
    return { ...super.schemaType(), format: 'email' };
  }
  protected override format(value: string, run: Run): unknown {
    return EMAIL.test(value) ? value : this.fail(run, 'invalid');
  }
  override inlineCheck(v: string, ref: InlineRef): InlineCheck | null {
    return { test: `${this.charTest(v, ref)} && ${ref(EMAIL)}.test(${v})` };
  }
}
class SlugFieldType extends CharFieldType {
  static override readonly metadataType: string = 'slug';
  static override readonly messages = {
    ...CharFieldType.messages,
    invalid: 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
  };
  protected override schemaType(): Record<string, unknown> {
    return { ...super.schemaType(), pattern: SLUG.source };
  }
  protected override format(value: string, run: Run): unknown {
    return SLUG.test(value) ? value : this.fail(run, 'invalid');
  }
}
class URLFieldType extends CharFieldType {
  static override readonly metadataType: string = 'url';
  static override readonly messages = { ...CharFieldType.messages, invalid: 'Enter a valid URL.' };
  protected override schemaType(): Record<string, unknown> {
    return { ...super.schemaType(), format: 'uri' };
  }
  protected override format(value: string, run: Run): unknown {
    if (!URL.canParse(value)) return this.fail(run, 'invalid');
    const { protocol, hostname } = new URL(value);
    return ['http:', 'https:', 'ftp:', 'ftps:'].includes(protocol) && hostname !== ''
      ? value
      : this.fail(run, 'invalid');
  }
}

/** An email address (DRF's `EmailField`). */
export function EmailField<const O extends CharOptions>(options?: O): FieldOf<string, string, O> {
  return new EmailFieldType(options) as never as FieldOf<string, string, O>;
}
/** Letters, numbers, underscores or hyphens. */
export function SlugField<const O extends CharOptions>(options?: O): FieldOf<string, string, O> {
  return new SlugFieldType(options) as never as FieldOf<string, string, O>;
}
/** An http, https, ftp or ftps URL. */
export function URLField<const O extends CharOptions>(options?: O): FieldOf<string, string, O> {
  return new URLFieldType(options) as never as FieldOf<string, string, O>;
}

class UUIDFieldType extends Field<string> {
  static override readonly metadataType: string = 'string';
  static override readonly messages = { invalid: 'Must be a valid UUID.' };
  protected override schemaType(): Record<string, unknown> {
    return { type: 'string', format: 'uuid' };
  }
  toInternal(data: unknown, run: Run): unknown {
    if (typeof data !== 'string' || !UUID.test(data)) return this.fail(run, 'invalid');
    const hex = data.replaceAll('-', '').toLowerCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
/** A UUID, held in its canonical lower-case hyphenated form. */
export function UUIDField<const O extends FieldOptions<string>>(options?: O): FieldOf<string, string, O> {
  return new UUIDFieldType(options) as never as FieldOf<string, string, O>;
}

// ------------------------------------------------------------------ numbers

/** Options of {@link IntegerField} and {@link FloatField}. */
export interface NumberOptions extends FieldOptions<number> {
  readonly minValue?: number;
  readonly maxValue?: number;
}

const INTEGER = /^\s*[-+]?\d+(?:\.0*)?\s*$/;
const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

abstract class NumberFieldType extends Field<number> {
  protected override schemaType(): Record<string, unknown> {
    const schema: Record<string, unknown> = { type: this instanceof IntegerFieldType ? 'integer' : 'number' };
    if (Number.isFinite(this.minValue)) schema.minimum = this.minValue;
    if (Number.isFinite(this.maxValue)) schema.maximum = this.maxValue;
    return schema;
  }
  static override readonly messages: Readonly<Record<string, string>> = {
    max_value: 'Ensure this value is less than or equal to {max_value}.',
    min_value: 'Ensure this value is greater than or equal to {min_value}.',
    max_string_length: 'String value too large.',
  };
  readonly minValue: number;
  readonly maxValue: number;
  constructor(options: NumberOptions = {}) {
    super(options);
    this.minValue = options.minValue ?? -Infinity;
    this.maxValue = options.maxValue ?? Infinity;
    (this as { messages: Record<string, string> }).messages = {
      ...this.messages,
      max_value: (this.messages.max_value as string).replace('{max_value}', String(options.maxValue)),
      min_value: (this.messages.min_value as string).replace('{min_value}', String(options.minValue)),
    };
  }
  /** `v` within the bounds, as a test (the type checked before it). */
  protected boundsTest(v: string): string {
    let test = '';
    if (Number.isFinite(this.minValue)) test += ` && ${v} >= ${this.minValue}`;
    if (Number.isFinite(this.maxValue)) test += ` && ${v} <= ${this.maxValue}`;
    return test;
  }
  protected bounds(value: number, run: Run): unknown {
    if (value > this.maxValue) return this.fail(run, 'max_value');
    if (value < this.minValue) return this.fail(run, 'min_value');
    return value;
  }
}

class IntegerFieldType extends NumberFieldType {
  static override readonly metadataType: string = 'integer';
  static override readonly messages = {
    ...NumberFieldType.messages,
    invalid: 'A valid integer is required.',
  };
  override inlineCheck(v: string): InlineCheck | null {
    return { test: `typeof ${v} === 'number' && Number.isInteger(${v})${this.boundsTest(v)}` };
  }
  toInternal(data: unknown, run: Run): unknown {
    if (typeof data === 'number') {
      return Number.isInteger(data) ? this.bounds(data, run) : this.fail(run, 'invalid');
    }
    if (typeof data !== 'string') return this.fail(run, 'invalid');
    if (data.length > 1000) return this.fail(run, 'max_string_length');
    if (!INTEGER.test(data)) return this.fail(run, 'invalid');
    const value = Number.parseInt(data, 10);
    return Number.isSafeInteger(value) ? this.bounds(value, run) : this.fail(run, 'invalid');
  }
}
class FloatFieldType extends NumberFieldType {
  static override readonly metadataType: string = 'float';
  static override readonly messages = { ...NumberFieldType.messages, invalid: 'A valid number is required.' };
  override inlineCheck(v: string): InlineCheck | null {
    return { test: `typeof ${v} === 'number' && Number.isFinite(${v})${this.boundsTest(v)}` };
  }
  toInternal(data: unknown, run: Run): unknown {
    if (typeof data === 'number')
      return Number.isFinite(data) ? this.bounds(data, run) : this.fail(run, 'invalid');
    if (typeof data !== 'string') return this.fail(run, 'invalid');
    if (data.length > 1000) return this.fail(run, 'max_string_length');
    if (!NUMBER.test(data)) return this.fail(run, 'invalid');
    return this.bounds(Number(data), run);
  }
}

/** An integer (a number, or a string of one); `minValue`/`maxValue` bound it. */
export function IntegerField<const O extends NumberOptions>(options?: O): FieldOf<number, number, O> {
  return new IntegerFieldType(options) as never as FieldOf<number, number, O>;
}
/** A finite number (or a string of one). */
export function FloatField<const O extends NumberOptions>(options?: O): FieldOf<number, number, O> {
  return new FloatFieldType(options) as never as FieldOf<number, number, O>;
}

/** Options of {@link DecimalField}. */
export interface DecimalOptions extends FieldOptions<string> {
  /** The digits in total (null: any). */
  readonly maxDigits: number | null;
  readonly decimalPlaces: number | null;
  readonly minValue?: number;
  readonly maxValue?: number;
}

const DECIMAL = /^\s*([-+]?)(\d*)(?:\.(\d*))?\s*$/;

class DecimalFieldType extends Field<string> {
  static override readonly metadataType: string = 'decimal';
  protected override schemaType(): Record<string, unknown> {
    // Rendered as a string (DRF's COERCE_DECIMAL_TO_STRING), so no precision is lost.
    return { type: 'string', format: 'decimal', pattern: '^-?\\d+(\\.\\d+)?$' };
  }
  static override readonly messages = {
    invalid: 'A valid number is required.',
    max_value: 'Ensure this value is less than or equal to {max_value}.',
    min_value: 'Ensure this value is greater than or equal to {min_value}.',
    max_digits: 'Ensure that there are no more than {max_digits} digits in total.',
    max_decimal_places: 'Ensure that there are no more than {max_decimal_places} decimal places.',
    max_whole_digits:
      'Ensure that there are no more than {max_whole_digits} digits before the decimal point.',
    max_string_length: 'String value too large.',
  };
  readonly maxDigits: number | null;
  readonly decimalPlaces: number | null;
  constructor(options: DecimalOptions) {
    super(options);
    this.maxDigits = options.maxDigits;
    this.decimalPlaces = options.decimalPlaces;
  }
  toInternal(data: unknown, run: Run): unknown {
    let text: string;
    if (typeof data === 'number') {
      if (!Number.isFinite(data)) return this.fail(run, 'invalid');
      text = String(data);
      if (/e/i.test(text)) text = data.toFixed(20).replace(/\.?0+$/, '');
    } else if (typeof data === 'string') {
      if (data.length > 1000) return this.fail(run, 'max_string_length');
      text = data;
    } else return this.fail(run, 'invalid');
    const m = DECIMAL.exec(text);
    if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return this.fail(run, 'invalid');
    const sign = m[1] === '-' ? '-' : '';
    const whole = (m[2] as string).replace(/^0+/, '');
    let places = m[3] ?? '';
    const significant = places.replace(/0+$/, '');
    const { maxDigits, decimalPlaces } = this;
    // DRF's order: total digits, then decimal places, then whole digits.
    if (maxDigits !== null && whole.length + significant.length > maxDigits)
      return this.fail(run, 'max_digits', { max_digits: maxDigits });
    if (decimalPlaces !== null && significant.length > decimalPlaces)
      return this.fail(run, 'max_decimal_places', { max_decimal_places: decimalPlaces });
    if (maxDigits !== null && decimalPlaces !== null && whole.length > maxDigits - decimalPlaces)
      return this.fail(run, 'max_whole_digits', { max_whole_digits: maxDigits - decimalPlaces });
    const o = this.options as DecimalOptions;
    const number = Number(`${sign}${whole || '0'}.${significant || '0'}`);
    if (o.maxValue !== undefined && number > o.maxValue)
      return this.fail(run, 'max_value', { max_value: o.maxValue });
    if (o.minValue !== undefined && number < o.minValue)
      return this.fail(run, 'min_value', { min_value: o.minValue });
    // Quantized to the decimal places, as a string (never a float).
    places = decimalPlaces === null ? significant : significant.padEnd(decimalPlaces, '0');
    const out = `${whole || '0'}${places === '' ? '' : `.${places}`}`;
    return sign === '-' && /[1-9]/.test(out) ? `-${out}` : out;
  }
}
/** A fixed-precision decimal, validated and held as a string (`'12.50'`), never a float. */
export function DecimalField<const O extends DecimalOptions>(options: O): FieldOf<string, string, O> {
  return new DecimalFieldType(options) as never as FieldOf<string, string, O>;
}

// ------------------------------------------------------------------ booleans, choices

const TRUE = new Set<unknown>([
  't',
  'T',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  '1',
  1,
  true,
]);
const FALSE = new Set<unknown>([
  'f',
  'F',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '0',
  0,
  false,
]);

class BooleanFieldType extends Field<boolean> {
  static override readonly metadataType: string = 'boolean';
  protected override schemaType(): Record<string, unknown> {
    return { type: 'boolean' };
  }
  static override readonly messages = { invalid: 'Must be a valid boolean.' };
  override inlineCheck(v: string): InlineCheck | null {
    return { test: `(${v} === true || ${v} === false)` };
  }
  toInternal(data: unknown, run: Run): unknown {
    if (data === true || data === false) return data;
    if (TRUE.has(data)) return true;
    if (FALSE.has(data)) return false;
    return this.fail(run, 'invalid');
  }
}
/** A boolean; accepts DRF's spellings (`'true'`, `'on'`, `1`, …). */
export function BooleanField<const O extends FieldOptions<boolean>>(
  options?: O,
): FieldOf<boolean, boolean, O> {
  return new BooleanFieldType(options) as never as FieldOf<boolean, boolean, O>;
}

/** Options of {@link ChoiceField}. */
export interface ChoiceOptions<C extends string | number> extends FieldOptions<C> {
  /** The allowed values: bare, or `[value, label]` pairs. */
  readonly choices: ReadonlyArray<C | readonly [C, string]>;
  readonly allowBlank?: boolean;
}

class ChoiceFieldType<C extends string | number> extends Field<C> {
  static override readonly metadataType: string = 'choice';
  protected override schemaType(): Record<string, unknown> {
    const values = (this.options as ChoiceOptions<C>).choices.map((c) => (Array.isArray(c) ? c[0] : c));
    return { enum: this.allowBlank && !values.includes('' as C) ? [...values, ''] : values };
  }
  static override readonly messages = { invalid_choice: '"{input}" is not a valid choice.' };
  readonly #byKey = new Map<string, C>();
  readonly allowBlank: boolean;
  constructor(options: ChoiceOptions<C>) {
    super(options);
    // DRF compares choices by their string form: `1` and `'1'` are the same choice.
    for (const c of options.choices) {
      const value = (Array.isArray(c) ? c[0] : c) as C;
      this.#byKey.set(String(value), value);
    }
    this.allowBlank = options.allowBlank === true;
  }
  /** A string that is itself one of the choices (a number, or `'1'` for a choice `1`, takes the full path). */
  override inlineCheck(v: string, ref: InlineRef): InlineCheck | null {
    const strings = new Set<string>();
    for (const [key, value] of this.#byKey) if (key === value) strings.add(key);
    return { test: `typeof ${v} === 'string' && ${ref(strings)}.has(${v})` };
  }
  toInternal(data: unknown, run: Run): unknown {
    if (data === '' && this.allowBlank) return '';
    if (typeof data === 'string' || typeof data === 'number') {
      const value = this.#byKey.get(String(data));
      if (value !== undefined) return value;
    }
    return this.fail(run, 'invalid_choice', {
      input: typeof data === 'object' ? JSON.stringify(data) : data,
    });
  }
}
type ChoiceValue<X> = X extends readonly [infer V, string] ? V : X;

/** One of a fixed set of values (bare, or `[value, label]` pairs); the type is their union. */
export function ChoiceField<const O extends ChoiceOptions<string | number>>(
  options: O,
): FieldOf<ChoiceValue<O['choices'][number]>, ChoiceValue<O['choices'][number]>, O> {
  return new ChoiceFieldType(options) as never;
}

// ------------------------------------------------------------------ dates

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 as DRF parses it: a date, a time with optional seconds and fraction, an optional offset.
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (DAYS[m - 1] as number) + (leap ? 1 : 0);
}

/** The value of the digits of `s` from `start` to `end`, or -1 when one is not a digit. */
function digits(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Whether `s` is a real date written `YYYY-MM-DD` (parsed by hand: the hot path of most forms). */
function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 7);
  const d = digits(s, 8, 10);
  return y >= 0 && m >= 0 && d >= 0 && realDate(y, m, d);
}

class DateFieldType extends Field<string> {
  static override readonly metadataType: string = 'date';
  protected override schemaType(): Record<string, unknown> {
    return { type: 'string', format: 'date' };
  }
  static override readonly messages = {
    invalid: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
    datetime: 'Expected a date but got a datetime.',
  };
  override inlineCheck(v: string, ref: InlineRef): InlineCheck | null {
    return { test: `typeof ${v} === 'string' && ${ref(isIsoDate)}(${v})` };
  }
  toInternal(data: unknown, run: Run): unknown {
    if (data instanceof Date) return this.fail(run, 'datetime');
    if (typeof data !== 'string') return this.fail(run, 'invalid');
    return isIsoDate(data) ? data : this.fail(run, 'invalid');
  }
  override toRepresentation(value: unknown): unknown {
    return value instanceof Date ? value.toISOString().slice(0, 10) : value;
  }
}
/** A date, validated and held as `YYYY-MM-DD` (the database layer's `DateField` value). */
export function DateField<const O extends FieldOptions<string>>(options?: O): FieldOf<string, string, O> {
  return new DateFieldType(options) as never as FieldOf<string, string, O>;
}

class DateTimeFieldType extends Field<Date, string> {
  static override readonly metadataType: string = 'datetime';
  protected override schemaType(): Record<string, unknown> {
    return { type: 'string', format: 'date-time' };
  }
  static override readonly messages = {
    invalid:
      'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
    date: 'Expected a datetime but got a date.',
  };
  toInternal(data: unknown, run: Run): unknown {
    if (data instanceof Date) return Number.isNaN(data.getTime()) ? this.fail(run, 'invalid') : data;
    if (typeof data !== 'string') return this.fail(run, 'invalid');
    const m = DATETIME.exec(data);
    if (m === null) return DATE.test(data) ? this.fail(run, 'date') : this.fail(run, 'invalid');
    if (!realDate(Number(m[1]), Number(m[2]), Number(m[3])) || Number(m[4]) > 23 || Number(m[5]) > 59)
      return this.fail(run, 'invalid');
    // A value without an offset is UTC (DRF makes it aware in the current time zone; Portico's is UTC).
    const value = new Date(m[8] === undefined ? `${data}Z` : data);
    return Number.isNaN(value.getTime()) ? this.fail(run, 'invalid') : value;
  }
  override toRepresentation(value: unknown): unknown {
    return value instanceof Date ? value.toISOString() : value;
  }
}
/** A point in time: ISO 8601 in, a `Date` validated, ISO 8601 (UTC, `Z`) out. */
export function DateTimeField<const O extends FieldOptions<Date>>(options?: O): FieldOf<Date, string, O> {
  return new DateTimeFieldType(options) as never as FieldOf<Date, string, O>;
}
