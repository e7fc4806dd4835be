/**
 * Apps and models: an app (Django's `INSTALLED_APPS` entry) groups models and their
 * migrations; a model is declared once, with its fields and `meta`, and the row type, the
 * create input and the Kysely table type are inferred from that declaration.
 *
 * @module
 */
import { PorticoError } from '../tsgi/errors.ts';
import { setConstraintNamer } from './backends/errors.ts';
import { DataError, MultipleObjectsReturned, ObjectDoesNotExist, ValidationError } from './errors.ts';
import {
  AutoField,
  BigAutoField,
  type CharFieldType,
  DateTimeFieldType,
  type Field,
  ForeignKey,
  ForeignKeyType,
  ManyToManyFieldType,
  snakeCase,
  type Vendor,
} from './fields.ts';
import { Manager, ManyRelatedManager, QuerySet } from './query.ts';
import { postSave, preSave, sendAndWait } from './signals.ts';
import { execute, forgetShapes } from './statements.ts';
import { insertShape, updateShape } from './writes.ts';
import { executor } from './transaction.ts';
import { connections } from './connection.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field, whatever its value type.
export type AnyField = Field<any, boolean, boolean>;
/** A model's declared fields. */
export type Fields = Readonly<Record<string, AnyField>>;

/** A unique or check constraint (`meta.constraints`). */
export type Constraint =
  | { readonly type: 'unique'; readonly name: string; readonly fields: readonly string[] }
  | { readonly type: 'check'; readonly name: string; readonly check: string };

/** An index (`meta.indexes`). */
export interface Index {
  readonly name: string;
  readonly fields: readonly string[];
  readonly unique?: boolean;
}

/** A unique constraint over fields (Django's `UniqueConstraint`). */
export function UniqueConstraint(options: { fields: readonly string[]; name: string }): Constraint {
  return { type: 'unique', name: options.name, fields: options.fields };
}
/** A check constraint, as SQL both databases understand (`"price" >= 0`). */
export function CheckConstraint(options: { check: string; name: string }): Constraint {
  return { type: 'check', name: options.name, check: options.check };
}

/** A model's options. */
export interface MetaOptions {
  /** The table (default `<app>_<model lower-cased>`). */
  readonly dbTable?: string;
  /** The default order of querysets (`['-createdAt', 'name']`). */
  readonly ordering?: readonly string[];
  readonly constraints?: readonly Constraint[];
  readonly indexes?: readonly Index[];
  readonly uniqueTogether?: ReadonlyArray<readonly string[]>;
  readonly verboseName?: string;
  /** Not created by migrations (a view or a table someone else owns). */
  readonly managed?: boolean;
}

/** What a model is declared with. */
export interface ModelDefinition<F extends Fields = Fields, M extends MetaOptions = MetaOptions> {
  readonly fields: F;
  readonly meta?: M;
}

// ------------------------------------------------------------------ types from the declaration

type WithPk<F> = 'id' extends keyof F ? F : F & { readonly id: ReturnType<typeof AutoField> };
type ValueOf<Fd> = Fd extends { readonly __value: infer T; readonly __null: infer N }
  ? N extends true
    ? T | null
    : T
  : never;
type IsRelation<Fd> = Fd extends { readonly __target: unknown } ? true : false;
type IsM2M<Fd> = Fd extends { readonly __m2m: unknown } ? true : false;
type AttName<K extends string, Fd> =
  IsM2M<Fd> extends true ? never : IsRelation<Fd> extends true ? `${K}Id` : K;
type HasDefault<Fd> = Fd extends { readonly __default: infer D } ? D : false;

/** The values an instance holds, by attribute (a foreign key `owner` is `ownerId`). */
export type RowOf<F> = {
  -readonly [K in keyof WithPk<F> & string as AttName<K, WithPk<F>[K]>]: ValueOf<WithPk<F>[K]>;
};

type TargetOf<Fd> = Fd extends { readonly __target: infer M } ? M : never;
/** The related instances a foreign key can hold (filled by `selectRelated` or `related()`). */
export type RelationsOf<F> = {
  -readonly [K in keyof F & string as IsRelation<F[K]> extends true ? K : never]?: TargetOf<
    F[K]
  > extends ModelClass<infer D>
    ? Instance<D>
    : unknown;
};

