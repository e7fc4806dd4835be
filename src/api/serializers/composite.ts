/**
 * Fields that hold other values: lists, dictionaries, any JSON, and read-only values
 * computed by the serializer (DRF's `SerializerMethodField`). A list's errors are keyed
 * by the index of each failing item (DRF 3.18: `{"tags": {"1": ["A valid integer is
 * required."]}}`).
 *
 * @module
 */
import type { ErrorTree } from '../exceptions.ts';
import {
  FAIL,
  Field,
  type FieldFlags,
  type FieldOptions,
  type FlagsOf,
  generate,
  type InlineCheck,
  inlineCheckOf,
  type InlineRef,
  type Nullable,
  pythonType,
  refsInto,
  type Run,
  SKIP,
  type Site,
} from './field.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field, whatever its types.
export type AnyField = Field<any, any, FieldFlags>;

/** Options of {@link ListField}. */
export interface ListOptions<C extends AnyField> extends FieldOptions<Array<C['__value']>> {
  /** The field every item is validated with. */
  readonly child: C;
  /** `[]` is accepted (default true). */
  readonly allowEmpty?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** Runs `child` on every item; errors keyed by index; a promise when a child is async. */
export function runChildren(child: AnyField, items: readonly unknown[], run: Run, site: Site): unknown {
  return eachChild(child, items, null, run, site, new Array(items.length) as never, null, 0);
}

/**
 * The children from index `i` on. An async child is awaited before the next one starts:
 * a failure's messages travel on `run.error`, which two children running at once would
 * overwrite.
 */
function eachChild(
  child: AnyField,
  values: readonly unknown[],
  keys: readonly string[] | null,
  run: Run,
  site: Site,
  out: Record<string | number, unknown>,
  errors: Record<string, ErrorTree> | null,
  i: number,
): unknown {
  for (; i < values.length; i++) {
    const item = values[i];
    const key = keys === null ? i : (keys[i] as string);
    const value = child.validateInput(item === undefined ? null : item, run, site);
    if (value instanceof Promise) {
      const at = i;
      return value.then((v) => {
        const errs = settleChild(v, key, run, out, errors);
        return eachChild(child, values, keys, run, site, out, errs, at + 1);
      });
    }
    errors = settleChild(value, key, run, out, errors);
  }
  if (errors === null) return out;
  run.error = errors;
  return FAIL;
}

function settleChild(
  value: unknown,
  key: string | number,
  run: Run,
  out: Record<string | number, unknown>,
  errors: Record<string, ErrorTree> | null,
): Record<string, ErrorTree> | null {
  if (value === FAIL) {
    (errors ??= {})[key] = run.error as ErrorTree;
    return errors;
  }
  out[key] = value;
  return errors;
}

class ListFieldType extends Field<unknown[], unknown[]> {
  static override readonly metadataType: string = 'list';
  static override readonly messages = {
    not_a_list: 'Expected a list of items but got type "{input_type}".',
    empty: 'This list may not be empty.',
    min_length: 'Ensure this field has at least {min_length} elements.',
    max_length: 'Ensure this field has no more than {max_length} elements.',
  };
  readonly child: AnyField;
  readonly allowEmpty: boolean;
  readonly minLength: number;
  readonly maxLength: number;
  protected override schemaType(): Record<string, unknown> {
    const schema: Record<string, unknown> = { type: 'array', items: this.child.toJsonSchema() };
    const min = Math.max(this.minLength, this.allowEmpty ? 0 : 1);
    if (min > 0) schema.minItems = min;
    if (Number.isFinite(this.maxLength)) schema.maxItems = this.maxLength;
    return schema;
  }

  constructor(options: ListOptions<AnyField>) {
    super(options);
    this.child = options.child;
    this.allowEmpty = options.allowEmpty !== false;
    this.minLength = options.minLength ?? 0;
    this.maxLength = options.maxLength ?? Infinity;
  }
  /** A list within its lengths whose every item passes the child's inline check: a copy of it. */
  override inlineCheck(v: string, ref: InlineRef): InlineCheck | null {
    const refs = new Map<string, unknown>();
    const item = inlineCheckOf(this.child, 'x', refsInto(refs));
    if (item === null || item.value !== undefined) return null;
    const every = generate<(items: unknown[]) => boolean>(
      refs,
      `return function everyItem(a) {
        for (let i = 0; i < a.length; i++) { const x = a[i]; if (!(${item.test})) return false; }
        return true;
      };`,
    );
    if (every === null) return null;
    let test = `Array.isArray(${v}) && ${v}.length >= ${Math.max(this.minLength, this.allowEmpty ? 0 : 1)}`;
    if (Number.isFinite(this.maxLength)) test += ` && ${v}.length <= ${this.maxLength}`;
    return { test: `${test} && ${ref(every)}(${v})`, value: `${v}.slice()` };
  }

