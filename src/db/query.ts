/**
 * Managers and querysets: lazy, chainable, immutable descriptions of a query that run
 * when awaited (or iterated, counted, …). Conditions use Django's lookups across
 * relations (`{ organization__slug: 'acme' }`); the SQL is built with Kysely's `sql`
 * fragments, parameterised, and runs on the executor of the current transaction.
 *
 * @module
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { PorticoError } from '../tsgi/errors.ts';
import { FieldError, IntegrityError, ProtectedError } from './errors.ts';
import { Aggregate, FExpression, QNode, type WhereObject } from './expressions.ts';
import {
  DateFieldType,
  DateTimeFieldType,
  DecimalFieldType,
  type Field,
  ForeignKeyType,
  IntegerFieldType,
  type ManyToManyFieldType,
  type Vendor,
} from './fields.ts';
import type {
  AnyField,
  AnyModelClass,
  CreateInput,
  DB,
  Instance,
  Model,
  ModelClass,
  ModelTypes,
  RelatedObject,
  RowOf,
} from './models.ts';
import { allModels, checkLength, FROM_DB, getModel, relatedModel } from './models.ts';
import { postDelete, preDelete, sendAndWait } from './signals.ts';
import { atomic, executor } from './transaction.ts';
import { connections } from './connection.ts';
import {
  type Binder,
  bind,
  type CompiledShape,
  execute,
  part,
  shapeId,
  shapes,
  Slot,
  slotsInOrder,
  whereShape,
} from './statements.ts';

/** Django's lookups. */
export const LOOKUPS = [
  'exact',
  'iexact',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'range',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'isnull',
] as const;
/** A lookup name. */
export type Lookup = (typeof LOOKUPS)[number];
const TRANSFORMS = ['date', 'year'] as const;
type Transform = (typeof TRANSFORMS)[number];
const LOOKUP_SET = new Set<string>(LOOKUPS);
const TRANSFORM_SET = new Set<string>(TRANSFORMS);

// ------------------------------------------------------------------ typed paths

type Prev = [never, 0, 1, 2];
type WithPk<F> = 'id' extends keyof F ? F : F & { readonly id: Field<number, false, true> };
type TargetFields<Fd> =
  Fd extends ForeignKeyType<infer M, boolean, boolean>
    ? M extends ModelClass<infer D>
      ? D['fields']
      : never
    : never;
type Suffix = `__${Lookup}` | `__${Transform}` | `__${Transform}__${Lookup}`;

/** The field paths of a model's fields, following foreign keys `Depth` deep. */
export type FieldPath<F, Depth extends number = 2> =
  | 'pk'
  | {
      [K in keyof WithPk<F> & string]: WithPk<F>[K] extends
        { readonly __target: unknown } | { readonly __m2m: unknown }
        ? | K
          | `${K}Id`
          | ([Depth] extends [never] ? never : `${K}__${FieldPath<TargetFields<WithPk<F>[K]>, Prev[Depth]>}`)
        : K;
    }[keyof WithPk<F> & string];

/** What `filter()` accepts: field paths with an optional lookup, and annotation names. */
export type Where<F, A extends string = never> = {
  readonly [P in FieldPath<F> | `${FieldPath<F>}${Suffix}` | A | `${A}__${Lookup}`]?: unknown;
};

type Condition<F, A extends string> = Where<F, A> | QNode;

// ------------------------------------------------------------------ compiling

interface Join {
  readonly alias: string;
  readonly sql: RawBuilder<unknown>;
}

interface Resolved {
  readonly ref: RawBuilder<unknown>;
  readonly field: AnyField | null;
  readonly nullable: boolean;
  readonly lookup: Lookup;
  readonly transform: Transform | null;
}

type Sql = RawBuilder<unknown>;

const NO_PARAMETERS = (): readonly unknown[] => [];

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The part of Kysely's select builder that orders and runs a query. */
interface OrderedQuery {
  orderBy(ref: string, direction?: 'asc' | 'desc'): OrderedQuery;
  execute(): Promise<unknown[]>;
}

/** Builds the FROM, the joins and the conditions of one query over a model. */
class Compiler {
  readonly model: AnyModelClass;
  readonly vendor: Vendor;
  readonly joins: Join[] = [];
  readonly #aliases = new Map<string, { alias: string; model: AnyModelClass; nullable: boolean }>();
  readonly annotations: ReadonlyMap<string, Aggregate>;
  /** The aliases' prefix: `t` (t0 the model's table), `s` in a correlated subquery. */
  readonly prefix: string;
  /** Compiling a shape: where each condition's parameters go (null: values go in the SQL). */
  readonly binders: Binder[] | null;
  #next = 1;

  constructor(
    model: AnyModelClass,
    vendor: Vendor,
    annotations: ReadonlyMap<string, Aggregate> = new Map(),
    prefix = 't',
    binders: Binder[] | null = null,
  ) {
    this.model = model;
    this.vendor = vendor;
    this.annotations = annotations;
    this.prefix = prefix;
    this.binders = binders;
  }

  fromSql(): Sql {
    const root = sql.raw(`${quoteIdentifier(this.model.meta.table)} as ${this.prefix}0`);
    if (this.joins.length === 0) return root;
    return sql`${root} ${sql.join(
      this.joins.map((j) => j.sql),
      sql` `,
    )}`;
  }

  /** The alias of a joined path (`organization`, `organization__owner`), joining it if needed. */
  join(
    path: string,
    from: { alias: string; model: AnyModelClass; nullable: boolean },
    name: string,
  ): {
    alias: string;
    model: AnyModelClass;
    nullable: boolean;
  } {
    const known = this.#aliases.get(path);
    if (known !== undefined) return known;
    const meta = from.model.meta;
    const field = meta.field(name);
    const alias = `${this.prefix}${this.#next++}`;
    let entry: { alias: string; model: AnyModelClass; nullable: boolean };
    if (field instanceof ForeignKeyType) {
      const target = relatedModel(field);
      const nullable = from.nullable || field.null;
      const kind = nullable ? sql`left join` : sql`inner join`;
      this.joins.push({
        alias,
        sql: sql`${kind} ${sql.table(target.meta.table)} as ${sql.raw(alias)} on ${sql.ref(`${alias}.${target.meta.pk.column}`)} = ${sql.ref(`${from.alias}.${field.column}`)}`,
      });
      entry = { alias, model: target, nullable };
    } else if (manyRelation(from.model, name) !== undefined) {
      const many = manyRelation(from.model, name) as ManyRelation;
      const link = `${this.prefix}${this.#next++}`;
      this.joins.push({
        alias: link,
        sql: sql`left join ${sql.table(many.through.meta.table)} as ${sql.raw(link)} on ${sql.ref(`${link}.${many.near.column}`)} = ${sql.ref(`${from.alias}.${meta.pk.column}`)}`,
      });
      this.joins.push({
        alias,
        sql: sql`left join ${sql.table(many.other.meta.table)} as ${sql.raw(alias)} on ${sql.ref(`${alias}.${many.other.meta.pk.column}`)} = ${sql.ref(`${link}.${many.far.column}`)}`,
      });
      entry = { alias, model: many.other, nullable: true };
    } else {
      const reverse = reverseRelation(from.model, name);
      if (reverse === undefined) throw unknownField(from.model, name);
      this.joins.push({
        alias,
        sql: sql`left join ${sql.table(reverse.model.meta.table)} as ${sql.raw(alias)} on ${sql.ref(`${alias}.${reverse.field.column}`)} = ${sql.ref(`${from.alias}.${meta.pk.column}`)}`,
      });
      entry = { alias, model: reverse.model, nullable: true };
    }
    this.#aliases.set(path, entry);
    return entry;
  }

