/**
 * DRF's `Serializer`: `isValid()` → `errors` / `validatedData` → `save()` → `create()` or
 * `update()`; `data` is the representation of the instance (or of the validated data).
 * A class is declared with fields (`Serializer.of({ title: CharField() })`) or a Standard
 * Schema (`Serializer.of(z.object({...}))`); its validated data and `data` are typed from
 * that declaration. The class compiles its validation once, on first use; an instance
 * only holds its arguments, so making one per request costs next to nothing.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import { ErrorDetail, type ErrorTree, ValidationError } from '../exceptions.ts';
import '../errors.ts';
import { runChildren } from './composite.ts';
import {
  FAIL,
  Field,
  type FieldOptions,
  type FlagsOf,
  type Nullable,
  pythonType,
  type Run,
  type Site,
} from './field.ts';
import { FieldsPlan, type Host, type ObjectValidator, type Plan, setBaseValidate } from './plan.ts';
import {
  type InferOutput,
  isStandardSchema,
  SchemaPlan,
  type StandardSchemaV1,
  standardJsonSchema,
} from './standard.ts';
import type { DataOf, FieldMap, ValidatedOf } from './types.ts';

/** What a serializer is made with. */
export interface SerializerArgs<I> {
  /** The object to show (`data`) or to update (`save()` calls `update`). */
  readonly instance?: I | null;
  /** The input to validate (a parsed request body). */
  readonly data?: unknown;
  /** Missing fields are allowed and defaults are not applied (PATCH). */
  readonly partial?: boolean;
  /** What the view passes to fields and validators (`request`, `view`). */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** Options of {@link Serializer.isValid}. */
export interface IsValidOptions {
  /** Throw a {@link ValidationError} (400, the error tree) instead of returning false. */
  readonly raiseException?: boolean;
}

/** A serializer class: what `Serializer.of(...)` returns, to extend or to use as it is. */
export interface SerializerClass<V, D, I, S extends Serializer<V, D, I> = Serializer<V, D, I>> {
  new (args?: SerializerArgs<I>): S;
  /** This serializer as a nested field of another (`many: true` for a list of them). */
  asField<const O extends NestedOptions>(
    options?: O,
  ): Field<
    Nullable<O extends { readonly many: true } ? V[] : V, O>,
    Nullable<O extends { readonly many: true } ? D[] : D, O>,
    FlagsOf<O>
  >;
  /** A {@link ListSerializer} of this serializer (DRF's `many=True`). */
  many(args?: SerializerArgs<readonly I[]>): ListSerializer<V, D, I>;
  /** The JSON Schema of its objects (for OpenAPI). */
  jsonSchema(): Record<string, unknown>;
  validators: readonly ObjectValidator[];
}

/** The validated data type of a serializer class or instance. */
export type ValidatedData<S> = S extends { readonly validatedData: infer V }
  ? V
  : S extends abstract new (...args: never[]) => { readonly validatedData: infer V }
    ? V
    : never;
/** The `data` type of a serializer class or instance. */
export type SerializedData<S> = S extends { readonly data: infer D }
  ? D
  : S extends abstract new (...args: never[]) => { readonly data: infer D }
    ? D
    : never;

const plans = new WeakMap<object, Plan>();
const NO_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});
const YES = Promise.resolve(true);
const NO = Promise.resolve(false);

function usage(message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_API_SERIALIZER', message);
}

type AnySerializerClass = typeof Serializer<unknown, unknown, unknown>;

/** The compiled plan of a serializer class (compiled on first use, then shared). */
export function planOf(cls: AnySerializerClass): Plan {
  let plan = plans.get(cls);
  if (plan === undefined) {
    plan = cls.compile();
    plans.set(cls, plan);
  }
  return plan;
}

/** A hooks host for nested use: an instance of the class without arguments, made once. */
const hosts = new WeakMap<object, Host>();
function hostOf(cls: AnySerializerClass): Host {
  let host = hosts.get(cls);
  if (host === undefined) {
    host = new cls() as unknown as Host;
    hosts.set(cls, host);
  }
  return host;
}

