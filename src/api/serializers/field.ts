/**
 * The base of serializer fields (DRF's `fields.Field`): the empty-value rules, the error
 * messages, the field's validators. A field object is immutable configuration, shared by
 * every serializer instance of a class: nothing is deep-copied per instance (DRF's cost,
 * #6328). Validation never throws on bad input in the hot path: a field records its
 * messages on the running serializer and returns {@link FAIL}.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import { ErrorDetail, type ErrorTree, ValidationError } from '../exceptions.ts';

/** Returned by a field whose value failed; the messages are on the run's `error`. */
export const FAIL: unique symbol = Symbol('FAIL');
/** Returned for a field left out of the validated data (missing, not required, no default). */
export const SKIP: unique symbol = Symbol('SKIP');

/** What a running validation carries: the messages of the last failure, and the run's options. */
export interface Run {
  /** The messages of the last value that failed. */
  error: ErrorTree | null;
  /** Missing fields are allowed and defaults are not applied (a PATCH). */
  readonly partial: boolean;
  /** What the view passed (`request`, …). */
  readonly context: Readonly<Record<string, unknown>>;
  /** The object being updated, when there is one (UniqueValidator leaves it out). */
  readonly instance: unknown;
}

/** Where a field sits: its name in its serializer and the attribute it writes. */
export interface Site {
  /** The field's name in its serializer. */
  readonly name: string;
  /** The attribute it writes (`source`, default the name). */
  readonly source: string;
}

/** What a validator is told besides the value: the field's name and source, and the run. */
export interface ValidatorContext extends Site {
  readonly run: Run;
}

/**
 * A validator: throws a {@link ValidationError}, or returns a message (or an
 * {@link ErrorDetail}) when the value is invalid; may be async (UniqueValidator is).
 */
export type Validator<T> = (
  value: T,
  context: ValidatorContext,
) => string | ErrorDetail | undefined | void | Promise<string | ErrorDetail | undefined | void>;

/** What every field accepts (DRF's core arguments). */
export interface FieldOptions<T> {
  /** A missing value is an error (default true, false when there is a default or `readOnly`). */
  readonly required?: boolean;
  /** `null` is accepted (and validated data may hold it). */
  readonly allowNull?: boolean;
  /** The value when the field is missing: a value or a function called each time (never in a PATCH). */
  readonly default?: T | (() => T);
  /** Output only: ignored in input, absent from the validated data. */
  readonly readOnly?: boolean;
  /** Input only: absent from `data`. */
  readonly writeOnly?: boolean;
  /** The attribute read and written (`'author.name'` reads through objects), default the field's name. */
  readonly source?: string;
  /** Run in order after the field's own conversion; every message is collected. */
  readonly validators?: ReadonlyArray<Validator<T>>;
  /** Replaces a default message by its code (`{ required: 'Give a title.' }`). */
  readonly errorMessages?: Readonly<Record<string, string>>;
  readonly label?: string;
  readonly helpText?: string;
}

/** The type-level flags of a field. */
export interface FieldFlags {
  /** The key in the validated data when it is not the field's name. */
  readonly source?: string | undefined;
  readonly readOnly: boolean;
  readonly writeOnly: boolean;
  /** The key may be absent from the validated data. */
  readonly optional: boolean;
}

/** The flags of a field declared with options `O`. */
export type FlagsOf<O> = {
  readonly source: O extends { readonly source: infer S extends string } ? S : undefined;
  readonly readOnly: O extends { readonly readOnly: true } ? true : false;
  readonly writeOnly: O extends { readonly writeOnly: true } ? true : false;
  readonly optional: O extends { readonly default: unknown }
    ? false
    : O extends { readonly required: false }
      ? true
      : false;
};

/** The value type with `| null` when `allowNull` is set. */
export type Nullable<T, O> = O extends { readonly allowNull: true } ? T | null : T;

