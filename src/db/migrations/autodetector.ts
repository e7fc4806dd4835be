/**
 * The autodetector: compares the state the migration files describe with the state of
 * the declared models and lists the operations that turn one into the other, per app
 * (Django's `MigrationAutodetector`): created models first (in the order their foreign
 * keys need), then fields (a removed and an added field that look alike are a rename if
 * the questioner says so), options, indexes and constraints, deleted models last.
 *
 * @module
 */
import { ForeignKeyType } from '../fields.ts';
import type { AnyField, Constraint, Index } from '../models.ts';
import {
  AddConstraint,
  AddField,
  AddIndex,
  AlterField,
  AlterModelOptions,
  AlterUniqueTogether,
  CreateModel,
  DeleteModel,
  type Operation,
  RemoveConstraint,
  RemoveField,
  RemoveIndex,
  RenameField,
  RenameModel,
} from './operations.ts';
import { fieldSignature, type ModelState, type ProjectState, sameField } from './state.ts';

/** Answers the autodetector's questions (`makemigrations` asks on a terminal). */
export interface Questioner {
  /** Was `oldName` of `model` renamed to `newName`? */
  askRename(model: string, oldName: string, newName: string): boolean | Promise<boolean>;
  /**
   * Was the model `app.oldName` renamed to `newName`? (Django's "Was the model X renamed
   * to Y?"). Without it, never.
   */
  askRenameModel?(app: string, oldName: string, newName: string): boolean | Promise<boolean>;
}

/** Never assumes a rename. */
export const nonInteractive: Questioner = { askRename: () => false, askRenameModel: () => false };

/** The operations per app, and the other apps each app's new migration depends on. */
export interface Changes {
  readonly operations: Map<string, Operation[]>;
  readonly dependsOnApps: Map<string, Set<string>>;
}

const json = (value: unknown) => JSON.stringify(value ?? null);

function fkTargets(model: ModelState): string[] {
  return [...model.fields.values()]
    .filter((f): f is ForeignKeyType => f instanceof ForeignKeyType)
    .map((f) => f.targetLabel());
}

/** A question the diff asks before it decides (answered by a {@link Questioner}). */
type Question =
  | { readonly kind: 'renameField'; readonly model: string; readonly from: string; readonly to: string }
  | { readonly kind: 'renameModel'; readonly app: string; readonly from: string; readonly to: string };

/** Diffs two states, asking the questioner about renames (`makemigrations`). */
export async function detectChanges(
  from: ProjectState,
  to: ProjectState,
  questioner: Questioner = nonInteractive,
): Promise<Changes> {
  const diff = diffStates(from, to);
  let step = diff.next();
  while (step.done !== true) {
    const q = step.value;
    const answer =
      q.kind === 'renameField'
        ? await questioner.askRename(q.model, q.from, q.to)
        : ((await questioner.askRenameModel?.(q.app, q.from, q.to)) ?? false);
    step = diff.next(answer);
  }
  return step.value;
}

/**
 * Diffs two states without asking (every rename is a removal and an addition):
 * synchronous, for the system check that finds models changed without a migration.
 */
export function detectChangesSync(from: ProjectState, to: ProjectState): Changes {
  const diff = diffStates(from, to);
  let step = diff.next();
  while (step.done !== true) step = diff.next(false);
  return step.value;
}

/**
 * The diff itself, as a generator that yields each question and resumes with its answer,
 * so one implementation serves the asking (async) and the non-asking (sync) callers.
 */