/**
 * A serializer (DRF's `Serializer`). Declare one with {@link Serializer.of}; override
 * `validate<Field>(value)` hooks, `validate(attrs)`, `create(data)` and `update(instance, data)`.
 *
 * @typeParam V - the validated data.
 * @typeParam D - `data`, the representation.
 * @typeParam I - the instance `save()` returns.
 */
export class Serializer<V = Record<string, unknown>, D = Record<string, unknown>, I = unknown> {
  /** The declared fields (set by {@link Serializer.of}). */
  static declaredFields: FieldMap | undefined;
  /** The Standard Schema (set by {@link Serializer.of}). */
  static schema: StandardSchemaV1 | undefined;
  /** Class-level validators (DRF's `Meta.validators`), run with the attributes after the fields. */
  static validators: readonly ObjectValidator[] = [];

  instance: I | null;
  readonly initialData: unknown;
  readonly partial: boolean;
  readonly context: Readonly<Record<string, unknown>>;
  #validated: V | undefined = undefined;
  #errors: ErrorTree | undefined = undefined;
  #data: D | undefined = undefined;

  constructor(args: SerializerArgs<I> = {}) {
    this.instance = args.instance ?? null;
    this.initialData = args.data;
    this.partial = args.partial === true;
    this.context = args.context ?? NO_CONTEXT;
  }

  /**
   * A serializer class from fields (`{ title: CharField({ maxLength: 100 }) }`) or a
   * Standard Schema (`z.object({...})`); extend it to add hooks, `validate`, `create`, `update`.
   */
  static of<const F extends FieldMap>(fields: F): SerializerClass<ValidatedOf<F>, DataOf<F>, unknown>;
  static of<S extends StandardSchemaV1>(schema: S): SerializerClass<InferOutput<S>, InferOutput<S>, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads give the types.
  static of(declaration: FieldMap | StandardSchemaV1): SerializerClass<any, any, unknown> {
    const cls = class extends Serializer<unknown, unknown, unknown> {};
    if (isStandardSchema(declaration)) cls.schema = declaration;
    else cls.declaredFields = declaration;
    return cls as never;
  }

  /** Compiles this class's validation (once per class; see {@link planOf}). */
  static compile(this: AnySerializerClass): Plan {
    if (this.schema !== undefined)
      return new SchemaPlan(
        this.schema as StandardSchemaV1,
        this.prototype,
        Serializer.prototype,
        this.validators,
      );
    if (this.declaredFields === undefined)
      throw usage(
        `${this.name || 'Serializer'} declares no fields: make it with Serializer.of(fields or schema)`,
      );
    return new FieldsPlan(this.declaredFields, this.prototype, this.validators);
  }

