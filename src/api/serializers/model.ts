/**
 * DRF's `ModelSerializer`: the fields, their rules and uniqueness derived from a model of
 * the database layer; relations by primary key (or nested, read-only, with `depth`);
 * `create` and `update` through the model. Declared with
 * `ModelSerializer.for(Article, { fields: ['id', 'title', 'author'] })`; a name that is
 * not a field of the model is a compile error (and a clear error at run time).
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import {
  type AnyField as AnyModelField,
  type AnyModelClass,
  type Instance,
  type ModelClass,
  Model,
  relatedModel,
} from '../../db/models.ts';
import {
  type AutoFieldType,
  DateTimeFieldType,
  ForeignKeyType,
  ManyToManyFieldType,
} from '../../db/fields.ts';
import { type AnyField, JSONField } from './composite.ts';
import type { Field, FieldOptions, Validator } from './field.ts';
import {
  BooleanField,
  CharField,
  ChoiceField,
  DateField,
  DateTimeField,
  DecimalField,
  EmailField,
  FloatField,
  IntegerField,
  SlugField,
  URLField,
  UUIDField,
} from './fields.ts';
import { FieldsPlan, type ObjectValidator, type Plan } from './plan.ts';
import { PrimaryKeyRelatedField } from './relations.ts';
import { NestedField, Serializer, type SerializerClass } from './serializer.ts';
import type { DataOf, FieldMap, ValidatedOf } from './types.ts';
import { UniqueTogetherValidator, UniqueValidator } from './validators.ts';

function usage(message: string): PorticoError {
  return new PorticoError('PORTICO_ERR_API_SERIALIZER', message);
}

// ------------------------------------------------------------------ types from the model

type DeclaredFieldsOf<M> = M extends ModelClass<infer D> ? D['fields'] : never;
type WithPk<F> = 'id' extends keyof F ? F : F & { readonly id: AutoFieldType };
type ModelFieldsOf<M> = WithPk<DeclaredFieldsOf<M>>;
type IsM2M<Fd> = Fd extends { readonly __m2m: unknown } ? true : false;

/** The names of a model's fields a serializer can show (not many-to-many ones). */
export type ModelFieldNames<M> = {
  [K in keyof ModelFieldsOf<M> & string]: IsM2M<ModelFieldsOf<M>[K]> extends true ? never : K;
}[keyof ModelFieldsOf<M> & string];

type ValueOfField<Fd> = Fd extends { readonly __value: infer T; readonly __null: infer N }
  ? N extends true
    ? T | null
    : T
  : never;
type NullOf<Fd> = Fd extends { readonly __null: true } ? null : never;
type TargetInstance<Fd> = Fd extends { readonly __target: infer T }
  ? T extends ModelClass<infer D>
    ? Instance<D>
    : unknown
  : never;
type IsRelation<Fd> = Fd extends { readonly __target: unknown } ? true : false;
type Repr<V> = V extends Date ? string : V extends Date | null ? string | null : V;

/** A model field as the serializer field ModelSerializer makes of it (types only). */
type AsField<Fd, RO extends boolean, WO extends boolean, Depth extends number> = Field<
  IsRelation<Fd> extends true ? TargetInstance<Fd> | NullOf<Fd> : ValueOfField<Fd>,
  IsRelation<Fd> extends true
    ? Depth extends 0
      ? number | NullOf<Fd>
      : Record<string, unknown> | NullOf<Fd>
    : Repr<ValueOfField<Fd>>,
  {
    readonly source: undefined;
    readonly readOnly: Fd extends AutoFieldType ? true : RO;
    readonly writeOnly: WO;
    readonly optional: Fd extends { readonly __default: true } ? true : false;
  }
>;

type Names<T> = T extends readonly (infer K)[] ? K : never;

/** The fields a ModelSerializer declaration selects, as a field map (types only). */
export type ModelFieldMap<M, Dcl, Sel extends string, Ro, Ek, Depth extends number> = {
  [K in Sel]: K extends keyof Dcl
    ? Dcl[K]
    : K extends keyof ModelFieldsOf<M>
      ? AsField<
          ModelFieldsOf<M>[K],
          K extends Names<Ro>
            ? true
            : K extends keyof Ek
              ? Ek[K] extends { readonly readOnly: true }
                ? true
                : false
              : false,
          K extends keyof Ek ? (Ek[K] extends { readonly writeOnly: true } ? true : false) : false,
          Depth
        >
      : never;
};

