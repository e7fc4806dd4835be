/**
 * Model fields, with Django's names and camelCase options. A field knows its column type
 * on each database, how a value goes to the database and comes back, and how to validate
 * it; its type parameters carry the value type, whether it may be null and whether it has
 * a default, so a model's row type is inferred from its declaration.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { PorticoError } from '../tsgi/errors.ts';
import './errors.ts';

/** The databases Portico speaks to. */
export type Vendor = 'sqlite' | 'postgres';

/** A validator: returns (or throws) a message when the value is invalid. */
export type Validator<T> = (value: T) => string | undefined | void;

/** What every field accepts. */
export interface FieldOptions<T> {
  /** The column accepts NULL (the row type gets `| null`). */
  readonly null?: boolean;
  /** An empty value passes `fullClean` (and forms). */
  readonly blank?: boolean;
  /** The value a new instance gets: a value, or a function called for each instance. */
  readonly default?: T | (() => T);
  readonly unique?: boolean;
  readonly dbIndex?: boolean;
  readonly primaryKey?: boolean;
  /** The allowed values: `[value, label]` pairs or bare values. */
  readonly choices?: ReadonlyArray<readonly [T, string] | T>;
  readonly validators?: ReadonlyArray<Validator<T>>;
  /** The column name (default: the field's name in snake_case). */
  readonly dbColumn?: string;
  readonly help?: string;
  readonly verboseName?: string;
  /** Leave out of forms and serializers. */
  readonly editable?: boolean;
}

type NullOf<O> = O extends { readonly null: true } ? true : false;
type DefaultOf<O> = O extends { readonly default: unknown }
  ? true
  : O extends { readonly autoNow: true }
    ? true
    : O extends { readonly autoNowAdd: true }
      ? true
      : O extends { readonly null: true }
        ? true
        : false;

/** What a migration file records of a field. */
export interface DeconstructedField {
  readonly type: string;
  readonly target?: string;
  readonly options: Readonly<Record<string, unknown>>;
}

const SCHEMA_OPTIONS = ['null', 'blank', 'unique', 'dbIndex', 'primaryKey', 'dbColumn', 'choices'] as const;

/** snake_case of a camelCase name (`createdAt` → `created_at`). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^_/, '');
}

/**
 * A model field.
 *
 * @typeParam T - the value in TypeScript.
 * @typeParam N - whether it may be null.
 * @typeParam D - whether a new instance gets a value without being given one.
 */
export abstract class Field<T = unknown, N extends boolean = boolean, D extends boolean = boolean> {
  declare readonly __value: T;
  declare readonly __null: N;
  declare readonly __default: D;
  /** Django's class name, as migrations record it. */
  abstract readonly type: string;
  readonly options: FieldOptions<T>;
  /** Set when the model is built. */
  name = '';
  /** Set when the model is built. */
  column = '';
  /** The model's label (`shop.Organization`), set when the model is built. */
  modelLabel = '';

  constructor(options: FieldOptions<T> = {}) {
    this.options = options;
  }

  get null(): boolean {
    return this.options.null === true;
  }
  get primaryKey(): boolean {
    return this.options.primaryKey === true;
  }
  get unique(): boolean {
    return this.options.unique === true || this.primaryKey;
  }
  get dbIndex(): boolean {
    return this.options.dbIndex === true;
  }
  /** The attribute on an instance (a foreign key's is `<name>Id`). */
  get attname(): string {
    return this.name;
  }

  /** Binds the field to its model. */
  contribute(name: string, modelLabel: string): void {
    this.name = name;
    this.modelLabel = modelLabel;
    this.column = this.options.dbColumn ?? this.defaultColumn(name);
  }

  protected defaultColumn(name: string): string {
    return snakeCase(name);
  }

  /** The column type on a database. */
  abstract dbType(vendor: Vendor): string;

  hasDefault(): boolean {
    return this.options.default !== undefined;
  }