  /** This serializer as a nested field of another. */
  /**
   * The JSON Schema (draft 2020-12) of this serializer's objects, for OpenAPI: each field's
   * schema (`readOnly`/`writeOnly` marked), `required` listing the writable required ones.
   * A Standard Schema serializer asks its library (`['~standard'].jsonSchema`, Zod 4.2+,
   * ArkType); without that, any object.
   */
  static jsonSchema(this: AnySerializerClass): Record<string, unknown> {
    const plan = planOf(this);
    if (plan instanceof FieldsPlan) {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [name, field] of Object.entries(plan.fields)) {
        properties[name] = field.toJsonSchema();
        if (field.required && !field.readOnly) required.push(name);
      }
      return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
    }
    return standardJsonSchema(this.schema);
  }

  static asField<const O extends NestedOptions>(this: AnySerializerClass, options?: O): never {
    return new NestedField(this, options ?? {}) as never;
  }

  /** A {@link ListSerializer} of this serializer (DRF's `many=True`). */
  static many<V, D, I>(
    this: new (args?: SerializerArgs<I>) => Serializer<V, D, I>,
    args: SerializerArgs<readonly I[]> = {},
  ): ListSerializer<V, D, I> {
    return new ListSerializer(this as unknown as AnySerializerClass, args) as ListSerializer<V, D, I>;
  }

  /**
   * Validates `data` once (later calls answer the same): true when valid. With
   * `raiseException`, a failure throws a {@link ValidationError} (400) with the error tree.
   * Without async validators no promise is made until this resolved one is returned.
   */
  isValid(options?: IsValidOptions): Promise<boolean> {
    const raise = options?.raiseException === true;
    if (this.initialData === undefined && this.#errors === undefined) {
      throw usage('Cannot call isValid() as no `data` was passed when making the serializer.');
    }
    if (this.#errors === undefined) {
      const run: Run = { error: null, partial: this.partial, context: this.context, instance: this.instance };
      const cls = this.constructor as AnySerializerClass;
      const result = this.runValidation(this.initialData, run, planOf(cls));
      if (result instanceof Promise)
        return result.then((value) => {
          if (this.#settle(value, run) || !raise) return this.#validated !== undefined;
          throw new ValidationError(this.#errors);
        });
      if (this.#settle(result, run)) return YES;
      return raise ? Promise.reject(new ValidationError(this.#errors)) : NO;
    }
    if (raise && this.#validated === undefined) return Promise.reject(new ValidationError(this.#errors));
    return this.#validated === undefined ? NO : YES;
  }

  /**
   * {@link isValid} without a promise, as DRF's `is_valid()`: true or false at once, and with
   * `raiseException` a failure throws the {@link ValidationError} (400) here. For serializers
   * whose validators and hooks answer synchronously — the built-in fields, and any validator
   * that returns rather than resolves; a handler that uses it needs no `await`:
   *
   * ```ts
   * post(request: Request) {
   *   const serializer = new PersonSerializer({ data: request.data });
   *   serializer.isValidSync({ raiseException: true });
   *   return new Response(serializer.data, { status: 201 });
   * }
   * ```
   *
   * @throws PorticoError (`PORTICO_ERR_API_SERIALIZER`) when a validator or hook answered with
   * a promise (a `UniqueValidator`, an `async` hook): such a serializer needs `await isValid()`.
   * It is then left unvalidated.
   */
  isValidSync(options?: IsValidOptions): boolean {
    if (this.initialData === undefined && this.#errors === undefined) {
      throw usage('Cannot call isValidSync() as no `data` was passed when making the serializer.');
    }
    if (this.#errors === undefined) {
      const run: Run = { error: null, partial: this.partial, context: this.context, instance: this.instance };
      const cls = this.constructor as AnySerializerClass;
      const result = this.runValidation(this.initialData, run, planOf(cls));
      if (result instanceof Promise) {
        // Its outcome is not used; a failure of it must not become an unhandled rejection.
        result.catch(() => {});
        throw usage(
          `${cls.name || 'Serializer'}: a validator or hook answered asynchronously, so isValidSync() cannot; use \`await serializer.isValid()\`.`,
        );
      }
      this.#settle(result, run);
    }
    if (this.#validated === undefined && options?.raiseException === true)
      throw new ValidationError(this.#errors);
    return this.#validated !== undefined;
  }

  /** The whole validation of `data` (the empty checks, then the plan); subclasses may wrap it. */
  protected runValidation(data: unknown, run: Run, plan: Plan): unknown {
    if (data === null) {
      run.error = { non_field_errors: [new ErrorDetail('No data provided', 'null')] };
      return FAIL;
    }
    return plan.validate(data, run, this as unknown as Host);
  }

  #settle(value: unknown, run: Run): boolean {
    if (value === FAIL) {
      this.#errors = run.error as ErrorTree;
      this.#validated = undefined;
      return false;
    }
    this.#errors = EMPTY;
    this.#validated = value as V;
    return true;
  }

  /** The messages of the last validation: `{}` when valid (DRF's `errors`). */
  get errors(): Readonly<Record<string, ErrorTree>> {
    if (this.#errors === undefined) throw usage('You must call `.isValid()` before accessing `.errors`.');
    return this.#errors as Readonly<Record<string, ErrorTree>>;
  }

  /** The validated data, typed from the declaration (after a successful {@link isValid}). */
  get validatedData(): V {
    if (this.#errors === undefined)
      throw usage('You must call `.isValid()` before accessing `.validatedData`.');
    if (this.#validated === undefined)
      throw usage('The data is not valid: there is no `.validatedData` (read `.errors`).');
    return this.#validated;
  }

  /** The representation: of the instance, else of the validated data, else the initial data. */
  get data(): D {
    if (this.#data !== undefined) return this.#data;
    const plan = planOf(this.constructor as AnySerializerClass);
    if (this.initialData !== undefined && this.#errors === undefined)
      throw usage(
        'When a serializer is given `data` you must call `.isValid()` before reading its `.data` representation.',
      );
    let out: unknown;
    if (this.instance !== null && (this.#errors === undefined || this.#errors === EMPTY))
      out = plan.represent(this.instance, this as unknown as Host);
    else if (this.#validated !== undefined) out = plan.represent(this.#validated, this as unknown as Host);
    else out = this.initialData;
    this.#data = out as D;
    return this.#data;
  }

  /**
   * Object-level validation, after the fields and the class validators: return the
   * attributes (changed or not) or throw a {@link ValidationError}. Not run when a field failed.
   */
  validate(attrs: V): V | Promise<V> {
    return attrs;
  }

  /** Makes the object from validated data (`save()` without an instance). */
  create(_validatedData: V): I | Promise<I> {
    throw usage(`${this.constructor.name || 'Serializer'}: \`create()\` must be implemented.`);
  }

  /** Updates `instance` with validated data (`save()` with an instance). */
  update(_instance: I, _validatedData: V): I | Promise<I> {
    throw usage(`${this.constructor.name || 'Serializer'}: \`update()\` must be implemented.`);
  }

  /**
   * Calls `create` or `update` with the validated data and `extra` merged in (values the
   * request decides, `{ owner: request.user }`); the result becomes `instance`.
   */
  async save(extra: Readonly<Record<string, unknown>> = {}): Promise<I> {
    if (this.#errors === undefined) throw usage('You must call `.isValid()` before calling `.save()`.');
    if (this.#validated === undefined)
      throw usage('You cannot call `.save()` on a serializer with invalid data.');
    if (this.#data !== undefined)
      throw usage(
        'You cannot call `.save()` after accessing `serializer.data`; inspect `serializer.validatedData` instead.',
      );
    const validated = { ...this.#validated, ...extra } as V;
    this.instance =
      this.instance !== null ? await this.update(this.instance, validated) : await this.create(validated);
    return this.instance as I;
  }
}

const EMPTY: ErrorTree = Object.freeze({});
const LIST_SITE: Site = Object.freeze({ name: '', source: '' });
setBaseValidate(Serializer.prototype.validate);

/** Options of a nested serializer field (`UserSerializer.asField({ readOnly: true })`). */
export interface NestedOptions extends FieldOptions<unknown> {
  /** A list of them (DRF's `many=True`). */
  readonly many?: boolean;
  /** With `many`, `[]` is accepted (default true). */
  readonly allowEmpty?: boolean;
}

/** A serializer used as a field of another: its errors nest under the field's name. */
export class NestedField extends Field<unknown, unknown> {
  static override readonly metadataType: string = 'nested object';
  static override readonly messages = {
    not_a_list: 'Expected a list of items but got type "{input_type}".',
    empty: 'This list may not be empty.',
  };
  readonly serializer: AnySerializerClass;
  readonly many: boolean;
  readonly allowEmpty: boolean;
  #one: NestedField | null = null;

  constructor(serializer: AnySerializerClass, options: NestedOptions) {
    super(options as FieldOptions<unknown>);
    this.serializer = serializer;
    this.many = options.many === true;
    this.allowEmpty = options.allowEmpty !== false;
  }

  protected override schemaType(): Record<string, unknown> {
    const one = this.serializer.jsonSchema();
    return this.many ? { type: 'array', items: one, ...(this.allowEmpty ? {} : { minItems: 1 }) } : one;
  }

  toInternal(data: unknown, run: Run, site: Site): unknown {
    if (!this.many) return planOf(this.serializer).validate(data, run, hostOf(this.serializer));
    if (!Array.isArray(data)) return this.fail(run, 'not_a_list', { input_type: pythonType(data) });
    if (data.length === 0 && !this.allowEmpty) return this.fail(run, 'empty');
    this.#one ??= new NestedField(this.serializer, {});
    return runChildren(this.#one, data, run, site);
  }

  override toRepresentation(value: unknown): unknown {
    const plan = planOf(this.serializer);
    const host = hostOf(this.serializer);
    if (this.many) {
      const items = value as Iterable<unknown>;
      return Array.from(items, (item) => plan.represent(item, host));
    }
    return plan.represent(value, host);
  }
}

/**
 * A list of objects, each through one serializer (DRF's `ListSerializer`, made by
 * `MySerializer.many({ data })`): errors keyed by index, `data` a list, `save()` creates each.
 */
export class ListSerializer<V, D, I> {
  readonly child: AnySerializerClass;
  instance: readonly I[] | null;
  readonly initialData: unknown;
  readonly context: Readonly<Record<string, unknown>>;
  readonly #field: NestedField;
  #validated: V[] | undefined;
  #errors: ErrorTree | undefined;

  constructor(child: AnySerializerClass, args: SerializerArgs<readonly I[]>) {
    this.child = child;
    this.instance = args.instance ?? null;
    this.initialData = args.data;
    this.context = args.context ?? {};
    this.#field = new NestedField(child, { many: true });
  }

  /** Validates every item; true when all are valid. */
  async isValid(options: IsValidOptions = {}): Promise<boolean> {
    if (this.#errors === undefined) {
      const run: Run = { error: null, partial: false, context: this.context, instance: null };
      this.#settle(await this.#field.validateInput(this.initialData, run, LIST_SITE), run);
    }
    return this.#answer(options);
  }

  /**
   * {@link isValid} without a promise (see {@link Serializer.isValidSync}).
   *
   * @throws PorticoError (`PORTICO_ERR_API_SERIALIZER`) when an item's validation answered asynchronously.
   */
  isValidSync(options: IsValidOptions = {}): boolean {
    if (this.#errors === undefined) {
      const run: Run = { error: null, partial: false, context: this.context, instance: null };
      const value = this.#field.validateInput(this.initialData, run, LIST_SITE);
      if (value instanceof Promise) {
        value.catch(() => {}); // its outcome is not used
        throw usage(
          `${this.child.name || 'Serializer'}.many(): a validator or hook answered asynchronously, so isValidSync() cannot; use \`await serializer.isValid()\`.`,
        );
      }
      this.#settle(value, run);
    }
    return this.#answer(options);
  }

  #settle(value: unknown, run: Run): void {
    if (value === FAIL) {
      const tree = run.error as ErrorTree;
      this.#errors = Array.isArray(tree) ? { non_field_errors: tree } : tree;
    } else {
      this.#errors = EMPTY;
      this.#validated = value as V[];
    }
  }

  #answer(options: IsValidOptions): boolean {
    if (options.raiseException === true && this.#validated === undefined)
      throw new ValidationError(this.#errors);
    return this.#validated !== undefined;
  }

  /** `{}` when valid; else the failing items' errors keyed by index. */
  get errors(): Readonly<Record<string, ErrorTree>> {
    if (this.#errors === undefined) throw usage('You must call `.isValid()` before accessing `.errors`.');
    return this.#errors as Readonly<Record<string, ErrorTree>>;
  }

  get validatedData(): V[] {
    if (this.#validated === undefined)
      throw usage('There is no `.validatedData`: call `.isValid()` and check it.');
    return this.#validated;
  }

  /** The list's representation. */
  get data(): D[] {
    const source = this.instance ?? this.#validated;
    if (source === null || source === undefined) return [];
    return this.#field.toRepresentation(source) as D[];
  }

  /** Creates each object with the child serializer's `create` (`extra` merged into each). */
  async save(extra: Readonly<Record<string, unknown>> = {}): Promise<I[]> {
    if (this.#validated === undefined)
      throw usage('You cannot call `.save()` on a serializer with invalid data.');
    if (this.instance !== null)
      throw usage('ListSerializer does not update a list; implement it on a subclass.');
    const host = new this.child({ context: this.context }) as unknown as Serializer<V, D, I>;
    const out: I[] = [];
    for (const item of this.#validated) out.push(await host.create({ ...item, ...extra } as V));
    this.instance = out;
    return out;
  }
}
