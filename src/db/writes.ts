/**
 * The single-row writes of `Model.save()`: the INSERT of a row (returning its primary key)
 * and the UPDATE of some of its columns by primary key. Each is compiled once per shape
 * (the model, with or without its key; which columns), like the querysets' SELECTs
 * (statements.ts), and later saves only bind their values and run it.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import type { Vendor } from './fields.ts';
import type { AnyField, AnyModelClass } from './models.ts';
import { PorticoError } from '../tsgi/errors.ts';
import { type CompiledShape, part, shapeId, shapes, Slot, slotsInOrder } from './statements.ts';

/** A compiled write: the columns to bind, in order (the primary key last for an UPDATE). */
export interface WriteShape extends CompiledShape {
  readonly fields: readonly AnyField[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables.
type Db = Kysely<any>;

function compileWrite(
  query: { compile(): import('kysely').CompiledQuery },
  slots: readonly Slot[],
  fields: readonly AnyField[],
): WriteShape {
  const compiled = query.compile();
  if (!slotsInOrder(compiled.parameters, [{ slots, derive: () => [] }]))
    throw new PorticoError(
      'PORTICO_ERR_DB_FIELD_ERROR',
      `the ${compiled.sql.slice(0, 6)} of a ${fields.length}-column row did not compile to one parameter per column`,
    );
  return { sql: compiled.sql, query: compiled.query, queryId: compiled.queryId, binders: [], fields };
}

function columns(fields: readonly AnyField[], slots: readonly Slot[]): Record<string, Slot> {
  const out: Record<string, Slot> = {};
  fields.forEach((field, i) => {
    out[field.column] = slots[i] as Slot;
  });
  return out;
}

/**
 * The INSERT of one row of `model`, with its primary key or without (the database picks
 * it), returning the key; bind the values of its `fields` in order.
 */
export function insertShape(db: Db, model: AnyModelClass, vendor: Vendor, withPk: boolean): WriteShape {
  const key = `insert:${shapeId(model)}:${vendor}:${withPk ? 'k' : ''}`;
  const known = shapes.get(key) as WriteShape | undefined;
  if (known !== undefined) return known;
  const meta = model.meta;
  const fields = meta.fields.filter((f) => f !== meta.pk || withPk);
  const slots = fields.map(() => new Slot());
  const shape = compileWrite(
    db.insertInto(meta.table).values(columns(fields, slots)).returning(meta.pk.column),
    slots,
    fields,
  );
  shapes.set(key, shape);
  return shape;
}

/**
 * The UPDATE of these columns of one row of `model`, by primary key; bind the values of
 * the fields in order, then the key.
 */
export function updateShape(
  db: Db,
  model: AnyModelClass,
  vendor: Vendor,
  fields: readonly AnyField[],
): WriteShape {
  let key = `update:${shapeId(model)}:${vendor}:`;
  for (const field of fields) key += part(field.column);
  const known = shapes.get(key) as WriteShape | undefined;
  if (known !== undefined) return known;
  const pk = model.meta.pk;
  const slots = [...fields, pk].map(() => new Slot());
  const shape = compileWrite(
    db
      .updateTable(model.meta.table)
      .set(columns(fields, slots))
      .where(pk.column, '=', slots[fields.length] as Slot),
    slots,
    fields,
  );
  shapes.set(key, shape);
  return shape;
}