  /** The default value for a new instance (`undefined` when there is none). */
  getDefault(): T | null | undefined {
    const d = this.options.default;
    if (d === undefined) return this.null ? null : undefined;
    return typeof d === 'function' ? (d as () => T)() : d;
  }

  /** A value as the driver takes it. */
  toDb(value: unknown, _vendor: Vendor): unknown {
    return value;
  }

  /** A value as the driver gave it, as the model holds it. */
  fromDb(value: unknown, _vendor: Vendor): T | null {
    return value as T | null;
  }

  /** A value given by a user, as the model holds it (`'3'` → 3 for numbers). */
  coerce(value: unknown): unknown {
    return value;
  }

  /** Whether this value is "empty" for `blank`. */
  isEmpty(value: unknown): boolean {
    return value === null || value === undefined || value === '';
  }

  /** The messages for a value (null, blank, choices, the field's rules, validators). */
  validate(value: unknown): string[] {
    if (value === null || value === undefined) {
      return this.null || this.primaryKey ? [] : ['This field cannot be null.'];
    }
    if (this.isEmpty(value)) return this.options.blank === true ? [] : ['This field cannot be blank.'];
    const errors = this.check(value as T);
    const choices = this.options.choices;
    if (choices !== undefined) {
      const allowed = choices.map((c) => (Array.isArray(c) ? c[0] : c));
      if (!allowed.some((a) => a === value))
        errors.push(`Value ${JSON.stringify(value)} is not a valid choice.`);
    }
    for (const validator of this.options.validators ?? []) {
      try {
        const message = validator(value as T);
        if (typeof message === 'string') errors.push(message);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    return errors;
  }

  /** The field's own rules (max length, format). */
  protected check(_value: T): string[] {
    return [];
  }

  /** What a migration file records of this field. */
  deconstruct(): DeconstructedField {
    const options: Record<string, unknown> = {};
    for (const key of SCHEMA_OPTIONS) {
      const value = this.options[key];
      if (value !== undefined && value !== false) options[key] = value;
    }
    const d = this.options.default;
    if (
      d !== undefined &&
      typeof d !== 'function' &&
      (d === null || typeof d !== 'object' || Array.isArray(d))
    )
      options.default = d;
    Object.assign(options, this.extraOptions());
    return { type: this.type, options };
  }

  protected extraOptions(): Record<string, unknown> {
    return {};
  }
}

/** An integer primary key the database assigns (the default primary key). */
export class AutoFieldType extends Field<number, false, true> {
  readonly type: string = 'AutoField';
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'integer' : 'integer';
  }
  override hasDefault(): boolean {
    return true;
  }
  override coerce(value: unknown): unknown {
    return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  /** The pk column's type when another table refers to it. */
  relType(vendor: Vendor): string {
    return this.dbType(vendor);
  }
}

/** A 64-bit integer primary key the database assigns. */
export class BigAutoFieldType extends AutoFieldType {
  override readonly type: string = 'BigAutoField';
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'integer' : 'bigint';
  }
}

/** An integer primary key the database assigns. */
export function AutoField(options: Omit<FieldOptions<number>, 'default'> = {}): AutoFieldType {
  return new AutoFieldType({ primaryKey: true, ...options });
}
/** A 64-bit integer primary key the database assigns. */
export function BigAutoField(options: Omit<FieldOptions<number>, 'default'> = {}): BigAutoFieldType {
  return new BigAutoFieldType({ primaryKey: true, ...options });
}

/** Options of text fields. */
export interface CharOptions extends FieldOptions<string> {
  readonly maxLength: number;
}

export class CharFieldType<N extends boolean = boolean, D extends boolean = boolean> extends Field<
  string,
  N,
  D
> {
  readonly type: string = 'CharField';
  get maxLength(): number {
    return (this.options as CharOptions).maxLength;
  }
  override dbType(): string {
    return `varchar(${this.maxLength})`;
  }
  protected override check(value: string): string[] {
    if (typeof value !== 'string') return ['Enter a text value.'];
    const errors: string[] = [];
    if (value.length > this.maxLength)
      errors.push(`Ensure this value has at most ${this.maxLength} characters (it has ${value.length}).`);
    return errors.concat(this.format(value));
  }
  protected format(_value: string): string[] {
    return [];
  }
  protected override extraOptions(): Record<string, unknown> {
    return { maxLength: this.maxLength };
  }
}

/** A string of at most `maxLength` characters (`varchar`). */
export function CharField<const O extends CharOptions>(options: O): CharFieldType<NullOf<O>, DefaultOf<O>> {
  if (!Number.isInteger(options?.maxLength) || options.maxLength < 1)
    throw new PorticoError('PORTICO_ERR_DB_CONFIG', 'CharField needs a positive integer maxLength');
  return new CharFieldType(options);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SLUG = /^[-a-zA-Z0-9_]+$/;

class EmailFieldType<N extends boolean, D extends boolean> extends CharFieldType<N, D> {
  override readonly type: string = 'EmailField';
  protected override format(value: string): string[] {
    return EMAIL.test(value) ? [] : ['Enter a valid email address.'];
  }
}
class SlugFieldType<N extends boolean, D extends boolean> extends CharFieldType<N, D> {
  override readonly type: string = 'SlugField';
  override get dbIndex(): boolean {
    return this.options.dbIndex !== false && !this.unique;
  }
  protected override format(value: string): string[] {
    return SLUG.test(value) ? [] : ['Enter a valid “slug” of letters, numbers, underscores or hyphens.'];
  }
}
class URLFieldType<N extends boolean, D extends boolean> extends CharFieldType<N, D> {
  override readonly type: string = 'URLField';
  protected override format(value: string): string[] {
    try {
      const url = new URL(value);
      return ['http:', 'https:', 'ftp:', 'ftps:'].includes(url.protocol) ? [] : ['Enter a valid URL.'];
    } catch {
      return ['Enter a valid URL.'];
    }
  }
}

type OptionalLength = Omit<CharOptions, 'maxLength'> & { readonly maxLength?: number };

/** An email address (a `CharField` of 254 by default). */
export function EmailField<const O extends OptionalLength>(
  options?: O,
): CharFieldType<NullOf<O>, DefaultOf<O>> {
  return new EmailFieldType({ maxLength: 254, ...options });
}
/** A slug (a `CharField` of 50 with an index, by default). */
export function SlugField<const O extends OptionalLength>(
  options?: O,
): CharFieldType<NullOf<O>, DefaultOf<O>> {
  return new SlugFieldType({ maxLength: 50, ...options });
}
/** A URL (a `CharField` of 200 by default). */
export function URLField<const O extends OptionalLength>(
  options?: O,
): CharFieldType<NullOf<O>, DefaultOf<O>> {
  return new URLFieldType({ maxLength: 200, ...options });
}

export class TextFieldType<N extends boolean, D extends boolean> extends Field<string, N, D> {
  readonly type: string = 'TextField';
  override dbType(): string {
    return 'text';
  }
  protected override check(value: string): string[] {
    return typeof value === 'string' ? [] : ['Enter a text value.'];
  }
}
/** A string of any length (`text`). */
export function TextField<const O extends FieldOptions<string>>(
  options?: O,
): TextFieldType<NullOf<O>, DefaultOf<O>> {
  return new TextFieldType(options);
}

const INT32 = 2 ** 31;

export class IntegerFieldType<N extends boolean, D extends boolean> extends Field<number, N, D> {
  readonly type: string = 'IntegerField';
  protected readonly bound: number = INT32;
  override dbType(): string {
    return 'integer';
  }
  override coerce(value: unknown): unknown {
    return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  }
  override fromDb(value: unknown): number | null {
    return value === null ? null : Number(value);
  }
  protected override check(value: number): string[] {
    if (!Number.isInteger(value)) return ['Enter a whole number.'];
    if (value < -this.bound || value >= this.bound)
      return [`Ensure this value is between ${-this.bound} and ${this.bound - 1}.`];
    return [];
  }
}
class BigIntegerFieldType<N extends boolean, D extends boolean> extends IntegerFieldType<N, D> {
  override readonly type: string = 'BigIntegerField';
  protected override readonly bound: number = 2 ** 63;
  override dbType(): string {
    return 'bigint';
  }
}
/** A 32-bit integer. */
export function IntegerField<const O extends FieldOptions<number>>(
  options?: O,
): IntegerFieldType<NullOf<O>, DefaultOf<O>> {
  return new IntegerFieldType(options);
}
/** A 64-bit integer (read back as a number: exact up to 2^53). */
export function BigIntegerField<const O extends FieldOptions<number>>(
  options?: O,
): IntegerFieldType<NullOf<O>, DefaultOf<O>> {
  return new BigIntegerFieldType(options);
}

export class FloatFieldType<N extends boolean, D extends boolean> extends Field<number, N, D> {
  readonly type: string = 'FloatField';
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'real' : 'double precision';
  }
  override fromDb(value: unknown): number | null {
    return value === null ? null : Number(value);
  }
  protected override check(value: number): string[] {
    return typeof value === 'number' && Number.isFinite(value) ? [] : ['Enter a number.'];
  }
}
/** A double-precision float. */
export function FloatField<const O extends FieldOptions<number>>(
  options?: O,
): FloatFieldType<NullOf<O>, DefaultOf<O>> {
  return new FloatFieldType(options);
}

/** Options of {@link DecimalField}. */
export interface DecimalOptions extends FieldOptions<string> {
  readonly maxDigits: number;
  readonly decimalPlaces: number;
}

export class DecimalFieldType<N extends boolean, D extends boolean> extends Field<string, N, D> {
  readonly type: string = 'DecimalField';
  get maxDigits(): number {
    return (this.options as DecimalOptions).maxDigits;
  }
  get decimalPlaces(): number {
    return (this.options as DecimalOptions).decimalPlaces;
  }
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'decimal' : `numeric(${this.maxDigits}, ${this.decimalPlaces})`;
  }
  override coerce(value: unknown): unknown {
    return typeof value === 'number' ? String(value) : value;
  }
  override toDb(value: unknown, vendor: Vendor): unknown {
    if (value === null || value === undefined) return value;
    // SQLite's NUMERIC affinity stores a number; PostgreSQL takes the string as it is.
    return vendor === 'sqlite' ? Number(value) : String(value);
  }
  override fromDb(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    return typeof value === 'number' ? value.toFixed(this.decimalPlaces) : String(value);
  }
  protected override check(value: string): string[] {
    const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(String(value));
    if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return ['Enter a number.'];
    const whole = (m[2] as string).replace(/^0+/, '');
    const places = (m[3] ?? '').replace(/0+$/, '');
    // The first rule broken, in Django's order (DecimalValidator).
    const errors: string[] = [];
    if (whole.length + places.length > this.maxDigits)
      errors.push(`Ensure that there are no more than ${this.maxDigits} digits in total.`);
    else if (places.length > this.decimalPlaces)
      errors.push(`Ensure that there are no more than ${this.decimalPlaces} decimal places.`);
    else if (whole.length > this.maxDigits - this.decimalPlaces)
      errors.push(
        `Ensure that there are no more than ${this.maxDigits - this.decimalPlaces} digits before the decimal point.`,
      );
    return errors;
  }
  protected override extraOptions(): Record<string, unknown> {
    return { maxDigits: this.maxDigits, decimalPlaces: this.decimalPlaces };
  }
}
/** A fixed-precision decimal, held as a string (never a float). */
export function DecimalField<const O extends DecimalOptions>(
  options: O,
): DecimalFieldType<NullOf<O>, DefaultOf<O>> {
  return new DecimalFieldType(options);
}