  /** Resolves `organization__slug__icontains` to a column reference and a lookup. */
  resolve(key: string): Resolved {
    const parts = key.split('__');
    const annotation = this.annotations.get(parts[0] as string);
    if (annotation !== undefined) {
      const lookup = (parts[1] ?? 'exact') as Lookup;
      if (!LOOKUP_SET.has(lookup) || parts.length > 2)
        throw new FieldError(`unsupported lookup '${parts.slice(1).join('__')}' on annotation ${parts[0]}`);
      return { ref: this.annotationSql(annotation), field: null, nullable: true, lookup, transform: null };
    }
    let current = { alias: `${this.prefix}0`, model: this.model, nullable: false };
    let path = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i] as string;
      const meta = current.model.meta;
      const field = meta.field(name);
      const rest = parts.slice(i + 1);
      if (field !== undefined) {
        const next = rest[0];
        const isRelation = field instanceof ForeignKeyType && name === field.name;
        if (isRelation && next !== undefined && !LOOKUP_SET.has(next) && !TRANSFORM_SET.has(next)) {
          // `organization__id` needs no join: the column is here.
          const target = relatedModel(field);
          if (
            (next === 'pk' || next === target.meta.pk.name) &&
            rest.length <= 2 &&
            (rest[1] === undefined || LOOKUP_SET.has(rest[1]))
          ) {
            return this.#leaf(current, field, rest.slice(1), key);
          }
          path = path === '' ? name : `${path}__${name}`;
          current = this.join(path, current, name);
          continue;
        }
        return this.#leaf(current, field, rest, key);
      }
      const reverse = reverseRelation(current.model, name) ?? manyRelation(current.model, name);
      if (reverse !== undefined) {
        path = path === '' ? name : `${path}__${name}`;
        current = this.join(path, current, name);
        const next = rest[0];
        if (next === undefined || LOOKUP_SET.has(next))
          return this.#leaf(current, current.model.meta.pk, rest, key);
        continue;
      }
      throw unknownField(current.model, name);
    }
    throw new FieldError(`cannot resolve '${key}'`);
  }

  #leaf(
    at: { alias: string; model: AnyModelClass; nullable: boolean },
    field: AnyField,
    rest: string[],
    key: string,
  ): Resolved {
    let transform: Transform | null = null;
    let lookup: Lookup = 'exact';
    let i = 0;
    if (rest[i] !== undefined && TRANSFORM_SET.has(rest[i] as string)) transform = rest[i++] as Transform;
    if (rest[i] !== undefined) {
      if (!LOOKUP_SET.has(rest[i] as string))
        throw new FieldError(
          `unsupported lookup '${rest[i]}' in '${key}' (${at.model.meta.modelName}.${field.name})`,
        );
      lookup = rest[i++] as Lookup;
    }
    if (i < rest.length)
      throw new FieldError(`cannot resolve '${key}': '${rest.slice(i).join('__')}' follows a lookup`);
    if (transform !== null && !(field instanceof DateTimeFieldType || field instanceof DateFieldType))
      throw new FieldError(`the '${transform}' lookup needs a date or date/time field ('${key}')`);
    let ref: Sql = columnRef(at.alias, field.column);
    if (transform === 'date') {
      ref =
        this.vendor === 'sqlite'
          ? sql`substr(${ref}, 1, 10)`
          : field instanceof DateFieldType
            ? ref
            : sql`(${ref} at time zone 'UTC')::date`;
    } else if (transform === 'year') {
      ref =
        this.vendor === 'sqlite'
          ? sql`cast(substr(${ref}, 1, 4) as integer)`
          : field instanceof DateFieldType
            ? sql`extract(year from ${ref})`
            : sql`extract(year from ${ref} at time zone 'UTC')`;
    }
    return { ref, field, nullable: at.nullable || field.null, lookup, transform };
  }

  /** A value as the column takes it. */
  value(resolved: Resolved, value: unknown): unknown {
    if (value instanceof Object && 'pk' in value && typeof (value as Model).save === 'function')
      value = (value as Model).pk;
    const field = resolved.field;
    if (field === null || resolved.transform === 'year') return value;
    if (resolved.transform === 'date')
      return value instanceof Date ? value.toISOString().slice(0, 10) : value;
    return field.toDb(field.coerce(value), this.vendor);
  }

  /**
   * One condition's parameters: its values, put in the SQL; or, compiling a shape
   * ({@link binders} set), a slot per value, filled on each run by `derive`. Every
   * condition registers one binder then, even with no parameter (`is null`), so the
   * binders line up with the values {@link whereShape} gathers.
   */
  #params(value: unknown, derive: (value: unknown) => readonly unknown[]): readonly unknown[] {
    const actual = derive(value);
    if (this.binders === null) return actual;
    const slots = actual.map(() => new Slot());
    this.binders.push({ slots, derive });
    return slots;
  }

  condition(key: string, value: unknown, negated: boolean): Sql {
    const r = this.resolve(key);
    const ref = r.ref;
    const v = (x: unknown) => this.value(r, x);
    const one = (derive: (x: unknown) => unknown): unknown => this.#params(value, (x) => [derive(x)])[0];
    const none = (cond: Sql): Sql => (this.#params(value, NO_PARAMETERS), cond);
    const like = (pattern: (text: string) => string, lower: boolean): Sql => {
      const p = one((x) => pattern(escapeLike(lower ? String(x).toLowerCase() : String(x))));
      return lower ? sql`lower(${ref}) like ${p} escape '\\'` : sql`${ref} like ${p} escape '\\'`;
    };
    let cond: Sql;
    switch (r.lookup) {
      case 'exact':
        cond = value === null ? none(sql`${ref} is null`) : sql`${ref} = ${one(v)}`;
        break;
      case 'iexact':
        cond =
          value === null
            ? none(sql`${ref} is null`)
            : sql`lower(${ref}) = ${one((x) => String(x).toLowerCase())}`;
        break;
      case 'in': {
        if (value instanceof QuerySet) {
          // Never part of a cached shape: whereShape refuses a subquery.
          cond = sql`${ref} in (${value.pkSubquery(this.vendor)})`;
          break;
        }
        const values = this.#params(value, (x) =>
          [...(x as Iterable<unknown>)].filter((y) => y !== null).map(v),
        );
        cond = values.length === 0 ? sql`1 = 0` : sql`${ref} in (${sql.join(values)})`;
        break;
      }
      case 'gt':
        cond = sql`${ref} > ${one(v)}`;
        break;
      case 'gte':
        cond = sql`${ref} >= ${one(v)}`;
        break;
      case 'lt':
        cond = sql`${ref} < ${one(v)}`;
        break;
      case 'lte':
        cond = sql`${ref} <= ${one(v)}`;
        break;
      case 'range': {
        const [low, high] = this.#params(value, (x) => {
          const [a, b] = x as [unknown, unknown];
          return [v(a), v(b)];
        });
        cond = sql`${ref} between ${low} and ${high}`;
        break;
      }
      case 'contains':
        cond = like((text) => `%${text}%`, false);
        break;
      case 'icontains':
        cond = like((text) => `%${text}%`, true);
        break;
      case 'startswith':
        cond = like((text) => `${text}%`, false);
        break;
      case 'istartswith':
        cond = like((text) => `${text}%`, true);
        break;
      case 'endswith':
        cond = like((text) => `%${text}`, false);
        break;
      case 'iendswith':
        cond = like((text) => `%${text}`, true);
        break;
      case 'isnull':
        return none(value ? sql`${ref} is null` : sql`${ref} is not null`);
    }
    // NOT (col = x) is unknown where col is NULL: Django counts those rows as "not x".
    if (negated && r.nullable && value !== null) cond = sql`(${cond} and ${ref} is not null)`;
    return cond;
  }

  where(node: QNode | WhereObject, negated = false): Sql {
    if (!(node instanceof QNode)) {
      const parts = Object.entries(node)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => this.condition(key, value, negated));
      if (parts.length === 0) return sql`1 = 1`;
      return parts.length === 1 ? (parts[0] as Sql) : sql`(${sql.join(parts, sql` and `)})`;
    }
    const inner = negated !== node.negated;
    const parts = node.children.map((child) => this.where(child, inner));
    const joined =
      parts.length === 0
        ? sql`1 = 1`
        : parts.length === 1
          ? (parts[0] as Sql)
          : sql`(${sql.join(parts, node.connector === 'AND' ? sql` and ` : sql` or `)})`;
    return node.negated ? sql`not (${joined})` : joined;
  }

  /** An aggregate over the query's rows (for `aggregate()`). */
  aggregateSql(aggregate: Aggregate): Sql {
    if (aggregate.path === '*') return sql`count(*)`;
    const r = this.resolve(aggregate.path);
    const distinct = aggregate.distinct ? sql`distinct ` : sql``;
    return sql`${sql.raw(aggregate.fn)}(${distinct}${r.ref})`;
  }

  /** An aggregate per row, over a reverse relation (for `annotate()`): a correlated subquery. */
  annotationSql(aggregate: Aggregate): Sql {
    const [first, ...rest] = aggregate.path.split('__');
    const reverse = reverseRelation(this.model, first as string);
    if (reverse === undefined)
      throw new FieldError(
        `annotate() aggregates over a reverse relation of ${this.model.meta.modelName}; '${first}' is not one`,
      );
    const inner = new Compiler(reverse.model, this.vendor, new Map(), 's');
    const target =
      rest.length === 0
        ? aggregate.fn === 'count'
          ? sql`*`
          : sql.ref(`s0.${reverse.model.meta.pk.column}`)
        : inner.resolve(rest.join('__')).ref;
    const distinct = aggregate.distinct ? sql`distinct ` : sql``;
    const counted =
      rest.length === 0 && aggregate.fn === 'count' && !aggregate.distinct
        ? sql`count(*)`
        : sql`${sql.raw(aggregate.fn)}(${distinct}${target})`;
    const fromSql = inner.fromSql();
    return sql`(select ${counted} from ${fromSql} where ${sql.ref(`s0.${reverse.field.column}`)} = ${sql.ref(`${this.prefix}0.${this.model.meta.pk.column}`)})`;
  }
}

