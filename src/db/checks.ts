/**
 * The model checks `portico check` runs (Django's `fields.E300`/`E304` kin): a foreign
 * key to a model that is not declared or whose app is not installed, reverse accessors
 * that clash with each other or with a field, and a many-to-many `through` model that is
 * not declared.
 *
 * @module
 */
import { type CheckMessage, registerCheck } from '../web/core/checks/index.ts';
import { installedApps } from './apps.ts';
import { ForeignKeyType } from './fields.ts';
import { allModels } from './models.ts';

registerCheck(
  ({ settings }) => {
    const apps = installedApps(settings);
    if (apps.length === 0) return [];
    const installed = new Set(apps.map((a) => a.label));
    const models = apps.flatMap((a) => a.models);
    const labels = new Set(allModels().map((m) => m.meta.label));
    const messages: CheckMessage[] = [];
    const accessors = new Map<string, string>();
    for (const model of models) {
      for (const field of model.meta.fields) {
        if (!(field instanceof ForeignKeyType)) continue;
        const where = `${model.meta.label}.${field.name}`;
        let target: string;
        try {
          target = field.targetLabel();
        } catch (error) {
          messages.push({
            level: 'error',
            id: 'db.E001',
            message: `${where}: its target cannot be resolved (${(error as Error).message}).`,
          });
          continue;
        }
        if (!labels.has(target)) {
          messages.push({
            level: 'error',
            id: 'db.E001',
            message: `${where} refers to '${target}', which is not declared.`,
            hint: "Declare the model, or fix the reference ('app.Model').",
          });
          continue;
        }
        const targetApp = target.split('.')[0] as string;
        if (!installed.has(targetApp)) {
          messages.push({
            level: 'error',
            id: 'db.E002',
            message: `${where} refers to ${target}, whose app '${targetApp}' is not in installedApps.`,
            hint: `Add the '${targetApp}' app to installedApps.`,
          });
        }
        const lower = model.meta.modelName[0]!.toLowerCase() + model.meta.modelName.slice(1);
        const accessor = field.relatedName ?? (field.unique ? lower : `${lower}Set`);
        if (accessor.endsWith('+')) continue;
        const key = `${target}.${accessor}`;
        const other = accessors.get(key);
        if (other !== undefined) {
          messages.push({
            level: 'error',
            id: 'db.E003',
            message: `Reverse accessor '${accessor}' on ${target} for ${where} clashes with the one for ${other}.`,
            hint: `Give ${where} or ${other} a relatedName.`,
          });
        } else accessors.set(key, where);
        const targetModel = allModels().find((m) => m.meta.label === target);
        if (targetModel?.meta.field(accessor) !== undefined)
          messages.push({
            level: 'error',
            id: 'db.E004',
            message: `Reverse accessor '${accessor}' for ${where} clashes with the field ${target}.${accessor}.`,
            hint: `Give ${where} a relatedName.`,
          });
      }
    }
    for (const model of models)
      for (const field of model.meta.manyToMany)
        if (field.through === '')
          messages.push({
            level: 'error',
            id: 'db.E007',
            message: `${model.meta.label}.${field.name}: its through model '${field.throughLabel() ?? '?'}' is not declared.`,
            hint: 'Declare the through model (a foreign key to each side), or fix the reference.',
          });
    return messages;
  },
  { tags: ['models'] },
);