/** Python's name of a value's type, as DRF's messages say it (`str`, `int`, `list`, `dict`). */
export function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** `{name}` placeholders filled from `params` (DRF's messages use `str.format`). */
export function format(message: string, params: Readonly<Record<string, unknown>>): string {
  return message.replace(/\{(\w+)\}/g, (all, key: string) => (key in params ? String(params[key]) : all));
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/** The messages of a caught {@link ValidationError}, or rethrows anything else. */
export function caught(error: unknown): ErrorTree {
  if (error instanceof ValidationError) return error.detail;
  throw error;
}

/**
 * Binds a constant (a regular expression, a set, a helper function) for compiled validation
 * code and returns the identifier the code reads it by.
 */
export type InlineRef = (value: unknown) => string;

/** What {@link Field.inlineCheck} returns: JavaScript expressions over the value's identifier. */
export interface InlineCheck {
  /** True only when the value is valid as it is (a false answer takes the field's full path). */
  readonly test: string;
  /** The validated value when `test` holds (default: the value itself). */
  readonly value?: string;
}

/**
 * The field's {@link Field.inlineCheck} when a serializer may use it: its own class defines
 * the check (a subclass that does not falls back to its methods) and it has no validators.
 */
export function inlineCheckOf(field: Field, v: string, ref: InlineRef): InlineCheck | null {
  if (field.validators.length > 0 || !Object.hasOwn(Object.getPrototypeOf(field) as object, 'inlineCheck'))
    return null;
  return field.inlineCheck(v, ref);
}

/**
 * A function made from generated code, with `refs` (identifier → value) in its scope; null
 * where code generation is refused (a Content Security Policy), so callers keep a plain path.
 */
export function generate<F>(refs: ReadonlyMap<string, unknown>, body: string): F | null {
  try {
    const make = new Function(...refs.keys(), body) as (...values: unknown[]) => F;
    return make(...refs.values());
  } catch (error) {
    if (error instanceof EvalError) return null;
    throw error;
  }
}

/** An {@link InlineRef} binding each distinct value once, as `k0`, `k1`… in `refs`. */
export function refsInto(refs: Map<string, unknown>): InlineRef {
  const names = new Map<unknown, string>();
  return (value) => {
    let name = names.get(value);
    if (name === undefined) {
      name = `k${names.size}`;
      names.set(value, name);
      refs.set(name, value);
    }
    return name;
  };
}

const BASE_MESSAGES: Readonly<Record<string, string>> = {
  required: 'This field is required.',
  null: 'This field may not be null.',
};

/**
 * A serializer field.
 *
 * @typeParam T - the validated (internal) value.
 * @typeParam R - the value in `data` (the representation).
 * @typeParam F - the flags: read-only, write-only, optional.
 */
export abstract class Field<T = unknown, R = T, F extends FieldFlags = FieldFlags> {
  declare readonly __value: T;
  declare readonly __repr: R;
  declare readonly __flags: F;
  /**
   * The field's type as `OPTIONS` metadata names it (DRF's `SimpleMetadata` labels: `'string'`,
   * `'integer'`, `'choice'`…); a subclass inherits its parent's, as DRF looks it up by class.
   */
  static readonly metadataType: string = 'field';
  /** DRF's messages of this field class, by code. */
  static readonly messages: Readonly<Record<string, string>> = BASE_MESSAGES;
  readonly options: FieldOptions<T>;
  readonly required: boolean;
  readonly allowNull: boolean;
  readonly readOnly: boolean;
  readonly writeOnly: boolean;
  readonly hasDefault: boolean;
  readonly validators: ReadonlyArray<Validator<T>>;
  /** Messages by code, this field's overrides merged in, once. */
  readonly messages: Readonly<Record<string, string>>;
  /** Messages without parameters, made once, shared by every failure. */
  readonly #fixed = new Map<string, readonly ErrorDetail[]>();

  constructor(options: FieldOptions<T> = {}) {
    this.options = options;
    this.readOnly = options.readOnly === true;
    this.writeOnly = options.writeOnly === true;
    this.hasDefault = options.default !== undefined;
    this.required = options.required ?? (!this.readOnly && !this.hasDefault);
    this.allowNull = options.allowNull === true;
    this.validators = options.validators ?? [];
    const own = (this.constructor as typeof Field).messages;
    this.messages = { ...BASE_MESSAGES, ...own, ...options.errorMessages };
    if (this.readOnly && this.writeOnly)
      throw new PorticoError('PORTICO_ERR_API_SERIALIZER', 'a field may not be both readOnly and writeOnly');
    if (this.required && this.hasDefault)
      throw new PorticoError('PORTICO_ERR_API_SERIALIZER', 'a field may not be required and have a default');
  }

  /**
   * The JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) of this field's representation:
   * {@link schemaType} plus `null` when allowed, `readOnly`/`writeOnly`, the default, the
   * label and help text.
   */
  toJsonSchema(): Record<string, unknown> {
    let schema: Record<string, unknown> = { ...this.schemaType() };
    if (this.allowNull) {
      if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
      else if (Array.isArray(schema.type)) schema.type = [...(schema.type as string[]), 'null'];
      else if (Object.keys(schema).length > 0) schema = { anyOf: [schema, { type: 'null' }] };
    }
    if (this.readOnly) schema.readOnly = true;
    if (this.writeOnly) schema.writeOnly = true;
    const d = this.options.default;
    if (
      d !== undefined &&
      typeof d !== 'function' &&
      (d === null || typeof d !== 'object' || Array.isArray(d))
    )
      schema.default = d;
    if (this.options.label !== undefined) schema.title = this.options.label;
    if (this.options.helpText !== undefined) schema.description = this.options.helpText;
    return schema;
  }

  /** The type part of {@link toJsonSchema} (`{ type: 'string', maxLength: 20 }`); `{}` is any value. */
  protected schemaType(): Record<string, unknown> {
    return {};
  }

  /** The default value (a function default is called each time). */
  getDefault(): T {
    const d = this.options.default;
    return (typeof d === 'function' ? (d as () => T)() : d) as T;
  }

  /**
   * Records a failure with the message of `code` (formatted with `params` when given) and
   * returns {@link FAIL}. Messages without parameters are built once per field.
   */
  fail(run: Run, code: string, params?: Readonly<Record<string, unknown>>): typeof FAIL {
    if (params === undefined) {
      let list = this.#fixed.get(code);
      if (list === undefined) {
        // Shared by every failure of this field: frozen, so no caller can change another's errors.
        list = Object.freeze([new ErrorDetail(this.messages[code] ?? code, code)]);
        this.#fixed.set(code, list);
      }
      run.error = list;
    } else {
      run.error = [new ErrorDetail(format(this.messages[code] ?? code, params), code)];
    }
    return FAIL;
  }

  /** A value given in the input, as the validated data holds it; or {@link FAIL}. */
  abstract toInternal(data: unknown, run: Run, site: Site): unknown;

  /**
   * The field's check for a serializer's compiled validation: an expression over `v` (a
   * value read from the input, possibly `undefined` or `null`) that is true only when
   * {@link validateInput} would accept the value without changing it (or produce `value`),
   * with no validator to run; `null` (the default) when the field has no such check. A false
   * test is never an error: the value then takes the field's whole path ({@link validateInput}),
   * so the test may be narrower than the field (say false for what it does not know). A
   * serializer uses the check only when the field's own class defines it, so a subclass
   * that changes the conversion falls back to its methods.
   */
  inlineCheck(_v: string, _ref: InlineRef): InlineCheck | null {
    return null;
  }

  /** The attribute of an object this field shows (a relation falls back to `<name>Id`). */
  getAttribute(instance: Record<string, unknown>, source: string): unknown {
    return instance[source];
  }

  /** A validated value (or an attribute of an instance), as `data` shows it. */
  toRepresentation(value: unknown): unknown {
    return value;
  }

  /**
   * A given value (not missing, not null) converted then checked by the validators:
   * the value, {@link FAIL}, or a promise of either when a validator is async.
   */
  runValidation(data: unknown, run: Run, site: Site): unknown {
    const value = this.toInternal(data, run, site);
    if (value === FAIL || this.validators.length === 0) return value;
    if (isPromise(value))
      return value.then((v) => (v === FAIL ? FAIL : runValidators(this.validators, v as T, run, site)));
    return runValidators(this.validators, value as T, run, site);
  }

  /**
   * The whole of DRF's `run_validation` for a value read from the input (`undefined` when
   * the key is missing): the empty-value rules, then {@link runValidation}.
   */
  validateInput(data: unknown, run: Run, site: Site): unknown {
    if (data === undefined) {
      if (run.partial) return SKIP;
      if (this.required) return this.fail(run, 'required');
      return this.hasDefault ? this.getDefault() : SKIP;
    }
    if (data === null) return this.allowNull ? null : this.fail(run, 'null');
    return this.runValidation(data, run, site);
  }
}

/**
 * Runs every validator on a value and collects their messages (DRF runs them all):
 * the value, {@link FAIL}, or a promise of either.
 */
export function runValidators<T>(
  validators: ReadonlyArray<Validator<T>>,
  value: T,
  run: Run,
  site: Site,
): unknown {
  const ctx: ValidatorContext = { name: site.name, source: site.source, run };
  const finish = (errors: ErrorTree[] | null) => {
    if (errors === null) return value;
    run.error = errors;
    return FAIL;
  };
  const outcome = collectValidation(validators, value, ctx);
  return isPromise(outcome) ? outcome.then(finish) : finish(outcome);
}

/**
 * Calls each validator with `value` and `context` and gathers what they say: a returned string or
 * {@link ErrorDetail}, or a thrown `ValidationError`'s messages. All of them run, as DRF's
 * do. Null when none failed; a promise of the same when one answered asynchronously.
 */
export function collectValidation<T, C>(
  validators: ReadonlyArray<(value: T, context: C) => unknown>,
  value: T,
  context: C,
): ErrorTree[] | null | Promise<ErrorTree[] | null> {
  let errors: ErrorTree[] | null = null;
  let pending: Promise<unknown>[] | null = null;
  const collect = (result: unknown) => {
    if (result === undefined) return;
    const detail = typeof result === 'string' ? new ErrorDetail(result, 'invalid') : result;
    if (detail instanceof ErrorDetail) (errors ??= []).push(detail);
  };
  const collectError = (error: unknown) => {
    const tree = caught(error);
    if (Array.isArray(tree)) (errors ??= []).push(...(tree as ErrorTree[]));
    else (errors ??= []).push(tree);
  };
  for (const validator of validators) {
    try {
      const result = validator(value, context);
      if (isPromise(result)) (pending ??= []).push(result.then(collect, collectError));
      else collect(result);
    } catch (error) {
      collectError(error);
    }
  }
  return pending === null ? errors : Promise.all(pending).then(() => errors);
}
