/**
 * Creating models' tables straight from their declarations, without migrations (Django's
 * `migrate --run-syncdb`): for scripts, examples and tests of apps that have none.
 *
 * @module
 */
import { connections } from './connection.ts';
import { ForeignKeyType } from './fields.ts';
import { type AnyModelClass, getModel } from './models.ts';
import { SchemaEditor, specOf } from './schema.ts';
import { executor } from './transaction.ts';

/** Creates the tables of these models (referenced models first); returns the SQL run. */
export async function syncModels(
  models: readonly AnyModelClass[],
  options: { using?: string } = {},
): Promise<string[]> {
  const alias = options.using ?? 'default';
  const vendor = connections.get(alias).vendor;
  const ordered: AnyModelClass[] = [];
  const visit = (model: AnyModelClass, trail: Set<AnyModelClass>) => {
    if (ordered.includes(model) || trail.has(model)) return;
    trail.add(model);
    for (const field of model.meta.fields)
      if (field instanceof ForeignKeyType) {
        const target = getModel(field.targetLabel());
        if (models.includes(target)) visit(target, trail);
      }
    ordered.push(model);
  };
  for (const model of models) visit(model, new Set());
  const editor = new SchemaEditor(vendor, (label) => specOf(getModel(label)), executor(alias));
  for (const model of ordered) if (model.meta.managed) await editor.createModel(specOf(model));
  return editor.statements.map((s) => s.sql);
}