export class BooleanFieldType<N extends boolean, D extends boolean> extends Field<boolean, N, D> {
  readonly type: string = 'BooleanField';
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'bool' : 'boolean';
  }
  override isEmpty(value: unknown): boolean {
    return value === null || value === undefined;
  }
  override toDb(value: unknown, vendor: Vendor): unknown {
    if (value === null || value === undefined || vendor !== 'sqlite') return value;
    return value ? 1 : 0;
  }
  override fromDb(value: unknown): boolean | null {
    return value === null ? null : Boolean(value);
  }
  /** Django's `to_python`: `'t'`, `'true'`, `'1'` and `'f'`, `'false'`, `'0'` (any case). */
  override coerce(value: unknown): unknown {
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (text === 't' || text === 'true' || text === '1') return true;
      if (text === 'f' || text === 'false' || text === '0') return false;
    }
    return value === 1 ? true : value === 0 ? false : value;
  }
  protected override check(value: boolean): string[] {
    return typeof value === 'boolean' ? [] : ['Enter true or false.'];
  }
}
/** A boolean. */
export function BooleanField<const O extends FieldOptions<boolean>>(
  options?: O,
): BooleanFieldType<NullOf<O>, DefaultOf<O>> {
  return new BooleanFieldType(options);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class DateFieldType<N extends boolean, D extends boolean> extends Field<string, N, D> {
  readonly type: string = 'DateField';
  override dbType(): string {
    return 'date';
  }
  override coerce(value: unknown): unknown {
    return value instanceof Date ? value.toISOString().slice(0, 10) : value;
  }
  override toDb(value: unknown): unknown {
    return value instanceof Date ? value.toISOString().slice(0, 10) : value;
  }
  protected override check(value: string): string[] {
    return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
      ? []
      : ['Enter a valid date (YYYY-MM-DD).'];
  }
}
/** A date, held as `YYYY-MM-DD`. */
export function DateField<const O extends FieldOptions<string>>(
  options?: O,
): DateFieldType<NullOf<O>, DefaultOf<O>> {
  return new DateFieldType(options);
}

/** Options of {@link DateTimeField}. */
export interface DateTimeOptions extends FieldOptions<Date> {
  /** Set to now on every save. */
  readonly autoNow?: boolean;
  /** Set to now when the row is inserted. */
  readonly autoNowAdd?: boolean;
}

export class DateTimeFieldType<N extends boolean, D extends boolean> extends Field<Date, N, D> {
  readonly type: string = 'DateTimeField';
  get autoNow(): boolean {
    return (this.options as DateTimeOptions).autoNow === true;
  }
  get autoNowAdd(): boolean {
    return (this.options as DateTimeOptions).autoNowAdd === true;
  }
  override hasDefault(): boolean {
    return super.hasDefault() || this.autoNow || this.autoNowAdd;
  }
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'datetime' : 'timestamp with time zone';
  }
  override coerce(value: unknown): unknown {
    return typeof value === 'string' ? new Date(value) : value;
  }
  override toDb(value: unknown): unknown {
    if (value === null || value === undefined) return value;
    // UTC, with milliseconds and a Z: sorts as text on SQLite, read as timestamptz by PostgreSQL.
    return (value instanceof Date ? value : new Date(value as string)).toISOString();
  }
  override fromDb(value: unknown): Date | null {
    if (value === null || value === undefined) return null;
    return value instanceof Date ? value : new Date(String(value));
  }
  protected override check(value: Date): string[] {
    return value instanceof Date && !Number.isNaN(value.getTime()) ? [] : ['Enter a valid date/time.'];
  }
  protected override extraOptions(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.autoNow) out.autoNow = true;
    if (this.autoNowAdd) out.autoNowAdd = true;
    return out;
  }
}
/** A point in time, stored in UTC (`timestamptz` on PostgreSQL), held as a `Date`. */
export function DateTimeField<const O extends DateTimeOptions>(
  options?: O,
): DateTimeFieldType<NullOf<O>, DefaultOf<O>> {
  return new DateTimeFieldType(options);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UUIDFieldType<N extends boolean, D extends boolean> extends Field<string, N, D> {
  readonly type: string = 'UUIDField';
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'char(36)' : 'uuid';
  }
  override toDb(value: unknown): unknown {
    return typeof value === 'string' ? value.toLowerCase() : value;
  }
  protected override check(value: string): string[] {
    return typeof value === 'string' && UUID.test(value.toLowerCase()) ? [] : ['Enter a valid UUID.'];
  }
  relType(vendor: Vendor): string {
    return this.dbType(vendor);
  }
}
/** A UUID, held as its canonical string. `UUIDField({ default: uuid4 })` for a random one. */
export function UUIDField<const O extends FieldOptions<string>>(
  options?: O,
): UUIDFieldType<NullOf<O>, DefaultOf<O>> {
  return new UUIDFieldType(options);
}
/** A random UUID (Python's `uuid.uuid4`), for `default`. */
export function uuid4(): string {
  return randomUUID();
}

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export class JSONFieldType<T, N extends boolean, D extends boolean> extends Field<T, N, D> {
  readonly type: string = 'JSONField';
  override dbType(vendor: Vendor): string {
    return vendor === 'sqlite' ? 'text' : 'jsonb';
  }
  override isEmpty(value: unknown): boolean {
    return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  }
  override toDb(value: unknown): unknown {
    return value === undefined ? value : value === null && this.null ? null : JSON.stringify(value);
  }
  override fromDb(value: unknown, vendor: Vendor): T | null {
    if (value === null) return null;
    return (vendor === 'sqlite' && typeof value === 'string' ? JSON.parse(value) : value) as T;
  }
}
type JsonOf<O> = O extends { readonly default: infer V } ? (V extends () => infer R ? R : V) : JsonValue;