/** What `ModelSerializer.for` accepts (DRF's `Meta`). */
export interface ModelSerializerOptions<K extends string, Dcl, Fs, Ex, Ro, Ek> {
  /** `'__all__'` or the names to show, model fields and declared fields alike. */
  readonly fields?: Fs;
  /** The model fields to leave out (instead of `fields`). */
  readonly exclude?: Ex;
  /** Fields shown but never written. */
  readonly readOnlyFields?: Ro;
  /** Options merged into the fields made from the model (`{ password: { writeOnly: true } }`). */
  readonly extraKwargs?: Ek & { readonly [P in Exclude<keyof Ek, K>]: never };
  /** Relations shown nested (read-only) this many levels deep instead of as keys. */
  readonly depth?: number;
  /** Fields declared on the serializer, replacing or adding to the model's. */
  readonly declared?: Dcl;
  /** Class-level validators, besides the unique-together ones derived from the model. */
  readonly validators?: readonly ObjectValidator[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- field options of any type.
type AnyOptions = FieldOptions<any> & Readonly<Record<string, unknown>>;

type Selected<M, Dcl, Fs, Ex> = [Fs] extends [never]
  ? [Ex] extends [never]
    ? never
    : Exclude<ModelFieldNames<M> | (keyof Dcl & string), Names<Ex>>
  : Fs extends '__all__'
    ? ModelFieldNames<M> | (keyof Dcl & string)
    : Names<Fs> & string;

/** The class `ModelSerializer.for` returns. */
export type ModelSerializerClass<M, F> =
  M extends ModelClass<infer D>
    ? SerializerClass<
        ValidatedOf<F>,
        DataOf<F>,
        Instance<D>,
        ModelSerializer<ValidatedOf<F>, DataOf<F>, Instance<D>>
      >
    : never;

// ------------------------------------------------------------------ building fields

/** `createdAt` → `created at` (Django's default verbose name). */
function verbose(name: string): string {
  return name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

function modelValidators(field: AnyModelField): Validator<unknown>[] {
  return (field.options.validators ?? []).map(
    (v: (value: unknown) => string | undefined | void) => (value: unknown) => v(value) ?? undefined,
  );
}

/** The serializer field ModelSerializer makes of a model field (DRF's `build_field`). */
export function buildField(
  model: AnyModelClass,
  field: AnyModelField,
  extra: AnyOptions,
  depth: number,
): AnyField {
  const o = field.options;
  const kwargs: Record<string, unknown> = {};
  const auto = field.type === 'AutoField' || field.type === 'BigAutoField';
  const autoTime = field instanceof DateTimeFieldType && (field.autoNow || field.autoNowAdd);
  // DRF's label: the model field's verbose name, capitalised.
  if (o.verboseName !== undefined && o.verboseName !== '')
    kwargs.label = o.verboseName.charAt(0).toUpperCase() + o.verboseName.slice(1);
  if (auto || autoTime || o.editable === false) kwargs.readOnly = true;
  else {
    if (field.hasDefault() || o.blank === true || o.null === true) kwargs.required = false;
    if (o.null === true) kwargs.allowNull = true;
  }
  const validators: Validator<unknown>[] = modelValidators(field);
  if (field.unique && !auto && kwargs.readOnly !== true) {
    const name =
      model.meta.options.verboseName ??
      verbose(model.meta.modelName[0]!.toLowerCase() + model.meta.modelName.slice(1));
    const label = o.verboseName ?? verbose(field.name);
    validators.push(
      UniqueValidator({
        queryset: model.objects as never,
        message: `${name} with this ${label} already exists.`,
      }),
    );
  }
  if (validators.length > 0) kwargs.validators = validators;
  if (o.choices !== undefined && !(field instanceof ForeignKeyType)) {
    const options = {
      ...kwargs,
      choices: o.choices,
      ...(o.blank === true ? { allowBlank: true } : {}),
      ...extra,
    };
    return ChoiceField(options as never) as unknown as AnyField;
  }
  if (field instanceof ForeignKeyType) {
    const target = relatedModel(field);
    if (depth > 0) {
      const nested = ModelSerializer.for(target as never, { fields: '__all__', depth: depth - 1 } as never);
      return new NestedField(nested as never, { readOnly: true, ...extra }) as AnyField;
    }
    return PrimaryKeyRelatedField({
      ...kwargs,
      queryset: target.objects as never,
      ...extra,
    } as never) as unknown as AnyField;
  }
  const text = { ...(o.blank === true ? { allowBlank: true } : {}), ...kwargs };
  const maxLength = (field as { maxLength?: number }).maxLength;
  switch (field.type) {
    case 'AutoField':
    case 'BigAutoField':
      return IntegerField({ ...kwargs, ...extra }) as AnyField;
    case 'CharField':
      return CharField({ ...text, maxLength, ...extra }) as AnyField;
    case 'TextField':
      return CharField({ ...text, ...extra }) as AnyField;
    case 'EmailField':
      return EmailField({ ...text, maxLength, ...extra }) as AnyField;
    case 'SlugField':
      return SlugField({ ...text, maxLength, ...extra }) as AnyField;
    case 'URLField':
      return URLField({ ...text, maxLength, ...extra }) as AnyField;
    case 'IntegerField':
      return IntegerField({ minValue: -(2 ** 31), maxValue: 2 ** 31 - 1, ...kwargs, ...extra }) as AnyField;
    case 'BigIntegerField':
      return IntegerField({
        minValue: Number.MIN_SAFE_INTEGER,
        maxValue: Number.MAX_SAFE_INTEGER,
        ...kwargs,
        ...extra,
      }) as AnyField;
    case 'FloatField':
      return FloatField({ ...kwargs, ...extra }) as AnyField;
    case 'DecimalField': {
      const d = field as unknown as { maxDigits: number; decimalPlaces: number };
      return DecimalField({
        ...kwargs,
        maxDigits: d.maxDigits,
        decimalPlaces: d.decimalPlaces,
        ...extra,
      } as never) as unknown as AnyField;
    }
    case 'BooleanField':
      return BooleanField({ ...kwargs, ...extra }) as AnyField;
    case 'DateField':
      return DateField({ ...kwargs, ...extra }) as AnyField;
    case 'DateTimeField':
      return DateTimeField({ ...kwargs, ...extra }) as AnyField;
    case 'UUIDField':
      return UUIDField({ ...kwargs, ...extra }) as AnyField;
    case 'JSONField':
      return JSONField({ ...kwargs, ...extra } as never) as unknown as AnyField;
    default:
      throw usage(
        `${model.meta.label}.${field.name}: ModelSerializer has no serializer field for ${field.type}`,
      );
  }
}

interface ModelOptionsAtRunTime {
  readonly fields?: '__all__' | readonly string[];
  readonly exclude?: readonly string[];
  readonly readOnlyFields?: readonly string[];
  readonly extraKwargs?: Readonly<Record<string, AnyOptions>>;
  readonly depth?: number;
  readonly declared?: FieldMap;
  readonly validators?: readonly ObjectValidator[];
}

/** The field names a declaration selects, checked against the model (DRF's `get_field_names`). */
function fieldNames(model: AnyModelClass, options: ModelOptionsAtRunTime, name: string): string[] {
  const declared = Object.keys(options.declared ?? {});
  const all = [
    ...model.meta.fields.map((f) => f.name),
    ...declared.filter((d) => model.meta.field(d) === undefined),
  ];
  if (options.fields === undefined && options.exclude === undefined)
    throw usage(
      `Creating a ModelSerializer without either the 'fields' option or the 'exclude' option is not allowed (${name}).`,
    );
  if (options.fields !== undefined && options.exclude !== undefined)
    throw usage(`Cannot set both 'fields' and 'exclude' options on serializer ${name}.`);
  if (options.fields === '__all__') return all;
  if (options.fields !== undefined) {
    for (const d of declared)
      if (!options.fields.includes(d))
        throw usage(
          `The field '${d}' was declared on serializer ${name}, but has not been included in the 'fields' option.`,
        );
    for (const f of options.fields)
      if (!declared.includes(f) && model.meta.field(f) === undefined && f !== 'pk')
        throw usage(
          `Field name \`${f}\` is not valid for model \`${model.meta.modelName}\` in serializer ${name}.`,
        );
    return [...options.fields];
  }
  for (const f of options.exclude ?? [])
    if (model.meta.field(f) === undefined)
      throw usage(
        `The field '${f}' was included on serializer ${name} in 'exclude', but does not match any model field.`,
      );
  return all.filter((f) => !(options.exclude ?? []).includes(f));
}

// ------------------------------------------------------------------ the serializer

/**
 * A serializer whose fields come from a model. Make one with {@link ModelSerializer.for};
 * the default `create` is `Model.objects.create(validatedData)`, `update` sets the
 * attributes and saves. Writable nested serializers are refused unless `create`/`update`
 * are overridden.
 */
export class ModelSerializer<
  V = Record<string, unknown>,
  D = Record<string, unknown>,
  I = unknown,
> extends Serializer<V, D, I> {
  /** The model (set by {@link ModelSerializer.for}). */
  static model: AnyModelClass | undefined;
  /** The declaration's options (set by {@link ModelSerializer.for}). */
  static modelOptions: ModelOptionsAtRunTime | undefined;

  /**
   * A serializer class for `model`: `ModelSerializer.for(Article, { fields: ['id', 'title'] })`
   * or `{ exclude: [...] }`, with `readOnlyFields`, `extraKwargs`, `depth`, `declared` fields
   * and `validators`.
   */
  static for<
    M extends AnyModelClass,
    const Dcl extends FieldMap = Record<never, never>,
    const Fs extends '__all__' | ReadonlyArray<ModelFieldNames<M> | (keyof Dcl & string)> = never,
    const Ex extends ReadonlyArray<ModelFieldNames<M>> = never,
    const Ro extends ReadonlyArray<ModelFieldNames<M> | (keyof Dcl & string)> = [],
    const Ek extends Readonly<Record<string, AnyOptions>> = Record<never, never>,
    const Dp extends number = 0,
  >(
    model: M,
    options: ModelSerializerOptions<ModelFieldNames<M>, Dcl, Fs, Ex, Ro, Ek> & { readonly depth?: Dp },
  ): ModelSerializerClass<M, ModelFieldMap<M, Dcl, Selected<M, Dcl, Fs, Ex>, Ro, Ek, Dp>> {
    const cls = class extends ModelSerializer {};
    cls.model = model;
    cls.modelOptions = options as ModelOptionsAtRunTime;
    return cls as never;
  }

  /** The fields this class shows, made from the model and the declared ones (once per class). */
  static buildFields(this: typeof ModelSerializer): FieldMap {
    const model = this.model;
    const options = this.modelOptions;
    if (model === undefined || options === undefined)
      throw usage(
        `${this.name || 'ModelSerializer'} has no model: make it with ModelSerializer.for(Model, {...})`,
      );
    const names = fieldNames(model, options, this.name || model.meta.modelName + 'Serializer');
    const declared = options.declared ?? {};
    const readOnly = new Set(options.readOnlyFields ?? []);
    const out: Record<string, AnyField> = {};
    for (const name of names) {
      const own = declared[name];
      if (own !== undefined) {
        out[name] = own;
        continue;
      }
      const field = model.meta.field(name) as AnyModelField;
      if (field instanceof ManyToManyFieldType)
        throw usage(
          `${model.meta.label}.${name} is a many-to-many relation: declare it (PrimaryKeyRelatedField({ queryset, many: true })) to use it`,
        );
      const extra: AnyOptions = {
        ...options.extraKwargs?.[name],
        ...(readOnly.has(name) ? { readOnly: true } : {}),
      };
      out[name === 'pk' ? 'pk' : name] = buildField(model, field, extra, options.depth ?? 0);
    }
    return out;
  }

  static override compile(this: typeof ModelSerializer): Plan {
    const fields = this.buildFieldsCached();
    const model = this.model as AnyModelClass;
    // A group is checked only when the serializer writes every field of it as a value (a
    // nested serializer gives a dict, which no lookup can compare).
    const writable = new Set(
      Object.entries(fields)
        .filter(([, f]) => !f.readOnly && !(f instanceof NestedField))
        .map(([n, f]) => f.options.source ?? n),
    );
    const validators: ObjectValidator[] = [];
    const groups: Array<readonly string[]> = [
      ...model.meta.uniqueTogether,
      ...model.meta.constraints.flatMap((c) => (c.type === 'unique' ? [c.fields] : [])),
    ];
    for (const group of groups)
      if (group.every((f) => writable.has(f)))
        validators.push(UniqueTogetherValidator({ queryset: model.objects as never, fields: group }));
    validators.push(...(this.modelOptions?.validators ?? []), ...this.validators);
    return new FieldsPlan(fields, this.prototype, validators);
  }

  /** Nested writes are refused unless `create`/`update` are overridden (DRF's assertion). */
  #refuseNestedWrites(method: 'create' | 'update', data: Record<string, unknown>): void {
    const fields = (this.constructor as typeof ModelSerializer).buildFieldsCached();
    for (const [name, field] of Object.entries(fields)) {
      const source = field.options.source ?? name;
      if (field instanceof NestedField && !field.readOnly && Object.hasOwn(data, source))
        throw usage(
          `The \`.${method}()\` method does not support writable nested fields by default. Write an explicit \`.${method}()\` method for serializer \`${this.constructor.name}\`, or set \`readOnly: true\` on nested serializer fields (${name}).`,
        );
      if (source.includes('.') && Object.hasOwn(data, source.split('.')[0] as string))
        throw usage(
          `The \`.${method}()\` method does not support writable dotted-source fields by default. Write an explicit \`.${method}()\` method for serializer \`${this.constructor.name}\` (${name}).`,
        );
    }
  }

  static #fieldCache = new WeakMap<object, FieldMap>();
  /** {@link buildFields}, once per class. */
  static buildFieldsCached(this: typeof ModelSerializer): FieldMap {
    let fields = ModelSerializer.#fieldCache.get(this);
    if (fields === undefined) {
      fields = this.buildFields();
      ModelSerializer.#fieldCache.set(this, fields);
    }
    return fields;
  }

  /** Splits off the many-to-many values, set after the row is written. */
  #splitMany(data: Record<string, unknown>): [Record<string, unknown>, Array<[string, unknown]>] {
    const model = (this.constructor as typeof ModelSerializer).model as AnyModelClass;
    const rest: Record<string, unknown> = {};
    const many: Array<[string, unknown]> = [];
    for (const [key, value] of Object.entries(data)) {
      if (model.meta.manyToMany.some((f) => f.name === key)) many.push([key, value]);
      else rest[key] = value;
    }
    return [rest, many];
  }

  override async create(validatedData: V): Promise<I> {
    const data = validatedData as Record<string, unknown>;
    this.#refuseNestedWrites('create', data);
    const model = (this.constructor as typeof ModelSerializer).model as AnyModelClass;
    const [rest, many] = this.#splitMany(data);
    const instance = (await (model.objects as { create(v: unknown): Promise<Model> }).create(rest)) as Model;
    for (const [key, value] of many)
      await (instance as unknown as Record<string, { set(v: unknown): Promise<void> }>)[key]!.set(value);
    return instance as I;
  }

  override async update(instance: I, validatedData: V): Promise<I> {
    const data = validatedData as Record<string, unknown>;
    this.#refuseNestedWrites('update', data);
    const [rest, many] = this.#splitMany(data);
    const target = instance as unknown as Record<string, unknown> & Model;
    for (const [key, value] of Object.entries(rest)) target[key] = value;
    await target.save();
    for (const [key, value] of many)
      await (target as unknown as Record<string, { set(v: unknown): Promise<void> }>)[key]!.set(value);
    return instance;
  }
}