/** A many-to-many relation of `model` named `name`, from either side: the through model and its two keys. */
interface ManyRelation {
  readonly through: AnyModelClass;
  /** The through model's key to `model`. */
  readonly near: AnyField;
  /** The through model's key to the other side. */
  readonly far: AnyField;
  readonly other: AnyModelClass;
  /** The accessor on `model` (`tags`, `postSet`): where a prefetch keeps its results. */
  readonly accessor: string;
}

function manyRelation(model: AnyModelClass, name: string): ManyRelation | undefined {
  const through = (field: ManyToManyFieldType, forward: boolean): ManyRelation => {
    const t = getModel(field.through);
    const source = t.meta.field(field.sourceField) as AnyField;
    const target = t.meta.field(field.targetField) as AnyField;
    const lower = field.modelLabel.split('.')[1]!.replace(/^./, (c) => c.toLowerCase());
    return forward
      ? { through: t, near: source, far: target, other: getModel(field.targetLabel()), accessor: field.name }
      : {
          through: t,
          near: target,
          far: source,
          other: getModel(field.modelLabel),
          accessor: field.m2m.relatedName ?? `${lower}Set`,
        };
  };
  const own = model.meta.manyToMany.find((f) => f.name === name);
  if (own !== undefined) return through(own, true);
  for (const other of allModels()) {
    for (const field of other.meta.manyToMany) {
      if (field.targetLabel() !== model.meta.label) continue;
      const lower = other.meta.modelName[0]!.toLowerCase() + other.meta.modelName.slice(1);
      if ((field.m2m.relatedName ?? lower) === name || `${lower}Set` === name) return through(field, false);
    }
  }
  return undefined;
}

function reverseRelation(model: AnyModelClass, name: string): RelatedObject | undefined {
  return model.meta.relatedObjects().find((r) => r.queryName === name || r.accessor === name);
}

function unknownField(model: AnyModelClass, name: string): FieldError {
  const meta = model.meta;
  const names = [
    ...meta.fields.map((f) => f.name),
    ...meta.manyToMany.map((f) => f.name),
    ...meta
      .relatedObjects()
      .map((r) => r.queryName)
      .filter((n) => !n.endsWith('+')),
  ];
  return new FieldError(`${meta.modelName} has no field '${name}' (choices: ${names.join(', ')})`);
}

// ------------------------------------------------------------------ querysets

interface State {
  readonly using: string;
  readonly where: readonly QNode[];
  readonly ordering: readonly string[] | null;
  readonly limit: number | null;
  readonly offset: number;
  readonly distinct: boolean;
  readonly selectRelated: readonly string[];
  readonly prefetch: readonly string[];
  readonly annotations: ReadonlyMap<string, Aggregate>;
  readonly values: {
    readonly fields: readonly string[];
    readonly list: boolean;
    readonly flat: boolean;
  } | null;
  readonly forUpdate: boolean;
  readonly cache: readonly unknown[] | null;
}

const EMPTY: State = {
  using: 'default',
  where: [],
  ordering: null,
  limit: null,
  offset: 0,
  distinct: false,
  selectRelated: [],
  prefetch: [],
  annotations: new Map(),
  values: null,
  forUpdate: false,
  cache: null,
};

type AggregateResult<A> = { [K in keyof A]: A[K] extends Aggregate<infer T> ? T : never };

/** What `values()` returns for some paths. */
export type ValuesRow<F, K extends string> = { [P in K]: P extends keyof RowOf<F> ? RowOf<F>[P] : unknown };

/**
 * A lazy query over a model. Every method that refines it returns a new queryset;
 * awaiting it (or `fetch()`) runs it.
 */
export class QuerySet<
  D extends ModelTypes = ModelTypes,
  R = Instance<D>,
  A extends string = never,