/**
 * A JSON value (`jsonb` on PostgreSQL, text on SQLite). Its type is the default's
 * (`JSONField({ default: (): string[] => [] })`), else any JSON value.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the default decides the type.
export function JSONField<const O extends FieldOptions<any> = FieldOptions<JsonValue>>(
  options?: O,
): JSONFieldType<JsonOf<O>, NullOf<O>, DefaultOf<O>> {
  return new JSONFieldType(options as FieldOptions<JsonOf<O>>);
}

/** What happens to rows that refer to a deleted row. */
export type OnDelete = 'CASCADE' | 'PROTECT' | 'RESTRICT' | 'SET_NULL' | 'SET_DEFAULT' | 'DO_NOTHING';
export const CASCADE = 'CASCADE';
export const PROTECT = 'PROTECT';
export const RESTRICT = 'RESTRICT';
export const SET_NULL = 'SET_NULL';
export const SET_DEFAULT = 'SET_DEFAULT';
export const DO_NOTHING = 'DO_NOTHING';

/** Options of {@link ForeignKey}. */
export interface ForeignKeyOptions extends FieldOptions<number> {
  readonly onDelete: OnDelete;
  /** The name of the reverse accessor on the target (default `<model>Set`). */
  readonly relatedName?: string;
  /** The name to filter on from the target (default the model's name, lower-cased first letter). */
  readonly relatedQueryName?: string;
}

