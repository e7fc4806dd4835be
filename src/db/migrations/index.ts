/**
 * What migration files use: `migrations.Migration({ dependencies, operations })` and the
 * operations (Django's `django.db.migrations`).
 *
 * @module
 */
import {
  AddConstraint,
  AddField,
  AddIndex,
  AlterField,
  AlterModelOptions,
  AlterUniqueTogether,
  CreateModel,
  DeleteModel,
  Migration,
  RemoveConstraint,
  RemoveField,
  RemoveIndex,
  RenameField,
  RenameModel,
  RunSQL,
  RunTS,
} from './operations.ts';

type Args<C> = C extends new (...args: infer A) => unknown ? A : never;

/** The operations, as functions (`migrations.AddField({ … })`). */
export const migrations = Object.freeze({
  Migration,
  CreateModel: (...a: Args<typeof CreateModel>) => new CreateModel(...a),
  DeleteModel: (...a: Args<typeof DeleteModel>) => new DeleteModel(...a),
  RenameModel: (...a: Args<typeof RenameModel>) => new RenameModel(...a),
  AddField: (...a: Args<typeof AddField>) => new AddField(...a),
  RemoveField: (...a: Args<typeof RemoveField>) => new RemoveField(...a),
  AlterField: (...a: Args<typeof AlterField>) => new AlterField(...a),
  RenameField: (...a: Args<typeof RenameField>) => new RenameField(...a),
  AddIndex: (...a: Args<typeof AddIndex>) => new AddIndex(...a),
  RemoveIndex: (...a: Args<typeof RemoveIndex>) => new RemoveIndex(...a),
  AddConstraint: (...a: Args<typeof AddConstraint>) => new AddConstraint(...a),
  RemoveConstraint: (...a: Args<typeof RemoveConstraint>) => new RemoveConstraint(...a),
  AlterUniqueTogether: (...a: Args<typeof AlterUniqueTogether>) => new AlterUniqueTogether(...a),
  AlterModelOptions: (...a: Args<typeof AlterModelOptions>) => new AlterModelOptions(...a),
  RunSQL: (...a: Args<typeof RunSQL>) => new RunSQL(...a),
  RunTS: (...a: Args<typeof RunTS>) => new RunTS(...a),
});