> implements PromiseLike<R[]> {
  readonly model: ModelClass<D>;
  readonly state: State;

  constructor(model: ModelClass<D>, state: State = EMPTY) {
    this.model = model;
    this.state = state;
  }

  #with(changes: Partial<State>): this {
    const Ctor = QuerySet as unknown as new (model: ModelClass<D>, state: State) => this;
    return new Ctor(this.model, { ...this.state, cache: null, ...changes });
  }

  get #meta() {
    return (this.model as unknown as AnyModelClass).meta;
  }

  /** A copy of this queryset (Django's `all()`). */
  all(): QuerySet<D, R, A> {
    return this.#with({});
  }
  /** The database to use. */
  using(alias: string): QuerySet<D, R, A> {
    return this.#with({ using: alias });
  }
  /** Rows matching every lookup (and each `Q`). */
  filter(...conditions: ReadonlyArray<Condition<D['fields'], A>>): QuerySet<D, R, A> {
    return this.#with({
      where: [
        ...this.state.where,
        // Widened first, as `exclude` does: narrowing the typed conditions one by one made the
        // type checker work out the variance of Condition and Where (~0.15 s per program).
        ...(conditions as ReadonlyArray<QNode | WhereObject>).map((c) =>
          c instanceof QNode ? c : new QNode('AND', [c]),
        ),
      ],
    });
  }
  /** Rows not matching the lookups. */
  exclude(...conditions: ReadonlyArray<Condition<D['fields'], A>>): QuerySet<D, R, A> {
    return this.#with({
      where: [...this.state.where, new QNode('AND', conditions as ReadonlyArray<QNode | WhereObject>, true)],
    });
  }
  /** The order (`'-createdAt'`, `'organization__name'`); replaces `meta.ordering`. */
  orderBy(
    ...fields: ReadonlyArray<FieldPath<D['fields']> | `-${FieldPath<D['fields']>}` | A | `-${A}`>
  ): QuerySet<D, R, A> {
    return this.#with({ ordering: fields });
  }
  /** The order reversed. */
  reverse(): QuerySet<D, R, A> {
    const ordering = this.#ordering();
    return this.#with({ ordering: ordering.map((o) => (o.startsWith('-') ? o.slice(1) : `-${o}`)) });
  }
  /** Only distinct rows. */
  distinct(): QuerySet<D, R, A> {
    return this.#with({ distinct: true });
  }
  /** At most `n` rows (Django's slice `[:n]`). */
  limit(n: number): QuerySet<D, R, A> {
    return this.#with({ limit: n });
  }
  /** Skips `n` rows (Django's slice `[n:]`). */
  offset(n: number): QuerySet<D, R, A> {
    return this.#with({ offset: n });
  }
  /** Fetches these foreign keys in the same query (a join). */
  selectRelated(...paths: ReadonlyArray<string>): QuerySet<D, R, A> {
    return this.#with({ selectRelated: [...this.state.selectRelated, ...paths] });
  }
  /** Fetches these relations (forward or reverse) with one more query each. */
  prefetchRelated(...paths: ReadonlyArray<string>): QuerySet<D, R, A> {
    return this.#with({ prefetch: [...this.state.prefetch, ...paths] });
  }
  /** Locks the rows until the transaction ends (PostgreSQL; SQLite's write lock covers it). */
  selectForUpdate(): QuerySet<D, R, A> {
    return this.#with({ forUpdate: true });
  }
  /** Adds an aggregate over a reverse relation to each row: `annotate({ projects: Count('project') })`. */
  annotate<const N extends Record<string, Aggregate>>(
    annotations: N,
  ): QuerySet<D, R & AggregateResult<N>, A | (keyof N & string)> {
    const map = new Map(this.state.annotations);
    for (const [name, aggregate] of Object.entries(annotations)) {
      if (this.#meta.field(name) !== undefined)
        throw new FieldError(`the annotation '${name}' conflicts with a field`);
      map.set(name, aggregate);
    }
    return this.#with({ annotations: map }) as unknown as QuerySet<
      D,
      R & AggregateResult<N>,
      A | (keyof N & string)
    >;
  }
  /** Rows as plain objects of these paths (all fields when none is given). */
  values<const K extends FieldPath<D['fields']> | A>(
    ...fields: K[]
  ): QuerySet<D, ValuesRow<D['fields'], K>, A> {
    return this.#with({ values: { fields, list: false, flat: false } }) as unknown as QuerySet<
      D,
      ValuesRow<D['fields'], K>,
      A
    >;
  }
  /** Rows as arrays of these paths. */
  valuesList<const K extends FieldPath<D['fields']> | A>(...fields: K[]): QuerySet<D, unknown[], A>;
  valuesList<const K extends FieldPath<D['fields']> | A>(
    field: K,
    options: { flat: true },
  ): QuerySet<D, ValuesRow<D['fields'], K>[K], A>;
  valuesList(...args: unknown[]): unknown {
    const last = args[args.length - 1];
    const flat = typeof last === 'object' && last !== null && (last as { flat?: boolean }).flat === true;
    const fields = (flat ? args.slice(0, -1) : args) as string[];
    if (flat && fields.length !== 1)
      throw new PorticoError('PORTICO_ERR_DB_FIELD_ERROR', 'valuesList with flat takes one field');
    return this.#with({ values: { fields, list: true, flat } });
  }

  #ordering(): readonly string[] {
    return this.state.ordering ?? this.#meta.ordering;
  }

  #vendor(): Vendor {
    return connections.get(this.state.using).vendor;
  }

  // Typed as executor() answers it (Kysely<any>): declared Kysely<unknown>, the checker had to
  // work out Kysely's variance, ~0.4 s of every program that imports the database layer.
  #executor() {
    return executor(this.state.using);
  }

  /** A compiler for this queryset's model and annotations (with `binders`: compiling a shape). */
  #compiler(vendor: Vendor, binders: Binder[] | null = null): Compiler {
    return new Compiler(this.model as unknown as AnyModelClass, vendor, this.state.annotations, 't', binders);
  }

  #compile(compiler: Compiler): { where: Sql | null } {
    const where = this.state.where.length === 0 ? null : compiler.where(new QNode('AND', this.state.where));
    return { where };
  }

  #orderSql(compiler: Compiler, ordering: readonly string[], columns: Map<string, string>): Sql | null {
    if (ordering.length === 0) return null;
    const parts = ordering.map((o) => {
      const desc = o.startsWith('-');
      const name = desc ? o.slice(1) : o;
      const annotation = this.state.annotations.get(name);
      let ref: Sql;
      if (annotation !== undefined) ref = sql.ref(columns.get(name) ?? name);
      else {
        const field = this.#meta.field(name);
        // Ordering by a foreign key orders by its column, not by the target's ordering.
        ref = field !== undefined ? columnRef('t0', field.column) : compiler.resolve(name).ref;
      }
      return desc ? sql`${ref} desc` : sql`${ref} asc`;
    });
    return sql`order by ${sql.join(parts)}`;
  }

  /** LIMIT and OFFSET: literals, or (compiling a shape) slots bound on each run. */
  #limitSql(limit: number | null, offset: number, slots: LimitSlots | null = null): Sql {
    if (limit === null && offset === 0) return sql``;
    const lim =
      limit === null
        ? this.#vendor() === 'sqlite'
          ? sql`limit -1`
          : sql`limit all`
        : sql`limit ${slots === null ? sql.lit(Math.max(0, Math.trunc(limit))) : slots.limit}`;
    if (offset <= 0) return lim;
    return sql`${lim} offset ${slots === null ? sql.lit(Math.trunc(offset)) : slots.offset}`;
  }

  /**
   * The SELECT, and how to read its rows. With `binders`, it is compiled as a shape: a
   * slot for each value (the limit and the offset too), bound on each run.
   */
  #select(vendor: Vendor, binders: Binder[] | null, slots: LimitSlots | null): Built<Reader> {
    const compiler = this.#compiler(vendor, binders);
    const { where } = this.#compile(compiler);
    // A plain column is its SQL text, quoted here: Kysely builds (and freezes) a few nodes
    // per `sql` fragment, which for a model's every column was most of a query's own cost.
    const columns: Array<Sql | string> = [];
    const names = new Map<string, string>();
    const add = (expr: Sql | { table: string; column: string }): number => {
      const at = columns.length;
      columns.push(
        'table' in expr
          ? `${quoteIdentifier(expr.table)}.${quoteIdentifier(expr.column)} as ${quoteIdentifier(`c${at}`)}`
          : sql`${expr} as ${sql.ref(`c${at}`)}`,
      );
      return at;
    };
    let reader: (byIndex: boolean) => RowReader;
    const values = this.state.values;
    if (values !== null) {
      const paths = values.fields.length > 0 ? values.fields : this.#meta.fields.map((f) => f.attname);
      const selected = paths.map((path) => {
        const annotation = this.state.annotations.get(path);
        const r = annotation === undefined ? compiler.resolve(path) : null;
        const at = add(annotation === undefined ? (r as Resolved).ref : compiler.annotationSql(annotation));
        names.set(path, `c${at}`);
        return { path, at, field: r?.field ?? null, aggregate: annotation ?? null };
      });
      reader = (byIndex) => valuesReader(selected, values, byIndex, vendor);
    } else {
      const hydrator = this.#hydrator(compiler, add, vendor);
      const annotated = [...this.state.annotations].map(([name, aggregate]) => {
        const at = add(compiler.annotationSql(aggregate));
        names.set(name, `c${at}`);
        return { name, at, aggregate };
      });
      reader = (byIndex) => {
        const hydrate = hydrator(byIndex);
        if (annotated.length === 0) return hydrate;
        const extra = annotated.map((a) => ({ ...a, key: byIndex ? a.at : `c${a.at}` }));
        return (row, using) => {
          const instance = hydrate(row, using) as Record<string, unknown>;
          for (const a of extra) instance[a.name] = aggregateValue(a.aggregate, row[a.key], null);
          return instance;
        };
      };
    }
    const order = this.#orderSql(compiler, this.#ordering(), names);
    const query = sql`select ${this.state.distinct ? sql`distinct ` : sql``}${joinColumns(columns)} from ${compiler.fromSql()}${
      where === null ? sql`` : sql` where ${where}`
    }${order === null ? sql`` : sql` ${order}`} ${this.#limitSql(this.state.limit, this.state.offset, slots)}${
      this.state.forUpdate && vendor === 'postgres' ? sql` for update of t0` : sql``
    }`;
    // A shape keeps its readers: one for rows as arrays, one for rows as objects.
    const readers: [RowReader | undefined, RowReader | undefined] = [undefined, undefined];
    return { query, extra: (byIndex) => (readers[byIndex ? 1 : 0] ??= reader(byIndex)) };
  }

  /**
   * The key of this queryset's shape for a statement of `kind` with this limit (gathering
   * the conditions' values into `values`), or null when it cannot be cached. Everything the
   * SQL or the reading of rows depends on is in it, apart from the values; the database
   * alias is not (only its vendor is).
   */
  #shapeKey(kind: string, vendor: Vendor, limit: number | null, values: unknown[]): string | null {
    const s = this.state;
    let key = `${kind}:${shapeId(this.model)}:${vendor}:`;
    for (const node of s.where) {
      const shape = whereShape(node, values);
      if (shape === null) return null;
      key += shape;
    }
    key += '|o';
    for (const o of this.#ordering()) key += part(o);
    key += `|${limit === null ? '' : 'L'}${s.offset > 0 ? 'O' : ''}${s.distinct ? 'D' : ''}${s.forUpdate ? 'U' : ''}`;
    if (s.values !== null) {
      key += `|v${s.values.list ? 'l' : ''}${s.values.flat ? 'f' : ''}`;
      for (const f of s.values.fields) key += part(f);
    }
    if (s.selectRelated.length > 0) {
      key += '|r';
      for (const p of s.selectRelated) key += part(p);
    }
    if (s.annotations.size > 0) {
      key += '|a';
      for (const [name, a] of s.annotations)
        key += `${part(name)}${a.fn}${a.distinct ? 'd' : ''}${part(a.path)}`;
    }
    return key;
  }

  /**
   * The compiled shape of this queryset's statement of `kind` and its parameters, compiling
   * it with `build` on first use; null when the shape cannot be cached.
   */
  #prepare<X>(
    kind: string,
    vendor: Vendor,
    db: Kysely<unknown>,
    limit: number | null,
    build: Build<X>,
  ): { shape: QueryShape<X>; parameters: unknown[] } | null {
    const values: unknown[] = [];
    const key = this.#shapeKey(kind, vendor, limit, values);
    if (key === null) return null;
    let shape = shapes.get(key) as QueryShape<X> | undefined;
    if (shape === undefined) {
      const binders: Binder[] = [];
      const slots = { limit: new Slot(), offset: new Slot() };
      const built = build(vendor, binders, slots);
      const compiled = built.query.compile(db);
      const extra: Slot[] = [];
      if (limit !== null) extra.push(slots.limit);
      if (this.state.offset > 0) extra.push(slots.offset);
      // Defensive: a statement whose parameters are not exactly its slots is not cached.
      if (!slotsInOrder(compiled.parameters, binders, extra)) return null;
      shape = {
        sql: compiled.sql,
        query: compiled.query,
        queryId: compiled.queryId,
        binders,
        limit: limit !== null,
        offset: this.state.offset > 0,
        extra: built.extra,
      };
      shapes.set(key, shape);
    }
    const parameters = bind(shape, values);
    if (parameters === null) return null;
    if (shape.limit) parameters.push(Math.max(0, Math.trunc(limit as number)));
    if (shape.offset) parameters.push(Math.trunc(this.state.offset));
    return { shape, parameters };
  }

  /**
   * Runs this queryset's statement of `kind`: its shape's compiled statement (SQLite rows
   * as arrays when `arrayRows`), or, for a shape that cannot be cached, built with its
   * values. Returns the rows and what `build` gave with the SQL (the select's reader).
   */
  async #run<X>(
    kind: string,
    limit: number | null,
    build: Build<X>,
    arrayRows: boolean,
  ): Promise<{ rows: readonly unknown[]; extra: X }> {
    const vendor = this.#vendor();
    const db = this.#executor();
    const prepared = this.#prepare(kind, vendor, db, limit, build);
    if (prepared !== null) {
      const result = await execute(db, prepared.shape, prepared.parameters, arrayRows && vendor === 'sqlite');
      return { rows: result.rows, extra: prepared.shape.extra };
    }
    const built = build(vendor, null, null);
    const result = await built.query.execute(db);
    return { rows: result.rows, extra: built.extra };
  }

  /** Selects every column of the model (and of the `selectRelated` ones); builds instances. */
  #hydrator(
    compiler: Compiler,
    add: (expr: Sql | { table: string; column: string }) => number,
    vendor: Vendor,
  ): (byIndex: boolean) => RowReader {
    const columnsOf = (model: AnyModelClass, alias: string): number[] =>
      model.meta.fields.map((field) => add({ table: alias, column: field.column }));
    const root = this.model as unknown as AnyModelClass;
    const rootColumns = columnsOf(root, 't0');
    const related: Array<{ path: string; name: string; parent: number; model: AnyModelClass; at: number[] }> =
      [];
    for (const path of this.state.selectRelated) {
      const parts = path.split('__');
      let current = { alias: 't0', model: root, nullable: false };
      for (let i = 0; i < parts.length; i++) {
        const field = current.model.meta.field(parts[i] as string);
        if (!(field instanceof ForeignKeyType))
          throw new FieldError(
            `selectRelated: '${parts[i]}' is not a foreign key of ${current.model.meta.modelName}`,
          );
        const joined = parts.slice(0, i + 1).join('__');
        current = compiler.join(joined, current, parts[i] as string);
        if (related.some((r) => r.path === joined)) continue;
        const parentPath = parts.slice(0, i).join('__');
        related.push({
          path: joined,
          name: parts[i] as string,
          // Parents come first: a path's prefix was joined before it.
          parent: related.findIndex((r) => r.path === parentPath),
          model: current.model,
          at: columnsOf(current.model, current.alias),
        });
      }
    }
    return (byIndex) => {
      const readRoot = instanceReader(root, rootColumns, byIndex, vendor);
      if (related.length === 0) return readRoot;
      const readers = related.map((r) => instanceReader(r.model, r.at, byIndex, vendor));
      return (row, using) => {
        const instance = readRoot(row, using) as Model;
        const objects: Array<Model | null> = [];
        for (let i = 0; i < related.length; i++) {
          const r = related[i] as (typeof related)[number];
          const object = (readers[i] as RowReader)(row, using) as Model | null;
          objects.push(object);
          const parent = r.parent < 0 ? instance : objects[r.parent];
          if (parent) parent._state.related.set(r.name, object);
        }
        return instance;
      };
    };
  }

  /** Runs the query. */
  async fetch(): Promise<R[]> {
    if (this.state.cache !== null) return this.state.cache as R[];
    const { rows, extra: reader } = await this.#run(
      'select',
      this.state.limit,
      (vendor, binders, slots) => this.#select(vendor, binders, slots),
      true,
    );
    const objects = readRows(rows, reader, this.state.using);
    if (this.state.values === null && this.state.prefetch.length > 0)
      await this.#prefetch(objects as Model[]);
    return objects as R[];
  }

  // biome-ignore lint/suspicious/noThenProperty: a queryset runs when awaited, as Django's runs when iterated.
  then<T1 = R[], T2 = never>(
    onfulfilled?: ((value: R[]) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.fetch().then(onfulfilled, onrejected);
  }

  /** Iterates the rows, fetching `chunkSize` at a time. */
  async *iterator(chunkSize = 100): AsyncGenerator<R> {
    let offset = this.state.offset;
    const end = this.state.limit === null ? Infinity : this.state.offset + this.state.limit;
    const ordering = this.#ordering().length > 0 ? this.#ordering() : ['pk'];
    for (;;) {
      const size = Math.min(chunkSize, end - offset);
      if (size <= 0) return;
      const chunk = await this.#with({ offset, limit: size, ordering }).fetch();
      for (const row of chunk) yield row as R;
      if (chunk.length < size) return;
      offset += size;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<R> {
    return this.iterator();
  }

  /**
   * The objects on the other side of a many-to-many relation for every instance, in one
   * query (the other model joined to the through table, Django's way), kept where the
   * instances' managers (`post.tags`) answer from without a query.
   */
  async #prefetchMany(instances: Model[], many: ManyRelation): Promise<void> {
    const other = many.other.meta;
    const through = many.through.meta;
    const using = this.state.using;
    const vendor = connections.get(using).vendor;
    const ids = [...new Set(instances.map((i) => i.pk))];
    // Typed as the two methods used below: reassigning Kysely's own builder type made the
    // checker work out SelectQueryBuilder's variance, ~0.4 s of every program that imports
    // the database layer.
    let query = executor(using)
      .selectFrom(`${other.table} as o`)
      .innerJoin(`${through.table} as t`, `t.${many.far.column}`, `o.${other.pk.column}`)
      .select(other.fields.map((f, i) => sql.ref(`o.${f.column}`).as(`c${i}`)))
      .select(sql.ref(`t.${many.near.column}`).as('near'))
      .where(`t.${many.near.column}`, 'in', ids) as unknown as OrderedQuery;
    // The other model's default order, where it names its own columns; then the links' order.
    for (const entry of other.ordering) {
      const field = other.field(entry.replace(/^-/, ''));
      if (field !== undefined)
        query = query.orderBy(`o.${field.column}`, entry.startsWith('-') ? 'desc' : 'asc');
    }
    query = query.orderBy(`t.${through.pk.column}`);
    const rows = (await query.execute()) as Array<Record<string, unknown>>;
    const groups = new Map<unknown, Model[]>();
    for (const row of rows) {
      const key = many.near.fromDb(row.near, vendor);
      let list = groups.get(key);
      if (list === undefined) groups.set(key, (list = []));
      list.push(
        materialize(
          many.other,
          other.fields.map((f, i) => [f, row[`c${i}`]] as const),
          vendor,
          using,
        ),
      );
    }
    for (const i of instances) i._state.related.set(`${many.accessor}:prefetched`, groups.get(i.pk) ?? []);
  }

  async #prefetch(instances: Model[]): Promise<void> {
    if (instances.length === 0) return;
    for (const name of this.state.prefetch) {
      const meta = this.#meta;
      const field = meta.field(name);
      if (field instanceof ForeignKeyType) {
        const ids = [
          ...new Set(
            instances
              .map((i) => (i as unknown as Record<string, unknown>)[field.attname])
              .filter((x) => x !== null),
          ),
        ];
        const target = relatedModel(field);
        const objects =
          ids.length === 0
            ? []
            : await target.objects
                .using(this.state.using)
                .filter({ pk__in: ids } as never)
                .fetch();
        const byId = new Map(objects.map((o) => [(o as Model).pk, o]));
        for (const i of instances)
          i._state.related.set(
            field.name,
            byId.get((i as unknown as Record<string, unknown>)[field.attname]) ?? null,
          );
        continue;
      }
      const many = manyRelation(this.model as unknown as AnyModelClass, name);
      if (many !== undefined) {
        await this.#prefetchMany(instances, many);
        continue;
      }
      const reverse = reverseRelation(this.model as unknown as AnyModelClass, name);
      if (reverse === undefined) throw unknownField(this.model as unknown as AnyModelClass, name);
      const children = await reverse.model.objects
        .using(this.state.using)
        .filter({ [`${reverse.field.attname}__in`]: instances.map((i) => i.pk) } as never)
        .fetch();
      const groups = new Map<unknown, Model[]>();
      for (const c of children as Model[]) {
        const key = (c as unknown as Record<string, unknown>)[reverse.field.attname];
        let list = groups.get(key);
        if (list === undefined) groups.set(key, (list = []));
        list.push(c);
      }
      for (const i of instances)
        i._state.related.set(`${reverse.accessor}:prefetched`, groups.get(i.pk) ?? []);
    }
  }

  /** The one row matching; `Model.DoesNotExist` or `Model.MultipleObjectsReturned` otherwise. */
  async get(...conditions: ReadonlyArray<Condition<D['fields'], A>>): Promise<R> {
    const qs = conditions.length > 0 ? this.filter(...conditions) : this;
    const rows = await qs.#with({ limit: 21, ordering: [] }).fetch();
    const name = this.#meta.modelName;
    if (rows.length === 0) throw new this.model.DoesNotExist(`${name} matching query does not exist.`);
    if (rows.length > 1)
      throw new this.model.MultipleObjectsReturned(
        `get() returned more than one ${name} -- it returned ${rows.length > 20 ? 'more than 20' : rows.length}!`,
      );
    return rows[0] as R;
  }

  /** The first row in order (by primary key when unordered), or null. */
  async first(): Promise<R | null> {
    const ordering = this.#ordering().length > 0 ? this.#ordering() : ['pk'];
    const rows = await this.#with({ limit: 1, ordering }).fetch();
    return rows[0] ?? null;
  }

  /** The last row in order, or null. */
  async last(): Promise<R | null> {
    const ordering = this.#ordering().length > 0 ? this.#ordering() : ['pk'];
    return this.#with({ ordering }).reverse().first() as Promise<R | null>;
  }

  /** The number of rows. */
  async count(): Promise<number> {
    if (this.state.cache !== null) return this.state.cache.length;
    const { rows } = await this.#run(
      'count',
      this.state.limit,
      (vendor, binders, slots) => {
        const compiler = this.#compiler(vendor, binders);
        const { where } = this.#compile(compiler);
        const whereSql = where === null ? sql`` : sql` where ${where}`;
        const query =
          this.state.distinct ||
          this.state.limit !== null ||
          this.state.offset > 0 ||
          compiler.joins.length > 0
            ? sql`select count(*) as n from (select distinct ${sql.ref(`t0.${this.#meta.pk.column}`)} from ${compiler.fromSql()}${whereSql} ${this.#limitSql(this.state.limit, this.state.offset, slots)}) as sub`
            : sql`select count(*) as n from ${compiler.fromSql()}${whereSql}`;
        return { query, extra: undefined };
      },
      false,
    );
    return Number((rows[0] as { n: unknown }).n);
  }

  /** Whether any row matches. */
  async exists(): Promise<boolean> {
    const { rows } = await this.#run(
      'exists',
      1,
      (vendor, binders, slots) => {
        const compiler = this.#compiler(vendor, binders);
        const { where } = this.#compile(compiler);
        const whereSql = where === null ? sql`` : sql` where ${where}`;
        const query = sql`select 1 as x from ${compiler.fromSql()}${whereSql} ${this.#limitSql(1, this.state.offset, slots)}`;
        return { query, extra: undefined };
      },
      false,
    );
    return rows.length > 0;
  }

  /** Aggregates over the rows: `aggregate({ total: Sum('price'), n: Count() })`. */
  async aggregate<const N extends Record<string, Aggregate>>(aggregates: N): Promise<AggregateResult<N>> {
    const vendor = this.#vendor();
    const compiler = new Compiler(this.model as unknown as AnyModelClass, vendor, this.state.annotations);
    const entries = Object.entries(aggregates).map(([name, aggregate], i) => ({
      name,
      aggregate,
      alias: `a${i}`,
      sql: compiler.aggregateSql(aggregate),
    }));
    const { where } = this.#compile(compiler);
    const query = sql`select ${sql.join(entries.map((e) => sql`${e.sql} as ${sql.ref(e.alias)}`))} from ${compiler.fromSql()}${
      where === null ? sql`` : sql` where ${where}`
    }`;
    const result = await query.execute(this.#executor());
    const row = result.rows[0] as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const e of entries) {
      const field = e.aggregate.path === '*' ? null : compiler.resolve(e.aggregate.path).field;
      out[e.name] = aggregateValue(e.aggregate, row[e.alias], field);
    }
    return out as AggregateResult<N>;
  }

  /** A subquery of the matching primary keys (for `__in` and for update and delete). */
  pkSubquery(vendor: Vendor): Sql {
    const compiler = new Compiler(this.model as unknown as AnyModelClass, vendor, this.state.annotations);
    const { where } = this.#compile(compiler);
    const limited = this.state.limit !== null || this.state.offset > 0;
    const order = limited ? this.#orderSql(compiler, this.#ordering(), new Map()) : null;
    const query = sql`select ${sql.ref(`t0.${this.#meta.pk.column}`)} from ${compiler.fromSql()}${where === null ? sql`` : sql` where ${where}`}${
      order === null ? sql`` : sql` ${order}`
    } ${this.#limitSql(this.state.limit, this.state.offset)}`;
    return limited || vendor === 'sqlite' ? sql`select * from (${query}) as pks` : query;
  }

  /** Updates the matching rows; returns how many. `F('views').plus(1)` refers to the row's value. */
  async update(values: Partial<RowOf<D['fields']>> | Record<string, unknown>): Promise<number> {
    const meta = this.#meta;
    const vendor = this.#vendor();
    const sets: Sql[] = [];
    for (const [name, value] of Object.entries(values)) {
      const field = meta.field(name);
      if (field === undefined || field.primaryKey)
        throw new FieldError(`${meta.modelName} has no updatable field '${name}'`);
      if (value instanceof FExpression) {
        const source = meta.field(value.path);
        if (source === undefined) throw unknownField(this.model as unknown as AnyModelClass, value.path);
        const ref = sql.ref(source.column);
        sets.push(
          sql`${sql.ref(field.column)} = ${value.op === null ? ref : sql`${ref} ${sql.raw(value.op)} ${value.operand}`}`,
        );
        continue;
      }
      let v = value;
      if (field instanceof ForeignKeyType && name === field.name)
        v = value === null ? null : (value as Model).pk;
      checkLength(meta.table, field, v);
      sets.push(sql`${sql.ref(field.column)} = ${field.toDb(field.coerce(v), vendor)}`);
    }
    for (const field of meta.fields)
      if (field instanceof DateTimeFieldType && field.autoNow && !(field.name in values))
        sets.push(sql`${sql.ref(field.column)} = ${field.toDb(new Date())}`);
    if (sets.length === 0) return 0;
    const where = this.state.where.length === 0 && this.state.limit === null ? null : this.pkSubquery(vendor);
    const query = sql`update ${sql.table(meta.table)} set ${sql.join(sets)}${
      where === null ? sql`` : sql` where ${sql.ref(meta.pk.column)} in (${where})`
    }`;
    const result = await query.execute(this.#executor());
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * Deletes the matching rows and, following `onDelete`, the rows that refer to them
   * (CASCADE), or refuses (PROTECT, RESTRICT), or clears the reference (SET_NULL,
   * SET_DEFAULT); all in one transaction. Returns the total and the count per model.
   */
  async delete(): Promise<[number, Record<string, number>]> {
    if (this.state.limit !== null || this.state.offset > 0 || this.state.distinct)
      throw new PorticoError(
        'PORTICO_ERR_DB_FIELD_ERROR',
        'delete() cannot be used on a sliced or distinct queryset',
      );
    return atomic({ using: this.state.using }, () =>
      collectAndDelete(
        this.model as unknown as AnyModelClass,
        this.#with({ ordering: [] }) as unknown as QuerySet,
        this.state.using,
      ),
    );
  }

  /** A new row, saved. */
  async create(values: CreateInput<D['fields']>): Promise<Instance<D>> {
    const instance = new this.model(values);
    await instance.save({ forceInsert: true, using: this.state.using });
    return instance;
  }

  /** The row matching `where`, or one created from `where` and `defaults`; and whether it was created. */
  async getOrCreate(
    where: Where<D['fields']>,
    defaults: Partial<CreateInput<D['fields']>> = {},
  ): Promise<[Instance<D>, boolean]> {
    try {
      return [(await this.get(where as never)) as unknown as Instance<D>, false];
    } catch (error) {
      if (!(error instanceof this.model.DoesNotExist)) throw error;
    }
    try {
      const created = await atomic({ using: this.state.using }, () =>
        this.create({ ...plain(where), ...defaults } as CreateInput<D['fields']>),
      );
      return [created, true];
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      // Another writer created it meanwhile.
      try {
        return [(await this.get(where as never)) as unknown as Instance<D>, false];
      } catch {
        throw error;
      }
    }
  }

  /** Updates the row matching `where` with `defaults`, or creates it; and whether it was created. */
  async updateOrCreate(
    where: Where<D['fields']>,
    defaults: Partial<CreateInput<D['fields']>> = {},
  ): Promise<[Instance<D>, boolean]> {
    return atomic({ using: this.state.using }, async () => {
      let instance: Instance<D>;
      try {
        instance = (await this.selectForUpdate().get(where as never)) as unknown as Instance<D>;
      } catch (error) {
        if (!(error instanceof this.model.DoesNotExist)) throw error;
        return this.getOrCreate(where, defaults);
      }
      Object.assign(instance, defaults);
      await instance.save({ using: this.state.using });
      return [instance, false] as [Instance<D>, boolean];
    });
  }

  /** Inserts many rows in one statement; no signals are sent. Returns the instances with their keys. */
  async bulkCreate(objects: ReadonlyArray<CreateInput<D['fields']> | Instance<D>>): Promise<Instance<D>[]> {
    const meta = this.#meta;
    const vendor = this.#vendor();
    const instances = objects.map((o) =>
      o instanceof (this.model as unknown as AnyModelClass)
        ? (o as Instance<D>)
        : new this.model(o as CreateInput<D['fields']>),
    );
    if (instances.length === 0) return [];
    const now = new Date();
    const withPk = instances.some((i) => i.pk !== null && i.pk !== undefined);
    const fields = meta.fields.filter((f) => f !== meta.pk || withPk);
    const rows = instances.map((instance) => {
      const self = instance as unknown as Record<string, unknown>;
      const row: Record<string, unknown> = {};
      for (const field of fields) {
        if (
          field instanceof DateTimeFieldType &&
          (field.autoNow || field.autoNowAdd) &&
          self[field.attname] == null
        )
          self[field.attname] = now;
        checkLength(meta.table, field, self[field.attname]);
        row[field.column] = field.toDb(self[field.attname] ?? null, vendor);
      }
      return row;
    });
    const inserted = (await this.#executor()
      .insertInto(meta.table as never)
      .values(rows as never)
      .returning(meta.pk.column as never)
      .execute()) as Record<string, unknown>[];
    inserted.forEach((row, i) => {
      const instance = instances[i] as Instance<D>;
      (instance as unknown as Record<string, unknown>)[meta.pk.attname] = meta.pk.fromDb(
        row[meta.pk.column],
        vendor,
      );
      instance._state.adding = false;
      instance._state.db = this.state.using;
    });
    return instances;
  }

  /** The typed Kysely handle of the current transaction (or database), for what the queryset cannot say. */
  kysely(): Kysely<DB<ModelClass<D>>> {
    return this.#executor() as unknown as Kysely<DB<ModelClass<D>>>;
  }

  /** The SQL and parameters of this queryset's SELECT (for debugging, and `sqlmigrate`'s kin). */
  compile(): { sql: string; parameters: readonly unknown[] } {
    const vendor = this.#vendor();
    const db = this.#executor();
    const select: Build<Reader> = (v, binders, slots) => this.#select(v, binders, slots);
    const prepared = this.#prepare('select', vendor, db, this.state.limit, select);
    if (prepared !== null) return { sql: prepared.shape.sql, parameters: prepared.parameters };
    const compiled = select(vendor, null, null).query.compile(db);
    return { sql: compiled.sql, parameters: compiled.parameters };
  }
}

/** A model's manager: the root queryset (`Project.objects.filter(…)`). */
export class Manager<D extends ModelTypes = ModelTypes> extends QuerySet<D> {}

/**
 * The objects on the other side of a many-to-many relation of one instance
 * (`project.tags`, `tag.projectSet`): a queryset, plus `add`, `remove`, `set` and `clear`,
 * which change the through table.
 */
export class ManyRelatedManager<D extends ModelTypes = ModelTypes> extends QuerySet<D> {
  readonly #instance: Model;
  readonly #many: ManyRelation;

  constructor(instance: Model, field: ManyToManyFieldType, direction: 'forward' | 'reverse') {
    const source = (instance.constructor as AnyModelClass).meta;
    const forward = direction === 'forward';
    const other = getModel(forward ? field.targetLabel() : field.modelLabel);
    const many = (
      forward
        ? manyRelation(getModel(field.modelLabel), field.name)
        : manyRelation(getModel(field.targetLabel()), backName(field))
    ) as ManyRelation;
    // From the other side back to this instance: the reverse name, or the field itself.
    const back = forward ? backName(field) : field.name;
    if (instance.pk === null || instance.pk === undefined)
      throw new PorticoError(
        'PORTICO_ERR_DB_FIELD_ERROR',
        `${source.modelName} needs a primary key before its many-to-many relation '${field.name}' can be used`,
      );
    const base = other.objects.using(instance._state.db).filter({ [back]: instance.pk } as never);
    // After prefetchRelated, the manager answers from what was fetched (a refinement queries).
    const prefetched = instance._state.related.get(`${many.accessor}:prefetched`) as
      readonly Model[] | undefined;
    super(
      other as unknown as ModelClass<D>,
      prefetched === undefined ? base.state : { ...base.state, cache: prefetched },
    );
    this.#instance = instance;
    this.#many = many;
  }

  /** A change to the links makes a prefetch of them stale (Django clears it too). */
  #forget(): void {
    this.#instance._state.related.delete(`${this.#many.accessor}:prefetched`);
  }

  #ids(objects: ReadonlyArray<Model | number | string>): unknown[] {
    return objects.map((o) => (typeof o === 'object' && o !== null ? o.pk : o));
  }

  #through(): QuerySet {
    return this.#many.through.objects
      .using(this.#instance._state.db)
      .filter({ [this.#many.near.attname]: this.#instance.pk } as never) as unknown as QuerySet;
  }

  /** Links these objects (or primary keys); those already linked are left as they are. */
  async add(...objects: ReadonlyArray<Model | number | string>): Promise<void> {
    this.#forget();
    const ids = [...new Set(this.#ids(objects))];
    if (ids.length === 0) return;
    await atomic({ using: this.#instance._state.db }, async () => {
      const far = this.#many.far.attname;
      const existing = new Set(
        (await this.#through()
          .filter({ [`${far}__in`]: ids } as never)
          .valuesList(far as never, { flat: true })
          .fetch()) as unknown[],
      );
      const rows = ids
        .filter((id) => !existing.has(id))
        .map((id) => ({ [this.#many.near.attname]: this.#instance.pk, [far]: id }));
      if (rows.length > 0)
        await this.#many.through.objects.using(this.#instance._state.db).bulkCreate(rows as never);
    });
  }

  /** Unlinks these objects (or primary keys). */
  async remove(...objects: ReadonlyArray<Model | number | string>): Promise<void> {
    this.#forget();
    const ids = this.#ids(objects);
    if (ids.length > 0)
      await this.#through()
        .filter({ [`${this.#many.far.attname}__in`]: ids } as never)
        .delete();
  }

  /** Unlinks everything. */
  async clear(): Promise<void> {
    this.#forget();
    await this.#through().delete();
  }

  /** Links exactly these objects: the others are unlinked. */
  async set(objects: ReadonlyArray<Model | number | string>): Promise<void> {
    this.#forget();
    const ids = new Set(this.#ids(objects));
    await atomic({ using: this.#instance._state.db }, async () => {
      const far = this.#many.far.attname;
      const current = (await this.#through()
        .valuesList(far as never, { flat: true })
        .fetch()) as unknown[];
      const gone = current.filter((id) => !ids.has(id));
      if (gone.length > 0)
        await this.#through()
          .filter({ [`${far}__in`]: gone } as never)
          .delete();
      await this.add(...([...ids] as Array<number | string>));
    });
  }
}

/** The name the target of a many-to-many field uses to filter back on the model that declares it. */
function backName(field: ManyToManyFieldType): string {
  const name = field.modelLabel.split('.')[1] as string;
  return field.m2m.relatedName ?? name[0]!.toLowerCase() + name.slice(1);
}

function plain(where: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(where)) {
    if (key.includes('__') && !key.endsWith('__exact')) continue;
    out[key.replace(/__exact$/, '')] = value;
  }
  return out;
}

function aggregateValue(aggregate: Aggregate, value: unknown, field: AnyField | null): unknown {
  if (aggregate.fn === 'count') return Number(value ?? 0);
  if (value === null || value === undefined) return null;
  if (field instanceof DecimalFieldType && aggregate.fn !== 'avg') return field.fromDb(value);
  if (aggregate.fn === 'avg' || aggregate.fn === 'sum' || field instanceof IntegerFieldType)
    return Number(value);
  if (field !== null) return field.fromDb(value, 'postgres');
  return value;
}

/** An identifier quoted as both databases read it (`"a""b"`). */
function quoteIdentifier(name: string): string {
  return name.includes('"') ? `"${name.replace(/"/g, '""')}"` : `"${name}"`;
}

/** `"alias"."column"` as one raw fragment (a Kysely reference is parsed and frozen per query). */
function columnRef(alias: string, column: string): Sql {
  return sql.raw(`${quoteIdentifier(alias)}.${quoteIdentifier(column)}`);
}

/** The select list: consecutive plain columns as one raw fragment. */
function joinColumns(columns: ReadonlyArray<Sql | string>): Sql {
  const parts: Sql[] = [];
  let text: string[] = [];
  const flush = () => {
    if (text.length > 0) parts.push(sql.raw(text.join(', ')));
    text = [];
  };
  for (const column of columns) {
    if (typeof column === 'string') text.push(column);
    else {
      flush();
      parts.push(column);
    }
  }
  flush();
  return sql.join(parts);
}

/** Reads one row (an array on SQLite, an object by column alias on PostgreSQL); `using` is its database. */
type RowReader = (row: Record<string | number, unknown>, using: string) => unknown;

/** The reader of a SELECT's rows as arrays (`byIndex`, in the select list's order) or as objects. */
type Reader = (byIndex: boolean) => RowReader;

/** The slots of LIMIT and OFFSET in a statement compiled for a shape. */
interface LimitSlots {
  readonly limit: Slot;
  readonly offset: Slot;
}

/** A statement built for a queryset, and what comes with its SQL (the select's reader). */
interface Built<X> {
  readonly query: Sql;
  readonly extra: X;
}

/** Builds a queryset's statement: with `binders` and `slots`, as a shape; else with its values. */
type Build<X> = (vendor: Vendor, binders: Binder[] | null, slots: LimitSlots | null) => Built<X>;

/** A queryset's statement compiled for a shape (see statements.ts). */
interface QueryShape<X> extends CompiledShape {
  readonly limit: boolean;
  readonly offset: boolean;
  readonly extra: X;
}

function readRows(rows: readonly unknown[], reader: Reader, using: string): unknown[] {
  if (rows.length === 0) return [];
  const read = reader(Array.isArray(rows[0]));
  const out = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = read(rows[i] as Record<string | number, unknown>, using);
  return out;
}

/** Reads a model's columns (at these positions) into an instance, or null when its key is (a left join's) null. */
function instanceReader(
  model: AnyModelClass,
  at: readonly number[],
  byIndex: boolean,
  vendor: Vendor,
): RowReader {
  const fields = model.meta.fields;
  const keys = at.map((i) => (byIndex ? i : `c${i}`));
  const names = fields.map((f) => f.attname);
  const pkKey = keys[fields.indexOf(model.meta.pk)] as string | number;
  const Ctor = model as unknown as new (values: Record<string, unknown>) => Model;
  return (row, using) => {
    const pk = row[pkKey];
    if (pk === null || pk === undefined) return null;
    const instance = new Ctor(FROM_DB);
    if (using !== 'default') instance._state.db = using;
    const self = instance as unknown as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++)
      self[names[i] as string] = (fields[i] as AnyField).fromDb(row[keys[i] as string | number], vendor);
    return instance;
  };
}

/** Reads the columns of `values()`/`valuesList()` into an object, an array or one value. */
function valuesReader(
  selected: ReadonlyArray<{ path: string; at: number; field: AnyField | null; aggregate: Aggregate | null }>,
  values: { readonly list: boolean; readonly flat: boolean },
  byIndex: boolean,
  vendor: Vendor,
): RowReader {
  const columns = selected.map((x) => ({ ...x, key: byIndex ? x.at : `c${x.at}` }));
  const convert = (x: (typeof columns)[number], row: Record<string | number, unknown>) =>
    x.aggregate !== null
      ? aggregateValue(x.aggregate, row[x.key], null)
      : x.field === null
        ? row[x.key]
        : x.field.fromDb(row[x.key], vendor);
  if (values.flat) {
    const only = columns[0] as (typeof columns)[number];
    return (row) => convert(only, row);
  }
  if (values.list) return (row) => columns.map((x) => convert(x, row));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const x of columns) out[x.path] = convert(x, row);
    return out;
  };
}

/** Builds an instance from column values without running the constructor's defaults. */
export function materialize(
  model: AnyModelClass,
  values: ReadonlyArray<readonly [AnyField, unknown]>,
  vendor: Vendor,
  using: string,
): Model {
  const instance = new (model as unknown as new (values: Record<string, unknown>) => Model)(FROM_DB);
  if (using !== 'default') instance._state.db = using;
  const self = instance as unknown as Record<string, unknown>;
  for (const [field, value] of values) self[field.attname] = field.fromDb(value, vendor);
  return instance;
}

async function collectAndDelete(
  model: AnyModelClass,
  qs: QuerySet,
  using: string,
): Promise<[number, Record<string, number>]> {
  const counts: Record<string, number> = {};
  const vendor = connections.get(using).vendor;
  const db = executor(using);
  // Breadth-first: the rows to delete per model, then the rows referring to them.
  const plan: Array<{ model: AnyModelClass; pks: unknown[] }> = [];
  const signals = (m: AnyModelClass) => preDelete.hasListeners(m) || postDelete.hasListeners(m);
  const instancesOf = new Map<AnyModelClass, Model[]>();
  const seen = new Map<AnyModelClass, Set<unknown>>();
  const queue: Array<{ model: AnyModelClass; qs: QuerySet }> = [{ model, qs }];
  while (queue.length > 0) {
    const { model: m, qs: q } = queue.shift() as { model: AnyModelClass; qs: QuerySet };
    let pks: unknown[];
    if (signals(m)) {
      const found = (await q.fetch()) as Model[];
      const fresh = found.filter((i) => !seen.get(m)?.has(i.pk));
      instancesOf.set(m, [...(instancesOf.get(m) ?? []), ...fresh]);
      pks = fresh.map((i) => i.pk);
    } else {
      pks = ((await q.valuesList('pk' as never, { flat: true }).fetch()) as unknown[]).filter(
        (pk) => !seen.get(m)?.has(pk),
      );
    }
    if (pks.length === 0) continue;
    let s = seen.get(m);
    if (s === undefined) seen.set(m, (s = new Set()));
    for (const pk of pks) s.add(pk);
    plan.push({ model: m, pks });
    for (const rel of m.meta.relatedObjects()) {
      const referrers = rel.model.objects
        .using(using)
        .filter({ [`${rel.field.attname}__in`]: pks } as never) as unknown as QuerySet;
      switch (rel.field.onDelete) {
        case 'CASCADE':
          queue.push({ model: rel.model, qs: referrers });
          break;
        case 'PROTECT':
        case 'RESTRICT': {
          const blocking = (await referrers.limit(10).fetch()) as Model[];
          if (blocking.length > 0)
            throw new ProtectedError(
              `Cannot delete some instances of model '${m.meta.modelName}' because they are referenced through ${rel.field.onDelete === 'PROTECT' ? 'protected' : 'restricted'} foreign keys: '${rel.model.meta.modelName}.${rel.field.name}'.`,
              blocking,
            );
          break;
        }
        case 'SET_NULL':
          await referrers.update({ [rel.field.attname]: null });
          break;
        case 'SET_DEFAULT':
          await referrers.update({ [rel.field.attname]: rel.field.getDefault() ?? null });
          break;
        case 'DO_NOTHING':
          break;
      }
    }
  }
  for (const [m, instances] of instancesOf)
    for (const instance of instances) await sendAndWait(preDelete, m, { instance, using });
  // Referrers first: the last collected are the deepest.
  for (let i = plan.length - 1; i >= 0; i--) {
    const { model: m, pks } = plan[i] as { model: AnyModelClass; pks: unknown[] };
    const pk = m.meta.pk;
    let deleted = 0;
    for (let start = 0; start < pks.length; start += 500) {
      const batch = pks.slice(start, start + 500).map((v) => pk.toDb(v, vendor));
      const result =
        await sql`delete from ${sql.table(m.meta.table)} where ${sql.ref(pk.column)} in (${sql.join(batch)})`.execute(
          db,
        );
      deleted += Number(result.numAffectedRows ?? 0n);
    }
    counts[m.meta.label] = (counts[m.meta.label] ?? 0) + deleted;
  }
  for (const [m, instances] of instancesOf)
    for (const instance of instances) {
      await sendAndWait(postDelete, m, { instance, using });
    }
  for (const instances of instancesOf.values()) for (const instance of instances) instance.pk = null;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return [total, counts];
}
