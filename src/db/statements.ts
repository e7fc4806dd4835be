/**
 * Compiled statements, cached per query shape. A queryset's SQL depends on its shape (the
 * model, the lookups and how they nest, which values are null or how long a list is, the
 * ordering, the columns, whether it is sliced), not on its values: so the SQL is built and
 * compiled once per shape, with a {@link Slot} where each value goes, and later queries of
 * the same shape only gather their values, bind them and run the statement (which SQLite
 * keeps prepared, keyed by its SQL). Django recompiles every query; this is the step
 * Kysely's `compile()` leaves to its users.
 *
 * @module
 */
import type { CompiledQuery, Kysely, QueryResult, RootOperationNode } from 'kysely';
import { ARRAY_ROWS } from './backends/sqlite.ts';
import { QNode, type WhereObject } from './expressions.ts';

/** Where one parameter goes in a statement compiled for a shape; bound to a value on each run. */
export class Slot {}

/** How one condition's value becomes its parameters, and the slots they fill. */
export interface Binder {
  readonly slots: readonly Slot[];
  readonly derive: (value: unknown) => readonly unknown[];
}

/** A statement compiled for one shape: its SQL, and how to fill its parameters. */
export interface CompiledShape {
  readonly sql: string;
  readonly query: RootOperationNode;
  readonly queryId: CompiledQuery['queryId'];
  /** One per condition, in the order the shape walk gathers their values. */
  readonly binders: readonly Binder[];
}

/**
 * Checks that the compiled parameters are exactly the binders' slots, in order (then
 * `extra`), so binding values in that order fills the right placeholders.
 */
export function slotsInOrder(
  parameters: readonly unknown[],
  binders: readonly Binder[],
  extra: readonly Slot[] = [],
): boolean {
  let i = 0;
  for (const binder of binders) for (const slot of binder.slots) if (parameters[i++] !== slot) return false;
  for (const slot of extra) if (parameters[i++] !== slot) return false;
  return i === parameters.length;
}

/**
 * The parameters of a compiled shape for these values (one per binder), or null when a
 * value gives another count of parameters than the shape has slots for: a string given to
 * `__in` (each character a parameter) is one shape whatever its length. Such a query is
 * then compiled on its own.
 */
export function bind(shape: CompiledShape, values: readonly unknown[]): unknown[] | null {
  const params: unknown[] = [];
  const binders = shape.binders;
  for (let i = 0; i < binders.length; i++) {
    const binder = binders[i] as Binder;
    if (binder.slots.length === 0) continue;
    const derived = binder.derive(values[i]);
    if (derived.length !== binder.slots.length) return null;
    for (let j = 0; j < derived.length; j++) params.push(derived[j]);
  }
  return params;
}

/**
 * Runs a compiled shape with these parameters on `db` (the transaction's handle, or the
 * database's): through Kysely's executor, so connections, transactions and error
 * translation are the same as for any query. `arrayRows` asks SQLite for rows as arrays
 * (in the select list's order), which the model layer reads by position; PostgreSQL
 * answers objects either way.
 */
export function execute(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables.
  db: Kysely<any>,
  shape: CompiledShape,
  parameters: unknown[],
  arrayRows = false,
): Promise<QueryResult<unknown>> {
  if (arrayRows) (parameters as unknown as Record<symbol, boolean>)[ARRAY_ROWS] = true;
  const compiled: CompiledQuery = {
    sql: shape.sql,
    query: shape.query,
    queryId: shape.queryId,
    parameters,
  };
  return db.executeQuery(compiled);
}

// ------------------------------------------------------------------ the cache

/** Most shapes kept (of every model together); the oldest is dropped beyond it. */
export const SHAPE_CACHE_SIZE = 1000;

/**
 * Compiled statements by shape key. Bounded: beyond {@link SHAPE_CACHE_SIZE} the entry
 * added first goes (a shape used again is compiled again, once). Emptied when the models
 * change (a declaration or `unregisterModels`), since a shape resolves relations through
 * the model registry.
 */
class ShapeCache<T> {
  readonly #map = new Map<string, T>();
  readonly #capacity: number;
  #compiled = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): T | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: T): void {
    this.#compiled++;
    // Two queries of a new shape may both compile it: the second replaces the first.
    if (!this.#map.has(key) && this.#map.size >= this.#capacity)
      this.#map.delete(this.#map.keys().next().value as string);
    this.#map.set(key, value);
  }

  clear(): void {
    this.#map.clear();
  }

  /** How many shapes are kept, and how many were compiled into the cache since the start. */
  stats(): { size: number; capacity: number; compiled: number } {
    return { size: this.#map.size, capacity: this.#capacity, compiled: this.#compiled };
  }
}

/** The process's compiled shapes (selects, inserts and updates alike). */
export const shapes = new ShapeCache<unknown>(SHAPE_CACHE_SIZE);

/** Forgets every compiled shape (the models changed). */
export function forgetShapes(): void {
  shapes.clear();
}

/** How many shapes are cached and how many were compiled: for tests and benchmarks. */
export function shapeCacheStats(): { size: number; capacity: number; compiled: number } {
  return shapes.stats();
}

const modelIds = new WeakMap<object, number>();
let nextModelId = 0;

/** A number for a model class (its label can be declared again by another class). */
export function shapeId(model: object): number {
  let id = modelIds.get(model);
  if (id === undefined) modelIds.set(model, (id = ++nextModelId));
  return id;
}

// ------------------------------------------------------------------ shape keys

/** A string in a key, length-prefixed so no two sequences of names read the same. */
export function part(text: string): string {
  return `${text.length}:${text}`;
}

/**
 * Appends the shape of a condition tree to `key` and its values (one per condition, in
 * the order `Compiler.where` visits them) to `values`. Returns the key, or null when a
 * value makes the tree uncacheable: a subquery, or an iterable that is neither an array
 * nor a set (a generator would be consumed by looking at it).
 */
export function whereShape(node: QNode | WhereObject, values: unknown[]): string | null {
  if (node instanceof QNode) {
    let key = node.connector === 'AND' ? (node.negated ? '!&(' : '&(') : node.negated ? '!|(' : '|(';
    for (const child of node.children) {
      const inner = whereShape(child, values);
      if (inner === null) return null;
      key += inner;
    }
    return `${key})`;
  }
  let key = '{';
  for (const name in node) {
    if (!Object.hasOwn(node, name)) continue;
    const value = node[name];
    if (value === undefined) continue;
    const shape = valueShape(name, value);
    if (shape === null) return null;
    key += `${part(name)}=${shape};`;
    values.push(value);
  }
  return `${key}}`;
}

/**
 * What of a value changes the SQL: null (`is null`), a list's count of non-null items
 * (`in (?, ?)`), the truth of an `isnull`'s value. Every other value is a parameter.
 */
function valueShape(name: string, value: unknown): string | null {
  if (value === null) return 'n';
  const truth = name === 'isnull' || name.endsWith('__isnull');
  if (typeof value !== 'object') return truth ? (value ? 't' : 'f') : 'v';
  if (Array.isArray(value)) return `a${nonNull(value)}`;
  if (value instanceof Set) return `s${nonNull(value)}`;
  if (typeof (value as { then?: unknown }).then === 'function') return null;
  if (Symbol.iterator in value || Symbol.asyncIterator in value) return null;
  return truth ? 't' : 'v';
}

function nonNull(items: Iterable<unknown>): number {
  let n = 0;
  for (const item of items) if (item !== null) n++;
  return n;
}
