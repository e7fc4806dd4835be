/**
 * The migration optimizer (Django's `MigrationOptimizer`), for `squashmigrations`: pairs of
 * operations on one model that fold into one or cancel out — a field added to a model
 * created earlier becomes part of the `CreateModel`, a field added and later removed
 * disappears, a model created and later deleted disappears — repeated until nothing
 * changes. Two operations fold only when no operation between them touches that model, so
 * the result always leads to the same state.
 *
 * @module
 */
import { ForeignKeyType } from '../fields.ts';
import type { AnyField } from '../models.ts';
import {
  AddField,
  AlterField,
  CreateModel,
  DeleteModel,
  FieldOperation,
  type Operation,
  OptionsOperation,
  RemoveField,
  RenameField,
  RenameModel,
} from './operations.ts';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The model an operation is about, or null for one that may touch anything (RunSQL, RunTS). */
function subject(op: Operation): string | null {
  if (op instanceof CreateModel || op instanceof DeleteModel) return op.name;
  if (op instanceof FieldOperation || op instanceof OptionsOperation) return op.modelName;
  return null;
}

/** The models a field refers to (`shop.Product` → `product`). */
function referencedBy(field: AnyField): string[] {
  if (!(field instanceof ForeignKeyType)) return [];
  return [field.targetLabel().split('.').pop() as string];
}

/** Whether `op` reads or changes the model `name` (so nothing about `name` may move across it). */
function touches(op: Operation, name: string): boolean {
  if (op instanceof RenameModel) return true;
  const own = subject(op);
  if (own === null || same(own, name)) return true;
  const fields =
    op instanceof CreateModel
      ? Object.values(op.fields)
      : op instanceof AddField || op instanceof AlterField
        ? [op.field]
        : [];
  return fields.some((field) => referencedBy(field).some((target) => same(target, name)));
}

/** What `first` and `later` become together: a list (empty: both cancel), or null when they do not fold. */
function reduce(first: Operation, later: Operation): Operation[] | null {
  if (first instanceof CreateModel) {
    const create = (fields: Record<string, AnyField>) =>
      new CreateModel({ name: first.name, fields, options: first.options });
    if (later instanceof DeleteModel && same(later.name, first.name)) return [];
    if (later instanceof FieldOperation && same(later.modelName, first.name)) {
      const entries = Object.entries(first.fields);
      if (later instanceof AddField) return [create({ ...first.fields, [later.name]: later.field })];
      if (later instanceof AlterField)
        return [create(Object.fromEntries(entries.map(([n, f]) => [n, n === later.name ? later.field : f])))];
      if (later instanceof RemoveField)
        return [create(Object.fromEntries(entries.filter(([n]) => n !== later.name)))];
      if (later instanceof RenameField)
        return [
          create(Object.fromEntries(entries.map(([n, f]) => [n === later.name ? later.newName : n, f]))),
        ];
    }
    return null;
  }
  if (first instanceof AddField && later instanceof FieldOperation) {
    if (!same(later.modelName, first.modelName) || later.name !== first.name) return null;
    if (later instanceof RemoveField) return [];
    if (later instanceof AlterField)
      return [new AddField({ modelName: first.modelName, name: first.name, field: later.field })];
  }
  return null;
}

/** The operations, folded and cancelled where they can be (Django's optimizer). */
export function optimize(operations: readonly Operation[]): Operation[] {
  let ops = [...operations];
  for (let changed = true; changed;) {
    changed = false;
    outer: for (let i = 0; i < ops.length; i++) {
      const first = ops[i] as Operation;
      const name = subject(first);
      if (name === null) continue;
      for (let j = i + 1; j < ops.length; j++) {
        const later = ops[j] as Operation;
        const folded = reduce(first, later);
        if (folded !== null) {
          ops = [...ops.slice(0, i), ...folded, ...ops.slice(i + 1, j), ...ops.slice(j + 1)];
          changed = true;
          break outer;
        }
        if (touches(later, name)) break;
      }
    }
  }
  return ops;
}