function* diffStates(before: ProjectState, to: ProjectState): Generator<Question, Changes, boolean> {
  const operations = new Map<string, Operation[]>();
  const dependsOnApps = new Map<string, Set<string>>();
  const add = (app: string, op: Operation) => {
    let list = operations.get(app);
    if (list === undefined) operations.set(app, (list = []));
    list.push(op);
  };
  const depend = (app: string, field: AnyField) => {
    if (!(field instanceof ForeignKeyType)) return;
    const other = field.targetLabel().split('.')[0] as string;
    if (other === app) return;
    let set = dependsOnApps.get(app);
    if (set === undefined) dependsOnApps.set(app, (set = new Set()));
    set.add(other);
  };

  // A new model with the fields of one that is gone (in the same app) was renamed, if the
  // questioner says so: the state it is compared from then has the new name, foreign keys
  // to it included (what RenameModel does).
  let from = before;
  const gone = [...before.models.values()].filter((m) => !to.models.has(m.label));
  for (const model of [...to.models.values()].filter((m) => !before.models.has(m.label))) {
    const old = gone.find((g) => g.app === model.app && from.models.has(g.label) && sameFields(g, model));
    if (old === undefined) continue;
    if (!(yield { kind: 'renameModel', app: model.app, from: old.name, to: model.name })) continue;
    const rename = new RenameModel({ oldName: old.name, newName: model.name });
    from = from.clone();
    rename.stateForwards(model.app, from);
    add(model.app, rename);
  }

  // Created models, each after the models its foreign keys point at (when those are new too).
  const created = [...to.models.values()].filter((m) => !from.models.has(m.label));
  const createdLabels = new Set(created.map((m) => m.label));
  const done = new Set<string>();
  const deferred: Array<{ model: ModelState; name: string; field: AnyField }> = [];
  const visiting = new Set<string>();
  const create = (model: ModelState) => {
    if (done.has(model.label)) return;
    visiting.add(model.label);
    for (const target of fkTargets(model)) {
      const t = to.models.get(target);
      if (t !== undefined && createdLabels.has(target) && !done.has(target) && !visiting.has(target))
        create(t);
    }
    visiting.delete(model.label);
    const fields: Record<string, AnyField> = {};
    for (const [name, field] of model.fields) {
      // A foreign key to a model not created yet (a cycle) is added afterwards.
      if (
        field instanceof ForeignKeyType &&
        createdLabels.has(field.targetLabel()) &&
        !done.has(field.targetLabel()) &&
        field.targetLabel() !== model.label
      ) {
        deferred.push({ model, name, field });
        continue;
      }
      fields[name] = field;
      depend(model.app, field);
    }
    const options = { ...model.options };
    const indexes = options.indexes;
    const constraints = options.constraints;
    delete (options as { indexes?: unknown }).indexes;
    delete (options as { constraints?: unknown }).constraints;
    add(model.app, new CreateModel({ name: model.name, fields, options }));
    for (const index of indexes ?? []) add(model.app, new AddIndex({ modelName: model.name, index }));
    for (const constraint of constraints ?? [])
      add(model.app, new AddConstraint({ modelName: model.name, constraint }));
    done.add(model.label);
  };
  for (const model of created) create(model);
  for (const { model, name, field } of deferred) {
    add(model.app, new AddField({ modelName: model.name, name, field }));
    depend(model.app, field);
  }

  // Models in both states.
  for (const after of to.models.values()) {
    const before = from.models.get(after.label);
    if (before === undefined) continue;
    const app = after.app;
    const removed = [...before.fields.keys()].filter((n) => !after.fields.has(n));
    const added = [...after.fields.keys()].filter((n) => !before.fields.has(n));
    const renamedFrom = new Set<string>();
    for (const name of [...added]) {
      const field = after.fields.get(name) as AnyField;
      const candidate = removed.find(
        (old) =>
          !renamedFrom.has(old) &&
          fieldSignature(before.fields.get(old) as AnyField) === fieldSignature(field),
      );
      if (
        candidate !== undefined &&
        (yield { kind: 'renameField', model: after.name, from: candidate, to: name })
      ) {
        renamedFrom.add(candidate);
        added.splice(added.indexOf(name), 1);
        add(app, new RenameField({ modelName: after.name, oldName: candidate, newName: name }));
      }
    }
    for (const name of removed)
      if (!renamedFrom.has(name)) add(app, new RemoveField({ modelName: after.name, name }));
    for (const name of added) {
      const field = after.fields.get(name) as AnyField;
      add(app, new AddField({ modelName: after.name, name, field }));
      depend(app, field);
    }
    for (const [name, field] of after.fields) {
      const old = before.fields.get(name);
      if (old !== undefined && !sameField(old, field)) {
        add(app, new AlterField({ modelName: after.name, name, field }));
        depend(app, field);
      }
    }
    if (json(before.options.ordering ?? []) !== json(after.options.ordering ?? []))
      add(
        app,
        new AlterModelOptions({ modelName: after.name, options: { ordering: after.options.ordering ?? [] } }),
      );
    if (json(before.options.uniqueTogether ?? []) !== json(after.options.uniqueTogether ?? []))
      add(
        app,
        new AlterUniqueTogether({
          modelName: after.name,
          uniqueTogether: after.options.uniqueTogether ?? [],
        }),
      );
    diffNamed<Index>(
      before.options.indexes ?? [],
      after.options.indexes ?? [],
      (index) => add(app, new AddIndex({ modelName: after.name, index })),
      (index) => add(app, new RemoveIndex({ modelName: after.name, name: index.name })),
    );
    diffNamed<Constraint>(
      before.options.constraints ?? [],
      after.options.constraints ?? [],
      (constraint) => add(app, new AddConstraint({ modelName: after.name, constraint })),
      (constraint) => add(app, new RemoveConstraint({ modelName: after.name, name: constraint.name })),
    );
  }

  // Deleted models: those that refer to others first.
  const deleted = [...from.models.values()].filter((m) => !to.models.has(m.label));
  const deletedLabels = new Set(deleted.map((m) => m.label));
  deleted.sort((a, b) => {
    const aRefersB = fkTargets(a).includes(b.label) ? -1 : 0;
    const bRefersA = fkTargets(b).includes(a.label) ? 1 : 0;
    return aRefersB + bRefersA;
  });
  for (const model of deleted) {
    void deletedLabels;
    add(model.app, new DeleteModel({ name: model.name }));
  }
  return { operations, dependsOnApps };
}

/** Whether two models have the same fields (a reference to itself counted as the same). */
function sameFields(old: ModelState, now: ModelState): boolean {
  if (old.fields.size !== now.fields.size) return false;
  const spec = (model: ModelState, field: AnyField) => {
    const d = field.deconstruct();
    return json(d.target === model.label ? { ...d, target: 'self' } : d);
  };
  for (const [name, field] of now.fields) {
    const was = old.fields.get(name);
    if (was === undefined || spec(old, was) !== spec(now, field)) return false;
  }
  return true;
}

function diffNamed<T extends { name: string }>(
  before: readonly T[],
  after: readonly T[],
  added: (t: T) => void,
  removed: (t: T) => void,
): void {
  for (const old of before) {
    const now = after.find((a) => a.name === old.name);
    if (now === undefined || json(now) !== json(old)) removed(old);
  }
  for (const now of after) {
    const old = before.find((b) => b.name === now.name);
    if (old === undefined || json(now) !== json(old)) added(now);
  }
}