type RequiredKeys<F> = {
  [K in keyof F & string]: IsRelation<F[K]> extends true ? never : HasDefault<F[K]> extends true ? never : K;
}[keyof F & string];

/** What `create()` and `new Model()` accept: required fields without a default; relations by instance or id. */
export type CreateInput<F> = Partial<RowOf<F>> &
  Pick<RowOf<F>, RequiredKeys<F> & keyof RowOf<F>> &
  RelationsOf<F>;

/** A model's declaration, as types. */
export interface ModelTypes<F extends Fields = Fields, Table extends string = string> {
  readonly fields: F;
  readonly table: Table;
}

/** An instance of a model: its values, its cached relations and the model methods. */
export type Instance<D extends ModelTypes> = RowOf<D['fields']> &
  RelationsOf<D['fields']> &
  ManyOf<D['fields']> &
  Model;

/** The many-to-many managers of an instance (`project.tags.add(tag)`). */
export type ManyOf<F> = {
  readonly [K in keyof F & string as IsM2M<F[K]> extends true ? K : never]: F[K] extends {
    readonly __m2m: infer M;
  }
    ? M extends ModelClass<infer D>
      ? ManyRelatedManager<D>
      : ManyRelatedManager<ModelTypes>
    : never;
};

type Snake<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}`
  : S;
type ColumnOf<K extends string, Fd> =
  IsM2M<Fd> extends true ? never : IsRelation<Fd> extends true ? `${Snake<K>}_id` : Snake<K>;

/** A model's table as Kysely sees it (column names, value types as the driver gives them). */
export type TableOf<F> = {
  [K in keyof WithPk<F> & string as ColumnOf<K, WithPk<F>[K]>]: K extends 'id'
    ? import('kysely').Generated<number>
    : ValueOf<WithPk<F>[K]>;
};

/** The Kysely database type of some models: `DB<typeof Organization | typeof Project>`. */
export type DB<M> = {
  [C in M as C extends ModelClass<infer D> ? D['table'] : never]: C extends ModelClass<infer D>
    ? TableOf<D['fields']>
    : never;
};

/** A model class. */
export interface ModelClass<D extends ModelTypes = ModelTypes> {
  new (values?: CreateInput<D['fields']>): Instance<D>;
  readonly meta: ModelMeta;
  readonly objects: Manager<D>;
  readonly DoesNotExist: new (message: string) => ObjectDoesNotExist;
  readonly MultipleObjectsReturned: new (message: string) => MultipleObjectsReturned;
  readonly name: string;
  /** Types only. */
  readonly __types?: D;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model.
export type AnyModelClass = ModelClass<any>;

/**
 * A model's manager, typed for any model. Not `model.objects as Manager<ModelTypes>`: that cast
 * relates two Manager types, which makes the type checker work out the variance of QuerySet and,
 * through its `kysely()`, of Kysely's builders — about 0.5 s of every program that imports the
 * database layer. The cast checked nothing (`objects` is `Manager<any>`).
 */
export function managerOf(model: AnyModelClass): Manager<ModelTypes> {
  return model.objects as unknown as Manager<ModelTypes>;
}

// ------------------------------------------------------------------ the registry

const registry = new Map<string, AnyModelClass>();

/** A reverse relation: `field` on `model` points here. */
export interface RelatedObject {
  readonly model: AnyModelClass;
  readonly field: ForeignKeyType;
  /** The accessor on the target (`projectSet`). */
  readonly accessor: string;
  /** The name to filter on from the target (`project`). */
  readonly queryName: string;
}

/** What Portico knows of a model. */
export class ModelMeta {
  readonly appLabel: string;
  readonly modelName: string;
  readonly label: string;
  readonly table: string;
  readonly fields: readonly AnyField[];
  readonly pk: AnyField;
  readonly ordering: readonly string[];
  readonly constraints: readonly Constraint[];
  readonly indexes: readonly Index[];
  readonly uniqueTogether: ReadonlyArray<readonly string[]>;
  readonly managed: boolean;
  readonly options: MetaOptions;
  /** The many-to-many relations declared on this model (not columns). */
  readonly manyToMany: ManyToManyFieldType[] = [];
  readonly #byName = new Map<string, AnyField>();

  constructor(appLabel: string, modelName: string, fields: readonly AnyField[], options: MetaOptions) {
    this.appLabel = appLabel;
    this.modelName = modelName;
    this.label = `${appLabel}.${modelName}`;
    this.table = options.dbTable ?? `${appLabel}_${modelName.toLowerCase()}`;
    this.fields = fields;
    for (const f of fields) {
      this.#byName.set(f.name, f);
      if (f.attname !== f.name) this.#byName.set(f.attname, f);
    }
    this.pk = fields.find((f) => f.primaryKey) as AnyField;
    this.ordering = options.ordering ?? [];
    this.constraints = options.constraints ?? [];
    this.indexes = options.indexes ?? [];
    this.uniqueTogether = options.uniqueTogether ?? [];
    this.managed = options.managed !== false;
    this.options = options;
  }

  /** A field by name or attribute name (`pk` is the primary key). */
  field(name: string): AnyField | undefined {
    return name === 'pk' ? this.pk : this.#byName.get(name);
  }

  /** The foreign keys elsewhere that point at this model. */
  relatedObjects(): RelatedObject[] {
    const out: RelatedObject[] = [];
    for (const model of registry.values()) {
      for (const field of model.meta.fields) {
        if (!(field instanceof ForeignKeyType)) continue;
        let target: string;
        try {
          target = field.targetLabel();
        } catch {
          continue;
        }
        if (target !== this.label) continue;
        const lower = model.meta.modelName[0]!.toLowerCase() + model.meta.modelName.slice(1);
        out.push({
          model,
          field,
          accessor: field.relatedName ?? `${lower}Set`,
          queryName: field.relatedQueryName ?? field.relatedName ?? lower,
        });
      }
    }
    return out;
  }
}

/** The model with this label (`shop.Organization`). */
export function getModel(label: string): AnyModelClass {
  const model = registry.get(label);
  if (model === undefined)
    throw new PorticoError(
      'PORTICO_ERR_DB_CONFIG',
      `no model '${label}' is declared (known: ${[...registry.keys()].join(', ')})`,
    );
  return model;
}

/** Every declared model, in declaration order. */
export function allModels(): AnyModelClass[] {
  return [...registry.values()];
}

/** The target model of a foreign key. */
export function relatedModel(field: ForeignKeyType): AnyModelClass {
  return getModel(field.targetLabel());
}

setConstraintNamer((table, columns) => {
  for (const model of registry.values()) {
    const meta = model.meta;
    if (meta.table !== table) continue;
    const names = columns.map((c) => meta.fields.find((f) => f.column === c)?.name);
    if (names.length === 1) {
      const field = meta.fields.find((f) => f.column === columns[0]);
      if (field?.unique) return uniqueName(table, [field.column]);
    }
    for (const c of meta.constraints)
      if (c.type === 'unique' && c.fields.length === names.length && c.fields.every((f) => names.includes(f)))
        return c.name;
    for (const together of meta.uniqueTogether)
      if (together.length === names.length && together.every((f) => names.includes(f)))
        return uniqueName(
          table,
          together.map((n) => meta.field(n)?.column ?? n),
        );
  }
  return null;
});

/** PostgreSQL's name for a unique constraint declared inline (`<table>_<columns>_key`), cut to 63 bytes. */
export function uniqueName(table: string, columns: readonly string[]): string {
  return `${table}_${columns.join('_')}_key`.slice(0, 63);
}

// ------------------------------------------------------------------ instances

/** Options of {@link Model.save}. */
export interface SaveOptions {
  /** Only these fields (an UPDATE of them; never an insert). */
  readonly updateFields?: readonly string[];
  readonly forceInsert?: boolean;
  readonly using?: string;
}

/** An instance's bookkeeping: its database, whether it is saved yet, its cached relations. */
export interface InstanceState {
  db: string;
  adding: boolean;
  related: Map<string, unknown>;
}

/** An instance's bookkeeping; the map of cached relations is made when first used (most rows read never need one). */
class State implements InstanceState {
  db = 'default';
  adding: boolean;
  #related: Map<string, unknown> | undefined;
  constructor(adding: boolean) {
    this.adding = adding;
  }
  get related(): Map<string, unknown> {
    return (this.#related ??= new Map());
  }
  set related(related: Map<string, unknown>) {
    this.#related = related;
  }
}

/**
 * Given to a model's constructor by the query layer: an instance for a row read from the
 * database (its fields are set afterwards, no defaults run).
 */
export const FROM_DB: Record<string, unknown> = Object.freeze({});

/** The methods every model instance has. */
export class Model {
  /** The model class, for the methods. */
  declare ['constructor']: AnyModelClass;
  // A private field, not a property defined per instance: invisible to Object.keys, JSON
  // and deepEqual alike, and part of the class's shape (defining one per row read was a
  // tenth of a list's cost).
  #state: InstanceState;

  /** Which database the instance came from (`default`), whether it is saved, its cached relations. */
  get _state(): InstanceState {
    return this.#state;
  }
  set _state(state: InstanceState) {
    this.#state = state;
  }

  constructor(values: Record<string, unknown> = {}) {
    if (values === FROM_DB) {
      this.#state = new State(false);
      return;
    }
    this.#state = new State(true);
    const meta = (this.constructor as AnyModelClass).meta;
    const self = this as unknown as Record<string, unknown>;
    for (const field of meta.fields) {
      if (field instanceof ForeignKeyType && values[field.name] !== undefined) {
        self[field.name] = values[field.name];
        continue;
      }
      if (Object.hasOwn(values, field.attname)) self[field.attname] = field.coerce(values[field.attname]);
      else if (field === meta.pk && Object.hasOwn(values, 'pk'))
        self[field.attname] = field.coerce(values.pk);
      else {
        const d = field.getDefault();
        self[field.attname] = d === undefined ? (field.primaryKey ? null : undefined) : d;
      }
    }
    for (const key of Object.keys(values)) {
      if (key !== 'pk' && meta.field(key) === undefined)
        throw new PorticoError('PORTICO_ERR_DB_FIELD_ERROR', `${meta.modelName} has no field '${key}'`);
    }
  }

  /** The primary key's value. */
  get pk(): unknown {
    return (this as unknown as Record<string, unknown>)[(this.constructor as AnyModelClass).meta.pk.attname];
  }
  set pk(value: unknown) {
    (this as unknown as Record<string, unknown>)[(this.constructor as AnyModelClass).meta.pk.attname] = value;
  }

  /** Inserts the row (no primary key yet, or `forceInsert`) or updates it. */
  async save(options: SaveOptions = {}): Promise<this> {
    const model = this.constructor as AnyModelClass;
    const meta = model.meta;
    const using = options.using ?? this._state.db;
    const self = this as unknown as Record<string, unknown>;
    const updateFields = options.updateFields ?? null;
    if (updateFields !== null)
      for (const name of updateFields)
        if (meta.field(name) === undefined)
          throw new PorticoError(
            'PORTICO_ERR_DB_FIELD_ERROR',
            `${meta.modelName} has no field '${name}' (updateFields)`,
          );
    await sendAndWait(preSave, model, { instance: this, updateFields, using });
    const now = new Date();
    const inserting = options.forceInsert === true || this.pk === null || this.pk === undefined;
    for (const field of meta.fields) {
      if (
        field instanceof DateTimeFieldType &&
        (field.autoNow || (field.autoNowAdd && inserting && self[field.attname] == null))
      )
        self[field.attname] = now;
    }
    const db = executor(using);
    const vendor = vendorOf(using);
    let created = false;
    /** The values of these fields, as the driver takes them. */
    const row = (fields: readonly AnyField[]): unknown[] => {
      const values: unknown[] = [];
      for (const field of fields) {
        const value = self[field.attname];
        checkLength(meta.table, field, value);
        values.push(field.toDb(value === undefined ? null : value, vendor));
      }
      return values;
    };
    if (!inserting) {
      const fields = meta.fields.filter(
        (f) =>
          f !== meta.pk &&
          (updateFields === null || updateFields.includes(f.name) || updateFields.includes(f.attname)),
      );
      let updated = 0;
      if (fields.length > 0) {
        const shape = updateShape(db, model, vendor, fields);
        const parameters = row(fields);
        parameters.push(meta.pk.toDb(this.pk, vendor));
        const result = await execute(db, shape, parameters);
        updated = Number(result.numAffectedRows ?? 0n);
      } else {
        updated = (await db
          .selectFrom(meta.table)
          .select(meta.pk.column)
          .where(meta.pk.column, '=', this.pk)
          .executeTakeFirst())
          ? 1
          : 0;
      }
      if (updated === 0 && updateFields !== null)
        throw new PorticoError(
          'PORTICO_ERR_DB_INTEGRITY',
          `${meta.modelName} ${String(this.pk)}: save with updateFields did not affect any row`,
        );
      if (updated === 0) await this.#insert(db, vendor, row, true);
      created = updated === 0;
    } else {
      await this.#insert(db, vendor, row, this.pk !== null && this.pk !== undefined);
      created = true;
    }
    this._state.adding = false;
    this._state.db = using;
    await sendAndWait(postSave, model, { instance: this, created, updateFields, using });
    return this;
  }

  async #insert(
    db: ReturnType<typeof executor>,
    vendor: Vendor,
    row: (fields: readonly AnyField[]) => unknown[],
    withPk: boolean,
  ): Promise<void> {
    const model = this.constructor as AnyModelClass;
    const pk = model.meta.pk;
    const shape = insertShape(db, model, vendor, withPk);
    const result = await execute(db, shape, row(shape.fields));
    const inserted = result.rows[0] as Record<string, unknown> | undefined;
    if (inserted === undefined)
      throw new PorticoError(
        'PORTICO_ERR_DB_INTEGRITY',
        `${model.meta.modelName}: the insert returned no row`,
      );
    (this as unknown as Record<string, unknown>)[pk.attname] = pk.fromDb(inserted[pk.column], vendor);
  }

  /** Deletes the row, honouring `onDelete` of the rows that refer to it. */
  async delete(options: { using?: string } = {}): Promise<[number, Record<string, number>]> {
    const model = this.constructor as AnyModelClass;
    if (this.pk === null || this.pk === undefined)
      throw new PorticoError(
        'PORTICO_ERR_DB_FIELD_ERROR',
        `${model.meta.modelName} cannot be deleted: it has no primary key`,
      );
    const result = await managerOf(model)
      .using(options.using ?? this._state.db)
      .filter({ pk: this.pk } as never)
      .delete();
    return result;
  }

  /** Reloads the values from the database (only `fields`, if given). */
  async refreshFromDb(options: { fields?: readonly string[]; using?: string } = {}): Promise<this> {
    const model = this.constructor as AnyModelClass;
    const fresh = (await managerOf(model)
      .using(options.using ?? this._state.db)
      .get({ pk: this.pk } as never)) as unknown as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const field of model.meta.fields) {
      if (options.fields !== undefined && !options.fields.includes(field.name)) continue;
      self[field.attname] = fresh[field.attname];
      if (field instanceof ForeignKeyType) this._state.related.delete(field.name);
    }
    return this;
  }

  /**
   * Validates every field (null, blank, lengths, choices, formats, validators) and the
   * unique fields and constraints against the database; throws a {@link ValidationError}
   * mapping each field to its messages.
   */
  async fullClean(options: { exclude?: readonly string[]; validateUnique?: boolean } = {}): Promise<void> {
    const model = this.constructor as AnyModelClass;
    const meta = model.meta;
    const self = this as unknown as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const exclude = new Set(options.exclude ?? []);
    for (const field of meta.fields) {
      if (exclude.has(field.name)) continue;
      if (field.primaryKey && (self[field.attname] === null || self[field.attname] === undefined)) continue;
      if (
        field instanceof DateTimeFieldType &&
        (field.autoNow || field.autoNowAdd) &&
        self[field.attname] == null
      )
        continue;
      const messages = field.validate(self[field.attname]);
      if (messages.length > 0) errors[field.name] = messages;
    }
    if (options.validateUnique !== false) {
      const groups: Array<readonly string[]> = [
        ...meta.fields.filter((f) => f.unique && !f.primaryKey).map((f) => [f.name]),
        ...meta.uniqueTogether,
        ...meta.constraints.flatMap((c) => (c.type === 'unique' ? [c.fields] : [])),
      ];
      for (const group of groups) {
        if (group.some((name) => exclude.has(name) || errors[name] !== undefined)) continue;
        const where: Record<string, unknown> = {};
        let skip = false;
        for (const name of group) {
          const field = meta.field(name) as AnyField;
          const value = self[field.attname];
          if (value === null || value === undefined) skip = true;
          where[field.attname] = value;
        }
        if (skip) continue;
        let qs = managerOf(model)
          .using(this._state.db)
          .filter(where as never);
        if (this.pk !== null && this.pk !== undefined) qs = qs.exclude({ pk: this.pk } as never);
        if (await qs.exists()) {
          const key = group.length === 1 ? (group[0] as string) : '__all__';
          const what = group.length === 1 ? group[0] : group.join(' and ');
          (errors[key] ??= []).push(`${meta.modelName} with this ${what} already exists.`);
        }
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  }

  /** The related instance of a foreign key, fetched (and cached) if `selectRelated` did not. */
  async related(name: string): Promise<Model | null> {
    const meta = (this.constructor as AnyModelClass).meta;
    const field = meta.field(name);
    if (!(field instanceof ForeignKeyType))
      throw new PorticoError('PORTICO_ERR_DB_FIELD_ERROR', `${meta.modelName}.${name} is not a relation`);
    const cached = this._state.related.get(field.name);
    if (cached !== undefined) return cached as Model | null;
    const id = (this as unknown as Record<string, unknown>)[field.attname];
    const value =
      id === null || id === undefined
        ? null
        : await relatedModel(field)
            .objects.using(this._state.db)
            .get({ pk: id } as never);
    this._state.related.set(field.name, value);
    return value as Model | null;
  }

  /** The values, by attribute (what JSON.stringify writes). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of (this.constructor as AnyModelClass).meta.fields)
      out[field.attname] = (this as unknown as Record<string, unknown>)[field.attname];
    return out;
  }
}

/** The maximum length of a `CharField`, checked before writing, so both databases fail the same way. */
export function checkLength(table: string, field: AnyField, value: unknown): void {
  const max = (field as CharFieldType).maxLength;
  if (typeof max === 'number' && typeof value === 'string' && value.length > max) {
    throw new DataError(
      `value too long for ${table}.${field.column} (at most ${max} characters, got ${value.length})`,
      {
        vendor: 'portico',
        table,
        columns: [field.column],
      },
    );
  }
}

function vendorOf(alias: string) {
  return executorVendor(alias);
}

/** The vendor of a database alias. */
export function executorVendor(alias: string): 'sqlite' | 'postgres' {
  return connections.get(alias).vendor;
}

function defineRelationAccessors(model: AnyModelClass): void {
  for (const field of model.meta.fields) {
    if (!(field instanceof ForeignKeyType)) continue;
    Object.defineProperty(model.prototype, field.name, {
      configurable: true,
      enumerable: false,
      get(this: Model) {
        return this._state.related.get(field.name);
      },
      set(this: Model, value: unknown) {
        this._state.related.set(field.name, value);
        const pk = value === null || value === undefined ? null : (value as Model).pk;
        (this as unknown as Record<string, unknown>)[field.attname] = pk;
      },
    });
  }
}

const linked = new WeakSet<ForeignKeyType>();

const linkedMany = new WeakSet<ManyToManyFieldType>();

/** Defines the reverse accessors (`organization.projectSet`) whose targets are declared. */
function linkReverseAccessors(): void {
  for (const model of registry.values()) {
    for (const field of model.meta.manyToMany) {
      if (linkedMany.has(field)) continue;
      const target = registry.get(field.targetLabel());
      if (target === undefined || !linkThrough(field)) continue;
      linkedMany.add(field);
      const lower = model.meta.modelName[0]!.toLowerCase() + model.meta.modelName.slice(1);
      const accessor = field.m2m.relatedName ?? `${lower}Set`;
      if (Object.hasOwn(target.prototype, accessor)) continue;
      Object.defineProperty(target.prototype, accessor, {
        configurable: true,
        enumerable: false,
        get(this: Model) {
          return new ManyRelatedManager(this, field, 'reverse');
        },
      });
    }
  }
  for (const model of registry.values()) {
    for (const field of model.meta.fields) {
      if (!(field instanceof ForeignKeyType) || linked.has(field)) continue;
      let target: AnyModelClass | undefined;
      try {
        target = registry.get(field.targetLabel());
      } catch {
        continue;
      }
      if (target === undefined) continue;
      linked.add(field);
      const lower = model.meta.modelName[0]!.toLowerCase() + model.meta.modelName.slice(1);
      const accessor = field.relatedName ?? (field.unique ? lower : `${lower}Set`);
      if (accessor.endsWith('+')) continue;
      if (Object.hasOwn(target.prototype, accessor)) continue;
      Object.defineProperty(target.prototype, accessor, {
        configurable: true,
        enumerable: false,
        get(this: Model) {
          const related = managerOf(model)
            .using(this._state.db)
            .filter({ [field.attname]: this.pk } as never);
          // After prefetchRelated, answered from what was fetched (a refinement queries).
          const prefetched = this._state.related.get(`${accessor}:prefetched`) as
            readonly Model[] | undefined;
          return prefetched === undefined
            ? related
            : new QuerySet(related.model, { ...related.state, cache: prefetched });
        },
      });
    }
  }
}

// ------------------------------------------------------------------ apps

/** Options of {@link defineApp}. */
export interface AppOptions {
  /** The folder of the app's migrations (a `file:` URL or a path). */
  readonly migrations?: URL | string;
  /** The primary key models get when they declare none: `AutoField` (default) or `BigAutoField`. */
  readonly defaultAutoField?: 'AutoField' | 'BigAutoField';
}

/** An installed app: a label, its models and where its migrations live. */
export class App<L extends string = string> {
  readonly label: L;
  readonly options: AppOptions;
  readonly models: AnyModelClass[] = [];

  constructor(label: L, options: AppOptions = {}) {
    if (!/^[a-z][a-z0-9_]*$/.test(label))
      throw new PorticoError(
        'PORTICO_ERR_DB_CONFIG',
        `app label '${label}' must be lower-case letters, digits and underscores`,
      );
    this.label = label;
    this.options = options;
  }

  /** The folder of the migrations, as a path, or null. */
  get migrationsDir(): string | null {
    const m = this.options.migrations;
    if (m === undefined) return null;
    return m instanceof URL ? decodeURIComponent(m.pathname) : m;
  }

  /** Declares a model of this app. */
  model<const N extends string, const F extends Fields, const M extends MetaOptions = MetaOptions>(
    name: N,
    definition: ModelDefinition<F, M>,
  ): ModelClass<ModelTypes<F, M extends { dbTable: infer T extends string } ? T : `${L}_${Lowercase<N>}`>> {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name))
      throw new PorticoError(
        'PORTICO_ERR_DB_CONFIG',
        `model name '${name}' must be a capitalised identifier`,
      );
    const label = `${this.label}.${name}`;
    if (registry.has(label))
      throw new PorticoError('PORTICO_ERR_DB_CONFIG', `model ${label} is declared twice`);
    const fields: AnyField[] = [];
    const declared = Object.entries(definition.fields);
    if (!declared.some(([, f]) => f.primaryKey)) {
      const pk = this.options.defaultAutoField === 'BigAutoField' ? BigAutoField() : AutoField();
      pk.contribute('id', label);
      fields.push(pk);
    }
    const many: ManyToManyFieldType[] = [];
    for (const [fieldName, field] of declared) {
      if (field instanceof ManyToManyFieldType) {
        field.contribute(fieldName, label);
        many.push(field);
        continue;
      }
      if (field.name !== '')
        throw new PorticoError(
          'PORTICO_ERR_DB_CONFIG',
          `${label}.${fieldName}: a field object belongs to one model`,
        );
      if (fieldName === 'pk' || fieldName.includes('__'))
        throw new PorticoError('PORTICO_ERR_DB_CONFIG', `${label}: '${fieldName}' cannot be a field name`);
      field.contribute(fieldName, label);
      fields.push(field);
    }
    const meta = new ModelMeta(this.label, name, fields, definition.meta ?? {});
    const DoesNotExist = class extends ObjectDoesNotExist {};
    const Multiple = class extends MultipleObjectsReturned {};
    const cls = { [name]: class extends Model {} }[name] as unknown as typeof Model & Record<string, unknown>;
    Object.defineProperty(cls, 'meta', { value: meta });
    Object.defineProperty(cls, 'DoesNotExist', { value: DoesNotExist });
    Object.defineProperty(cls, 'MultipleObjectsReturned', { value: Multiple });
    const model = cls as unknown as AnyModelClass;
    Object.defineProperty(cls, 'objects', { value: new Manager(model) });
    defineRelationAccessors(model);
    registry.set(label, model);
    forgetShapes();
    this.models.push(model);
    for (const field of many) this.#through(model, field);
    try {
      linkReverseAccessors();
    } catch (error) {
      // A model that cannot be linked (a through model without its foreign keys) is not
      // declared: left registered, it would fail every later declaration too.
      registry.delete(label);
      this.models.splice(this.models.indexOf(model), 1);
      throw error;
    }
    return model;
  }

  /** The automatic through model of a many-to-many field: a foreign key to each side, unique together. */
  #through(model: AnyModelClass, field: ManyToManyFieldType): void {
    const meta = model.meta;
    if (!field.autoCreated) {
      // An explicit through model is the project's: linked once it is declared.
      meta.manyToMany.push(field);
      defineManyAccessor(model, field);
      return;
    }
    const target = field.targetLabel();
    const lower = (n: string) => n[0]!.toLowerCase() + n.slice(1);
    const targetName = target.split('.')[1] as string;
    let source = lower(meta.modelName);
    let other = lower(targetName);
    if (source === other) {
      source = `from${meta.modelName}`;
      other = `to${targetName}`;
    }
    const name = `${meta.modelName}${field.name[0]!.toUpperCase()}${field.name.slice(1)}`;
    field.through = `${this.label}.${name}`;
    field.sourceField = source;
    field.targetField = other;
    meta.manyToMany.push(field);
    this.model(name, {
      fields: {
        [source]: ForeignKey(meta.label, { onDelete: 'CASCADE', relatedName: '+' }),
        [other]: ForeignKey(target, { onDelete: 'CASCADE', relatedName: '+' }),
      },
      meta: {
        dbTable: field.m2m.dbTable ?? `${meta.table}_${snakeCase(field.name)}`,
        uniqueTogether: [[source, other]],
      },
    });
    defineManyAccessor(model, field);
  }
}

/** The forward accessor of a many-to-many field (`post.tags`). */
function defineManyAccessor(model: AnyModelClass, field: ManyToManyFieldType): void {
  Object.defineProperty(model.prototype, field.name, {
    configurable: true,
    enumerable: false,
    get(this: Model) {
      return new ManyRelatedManager(this, field, 'forward');
    },
  });
}

/**
 * Links a many-to-many field to its explicit `through` model once that is declared: its
 * foreign keys to each side (`throughFields`, else the first to each). False while it is not.
 */
function linkThrough(field: ManyToManyFieldType): boolean {
  if (field.through !== '') return true;
  const label = field.throughLabel() as string;
  const through = registry.get(label);
  if (through === undefined) return false;
  const keys = through.meta.fields.filter((f): f is ForeignKeyType => f instanceof ForeignKeyType);
  const [source, target] =
    field.m2m.throughFields ??
    ((): [string | undefined, string | undefined] => {
      const near = keys.find((f) => f.targetLabel() === field.modelLabel);
      const far = keys.find((f) => f !== near && f.targetLabel() === field.targetLabel());
      return [near?.name, far?.name];
    })();
  for (const [name, side] of [
    [source, field.modelLabel],
    [target, field.targetLabel()],
  ] as const)
    if (name === undefined || !keys.some((f) => f.name === name && f.targetLabel() === side))
      throw new PorticoError(
        'PORTICO_ERR_DB_CONFIG',
        `${field.modelLabel}.${field.name}: the through model ${label} needs a foreign key to ${side}${name === undefined ? '' : ` named '${name}'`} (or throughFields)`,
      );
  field.sourceField = source as string;
  field.targetField = target as string;
  field.through = label;
  return true;
}

/** Declares an app (Django's `AppConfig`): `const shop = defineApp('shop', { migrations: new URL('./migrations/', import.meta.url) })`. */
export function defineApp<const L extends string>(label: L, options: AppOptions = {}): App<L> {
  return new App(label, options);
}

/** Forgets a model (tests that declare models per test). */
export function unregisterModels(app: App): void {
  for (const model of app.models) registry.delete(model.meta.label);
  forgetShapes();
  app.models.length = 0;
}