  toInternal(data: unknown, run: Run, site: Site): unknown {
    if (!Array.isArray(data)) return this.fail(run, 'not_a_list', { input_type: pythonType(data) });
    if (data.length === 0 && !this.allowEmpty) return this.fail(run, 'empty');
    const out = runChildren(this.child, data, run, site);
    return out instanceof Promise ? out.then((v) => this.#lengths(v, run)) : this.#lengths(out, run);
  }
  #lengths(value: unknown, run: Run): unknown {
    if (value === FAIL) return FAIL;
    const n = (value as unknown[]).length;
    if (n > this.maxLength) return this.fail(run, 'max_length', { max_length: this.maxLength });
    if (n < this.minLength) return this.fail(run, 'min_length', { min_length: this.minLength });
    return value;
  }
  override toRepresentation(value: unknown): unknown {
    if (!Array.isArray(value)) return value;
    return value.map((item) =>
      item === null || item === undefined ? null : this.child.toRepresentation(item),
    );
  }
}

/** A list whose items are validated by `child`: `ListField({ child: IntegerField(), maxLength: 10 })`. */
export function ListField<C extends AnyField, const O extends ListOptions<C>>(
  options: O & ListOptions<C>,
): Field<Nullable<Array<C['__value']>, O>, Nullable<Array<C['__repr']>, O>, FlagsOf<O>> {
  return new ListFieldType(options) as never;
}

/** Options of {@link DictField}. */
export interface DictOptions<C extends AnyField> extends FieldOptions<Record<string, C['__value']>> {
  /** The field every value is validated with (default: any value). */
  readonly child?: C;
  readonly allowEmpty?: boolean;
}

class DictFieldType extends Field<Record<string, unknown>> {
  static override readonly metadataType: string = 'nested object';
  static override readonly messages = {
    not_a_dict: 'Expected a dictionary of items but got type "{input_type}".',
    empty: 'This dictionary may not be empty.',
  };
  readonly child: AnyField | undefined;
  readonly allowEmpty: boolean;
  protected override schemaType(): Record<string, unknown> {
    return { type: 'object', additionalProperties: this.child?.toJsonSchema() ?? true };
  }

  constructor(options: DictOptions<AnyField>) {
    super(options);
    this.child = options.child;
    this.allowEmpty = options.allowEmpty !== false;
  }
  toInternal(data: unknown, run: Run, site: Site): unknown {
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      return this.fail(run, 'not_a_dict', { input_type: pythonType(data) });
    const keys = Object.keys(data);
    if (keys.length === 0 && !this.allowEmpty) return this.fail(run, 'empty');
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    if (this.child === undefined) return Object.assign(out, data);
    const values = keys.map((key) => (data as Record<string, unknown>)[key]);
    return eachChild(this.child, values, keys, run, site, out, null, 0);
  }
}

/** A dictionary with string keys, each value validated by `child` when given. */
export function DictField<C extends AnyField, const O extends DictOptions<C>>(
  options?: O & DictOptions<C>,
): Field<
  Nullable<Record<string, C extends AnyField ? C['__value'] : unknown>, O>,
  Nullable<Record<string, C extends AnyField ? C['__repr'] : unknown>, O>,
  FlagsOf<O>
> {
  return new DictFieldType(options ?? {}) as never;
}

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

class JSONFieldType extends Field<JsonValue> {
  static override readonly messages = { invalid: 'Value must be valid JSON.' };
  toInternal(data: unknown, run: Run): unknown {
    return isJson(data, 0) ? data : this.fail(run, 'invalid');
  }
}

function isJson(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
      return Object.values(value).every((v) => isJson(v, depth + 1));
    default:
      return false;
  }
}

/** Any JSON value (what the parser gave), checked to be JSON. */
export function JSONField<T extends JsonValue = JsonValue, const O extends FieldOptions<T> = FieldOptions<T>>(
  options?: O,
): Field<Nullable<T, O>, Nullable<T, O>, FlagsOf<O>> {
  return new JSONFieldType(options as never) as never;
}

/** A computed value: given the object and the serializer, returns what `data` shows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the object's type is the serializer's.
export type MethodOf<R> = (instance: any, serializer: any) => R;

/** A read-only field whose value a function (or the serializer's `get<Name>` method) computes. */
export class MethodFieldType extends Field<
  unknown,
  unknown,
  { readOnly: true; writeOnly: false; optional: true }
> {
  readonly method: MethodOf<unknown> | undefined;
  constructor(method?: MethodOf<unknown>) {
    super({ readOnly: true });
    this.method = method;
  }
  toInternal(): unknown {
    return SKIP;
  }
}

/**
 * A read-only value computed from the object (DRF's `SerializerMethodField`): by the given
 * function, else by the serializer's method `get<Name>(instance)` (`getWordCount` for
 * `wordCount`). Its type is the function's result, or `R` when given.
 */
export function SerializerMethodField<R = unknown>(
  method?: MethodOf<R>,
): Field<unknown, R, { readOnly: true; writeOnly: false; optional: true }> {
  return new MethodFieldType(method) as never;
}