/** What a relation can point at: a model, a function returning one, `'app.Model'` or `'self'`. */
export type RelationTarget<M> = M | (() => M) | string;

/** A many-to-one relation. `M` is the target model. */
export class ForeignKeyType<
  M = unknown,
  N extends boolean = boolean,
  D extends boolean = boolean,
> extends Field<number, N, D> {
  readonly type: string = 'ForeignKey';
  declare readonly __target: M;
  readonly target: RelationTarget<M>;
  constructor(target: RelationTarget<M>, options: ForeignKeyOptions) {
    super(options);
    this.target = target;
    const valid = ['CASCADE', 'PROTECT', 'RESTRICT', 'SET_NULL', 'SET_DEFAULT', 'DO_NOTHING'];
    if (!valid.includes(options?.onDelete))
      throw new PorticoError(
        'PORTICO_ERR_DB_CONFIG',
        `ForeignKey needs onDelete, one of ${valid.join(', ')}`,
      );
    if (options.onDelete === 'SET_NULL' && options.null !== true)
      throw new PorticoError(
        'PORTICO_ERR_DB_CONFIG',
        'ForeignKey with onDelete SET_NULL must have null: true',
      );
  }
  get onDelete(): OnDelete {
    return (this.options as ForeignKeyOptions).onDelete;
  }
  get relatedName(): string | undefined {
    return (this.options as ForeignKeyOptions).relatedName;
  }
  get relatedQueryName(): string | undefined {
    return (this.options as ForeignKeyOptions).relatedQueryName;
  }
  override get attname(): string {
    return `${this.name}Id`;
  }
  override get dbIndex(): boolean {
    return this.options.dbIndex !== false && !this.unique;
  }
  protected override defaultColumn(name: string): string {
    return `${snakeCase(name)}_id`;
  }
  /** The target's label, `app.Model`, given the label of the model this field is on. */
  targetLabel(): string {
    const t = this.target;
    const model = typeof t === 'function' && !('meta' in t) ? (t as () => M)() : t;
    if (typeof model === 'string') {
      if (model === 'self') return this.modelLabel;
      return model.includes('.') ? model : `${this.modelLabel.split('.')[0]}.${model}`;
    }
    return (model as { meta: { label: string } }).meta.label;
  }
  override dbType(): string {
    return 'integer';
  }
  override coerce(value: unknown): unknown {
    return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  override deconstruct(): DeconstructedField {
    const base = super.deconstruct();
    return { type: base.type, target: this.targetLabel(), options: base.options };
  }
  protected override extraOptions(): Record<string, unknown> {
    const o = this.options as ForeignKeyOptions;
    const out: Record<string, unknown> = { onDelete: o.onDelete };
    if (o.relatedName !== undefined) out.relatedName = o.relatedName;
    if (o.relatedQueryName !== undefined) out.relatedQueryName = o.relatedQueryName;
    return out;
  }
}

/** A one-to-one relation: a foreign key that is unique. */
export class OneToOneFieldType<
  M = unknown,
  N extends boolean = boolean,
  D extends boolean = boolean,
> extends ForeignKeyType<M, N, D> {
  override readonly type: string = 'OneToOneField';
  override get unique(): boolean {
    return true;
  }
}

/** A many-to-one relation to `target`; the row holds `<name>Id`. */
export function ForeignKey<M, const O extends ForeignKeyOptions = ForeignKeyOptions>(
  target: RelationTarget<M>,
  options: O,
): ForeignKeyType<M, NullOf<O>, DefaultOf<O>> {
  return new ForeignKeyType(target, options);
}

/** A one-to-one relation to `target`. */
export function OneToOneField<M, const O extends ForeignKeyOptions = ForeignKeyOptions>(
  target: RelationTarget<M>,
  options: O,
): OneToOneFieldType<M, NullOf<O>, DefaultOf<O>> {
  return new OneToOneFieldType(target, options);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field.
type AnyField = Field<any, boolean, boolean>;

const BUILDERS: Record<string, (options: Record<string, unknown>, target?: string) => AnyField> = {
  AutoField: (o) => AutoField(o),
  BigAutoField: (o) => BigAutoField(o),
  CharField: (o) => CharField(o as unknown as CharOptions),
  EmailField: (o) => EmailField(o),
  SlugField: (o) => SlugField(o),
  URLField: (o) => URLField(o),
  TextField: (o) => TextField(o),
  IntegerField: (o) => IntegerField(o),
  BigIntegerField: (o) => BigIntegerField(o),
  FloatField: (o) => FloatField(o),
  DecimalField: (o) => DecimalField(o as unknown as DecimalOptions),
  BooleanField: (o) => BooleanField(o),
  DateField: (o) => DateField(o),
  DateTimeField: (o) => DateTimeField(o),
  UUIDField: (o) => UUIDField(o),
  JSONField: (o) => JSONField(o),
  ForeignKey: (o, t) => ForeignKey(t as string, o as unknown as ForeignKeyOptions),
  OneToOneField: (o, t) => OneToOneField(t as string, o as unknown as ForeignKeyOptions),
};

/** A field rebuilt from what a migration recorded. */
export function fieldFromDeconstructed(spec: DeconstructedField): AnyField {
  const build = BUILDERS[spec.type];
  if (build === undefined)
    throw new PorticoError('PORTICO_ERR_DB_MIGRATION', `unknown field type ${spec.type}`);
  return build({ ...spec.options }, spec.target);
}

/** Options of {@link ManyToManyField}. */
export interface ManyToManyOptions {
  /** The accessor on the target (default `<model>Set`); also the name to filter on from there. */
  readonly relatedName?: string;
  /** The table of the automatic through model (default `<table>_<field>`). */
  readonly dbTable?: string;
  /**
   * A model of your own to keep the links in (Django's `through`), for extra columns on
   * each link: it has a foreign key to each side. A model, a function returning one, or
   * `'app.Model'` (it is usually declared after this model).
   */
  readonly through?: RelationTarget<unknown>;
  /** The through model's foreign keys to this model and to the target, when it has several. */
  readonly throughFields?: readonly [string, string];
  readonly blank?: boolean;
  readonly help?: string;
  readonly verboseName?: string;
}

/**
 * A many-to-many relation, kept in a through table with a foreign key to each side (an
 * automatic model, `<Model><Field>`, that migrations create like any other). It is not a
 * column: an instance has a manager instead (`project.tags.add(tag)`).
 */
export class ManyToManyFieldType<M = unknown> extends Field<unknown, false, true> {
  readonly type: string = 'ManyToManyField';
  declare readonly __m2m: M;
  readonly target: RelationTarget<M>;
  readonly m2m: ManyToManyOptions;
  /**
   * Set when the model is built (an explicit `through` model: once it is declared): the
   * through model's label and its two foreign keys' names.
   */
  through = '';
  sourceField = '';
  targetField = '';
  constructor(target: RelationTarget<M>, options: ManyToManyOptions = {}) {
    super({ ...(options.blank !== undefined ? { blank: options.blank } : {}) });
    this.target = target;
    this.m2m = options;
  }
  override dbType(): string {
    throw new PorticoError(
      'PORTICO_ERR_DB_CONFIG',
      `${this.modelLabel}.${this.name} is a many-to-many relation, not a column`,
    );
  }
  /** Whether the through model is Portico's own (no `through` option). */
  get autoCreated(): boolean {
    return this.m2m.through === undefined;
  }
  /** The label of the explicit `through` model, or undefined. */
  throughLabel(): string | undefined {
    const t = this.m2m.through;
    if (t === undefined) return undefined;
    const model = typeof t === 'function' && !('meta' in t) ? (t as () => unknown)() : t;
    if (typeof model === 'string')
      return model.includes('.') ? model : `${this.modelLabel.split('.')[0]}.${model}`;
    return (model as { meta: { label: string } }).meta.label;
  }
  /** The target's label. */
  targetLabel(): string {
    const t = this.target;
    const model = typeof t === 'function' && !('meta' in t) ? (t as () => M)() : t;
    if (typeof model === 'string') {
      if (model === 'self') return this.modelLabel;
      return model.includes('.') ? model : `${this.modelLabel.split('.')[0]}.${model}`;
    }
    return (model as { meta: { label: string } }).meta.label;
  }
}

/** A many-to-many relation to `target` (Django's `ManyToManyField`, with an automatic through table). */
export function ManyToManyField<M>(
  target: RelationTarget<M>,
  options: ManyToManyOptions = {},
): ManyToManyFieldType<M> {
  return new ManyToManyFieldType(target, options);
}
