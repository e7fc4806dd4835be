/**
 * Migration operations: backend-neutral steps that change the project state and the
 * database schema together (Django's `migrations.operations`). Each one moves the state
 * forwards and the schema forwards or backwards; the schema editor turns them into SQL
 * for the database at hand.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import { PorticoError } from '../../tsgi/errors.ts';
import { type Field, fieldFromDeconstructed as fieldFromSpec } from '../fields.ts';
import type { AnyField, Constraint, Index } from '../models.ts';
import type { SchemaEditor, TableSpec } from '../schema.ts';
import { ModelState, type ModelStateOptions, type ProjectState } from './state.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field.
type FieldsInput = Readonly<Record<string, Field<any, boolean, boolean>>>;

/** What a migration's code receives (`RunTS`). */
export interface MigrationContext {
  /** The Kysely handle on the migration's connection (inside its transaction). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the historical tables.
  readonly db: Kysely<any>;
  readonly schemaEditor: SchemaEditor;
  /** The state before this operation. */
  readonly state: ProjectState;
  readonly vendor: 'sqlite' | 'postgres';
}

/** A step of a migration. */
export abstract class Operation {
  /** Django's operation name, as the writer writes it. */
  abstract readonly kind: string;
  /** Whether the operation can be unapplied. */
  readonly reversible: boolean = true;
  /** Changes the state. */
  abstract stateForwards(app: string, state: ProjectState): void;
  /** Changes the schema from `from` to `to`. */
  abstract databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
    context: MigrationContext,
  ): Promise<void>;
  /** Undoes the schema change: `from` is the state after the operation, `to` the one before. */
  abstract databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
    context: MigrationContext,
  ): Promise<void>;
  /** One line for `migrate` and `sqlmigrate`. */
  abstract describe(): string;
  /** A fragment for an automatic migration name. */
  migrationNameFragment(): string | null {
    return null;
  }
  /** The arguments the writer writes (JSON-like). */
  abstract args(): Record<string, unknown>;
}

function label(app: string, name: string): string {
  return name.includes('.') ? name : `${app}.${name}`;
}

/** Creates a model's table. */
export class CreateModel extends Operation {
  readonly kind = 'CreateModel';
  readonly name: string;
  readonly fields: FieldsInput;
  readonly options: ModelStateOptions;
  constructor(args: { name: string; fields: FieldsInput; options?: ModelStateOptions }) {
    super();
    this.name = args.name;
    this.fields = args.fields;
    this.options = args.options ?? {};
  }
  stateForwards(app: string, state: ProjectState): void {
    const model = new ModelState(app, this.name, Object.entries(this.fields), this.options);
    if (state.models.has(model.label))
      throw new PorticoError('PORTICO_ERR_DB_MIGRATION', `CreateModel: ${model.label} already exists`);
    state.models.set(model.label, model);
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await editor.createModel(to.model(label(app, this.name)).spec());
  }
  async databaseBackwards(app: string, editor: SchemaEditor, from: ProjectState): Promise<void> {
    await editor.deleteModel(from.model(label(app, this.name)).spec());
  }
  describe(): string {
    return `Create model ${this.name}`;
  }
  override migrationNameFragment(): string {
    return this.name.toLowerCase();
  }
  args(): Record<string, unknown> {
    return {
      name: this.name,
      fields: this.fields,
      ...(Object.keys(this.options).length > 0 ? { options: this.options } : {}),
    };
  }
}

/** Drops a model's table. */
export class DeleteModel extends Operation {
  readonly kind = 'DeleteModel';
  readonly name: string;
  constructor(args: { name: string }) {
    super();
    this.name = args.name;
  }
  stateForwards(app: string, state: ProjectState): void {
    state.model(label(app, this.name));
    state.models.delete(label(app, this.name));
  }
  async databaseForwards(app: string, editor: SchemaEditor, from: ProjectState): Promise<void> {
    await editor.deleteModel(from.model(label(app, this.name)).spec());
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    _from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await editor.createModel(to.model(label(app, this.name)).spec());
  }
  describe(): string {
    return `Delete model ${this.name}`;
  }
  override migrationNameFragment(): string {
    return `delete_${this.name.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { name: this.name };
  }
}

/** Renames a model (and its default table). */
export class RenameModel extends Operation {
  readonly kind = 'RenameModel';
  readonly oldName: string;
  readonly newName: string;
  constructor(args: { oldName: string; newName: string }) {
    super();
    this.oldName = args.oldName;
    this.newName = args.newName;
  }
  stateForwards(app: string, state: ProjectState): void {
    const model = state.model(label(app, this.oldName));
    state.models.delete(model.label);
    const renamed = model.with({ name: this.newName });
    state.models.set(renamed.label, renamed);
    // Foreign keys to the old name now point at the new one.
    for (const [key, other] of state.models) {
      let changed = false;
      const fields = [...other.fields].map(([name, field]) => {
        const d = field.deconstruct();
        if (d.target === model.label) {
          changed = true;
          return [name, fieldFromSpec({ ...d, target: renamed.label })] as const;
        }
        return [name, field] as const;
      });
      if (changed) state.models.set(key, other.with({ fields }));
    }
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await editor.renameModel(
      from.model(label(app, this.oldName)).spec(),
      to.model(label(app, this.newName)).spec(),
    );
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await editor.renameModel(
      from.model(label(app, this.newName)).spec(),
      to.model(label(app, this.oldName)).spec(),
    );
  }
  describe(): string {
    return `Rename model ${this.oldName} to ${this.newName}`;
  }
  override migrationNameFragment(): string {
    return `rename_${this.oldName.toLowerCase()}_${this.newName.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { oldName: this.oldName, newName: this.newName };
  }
}

/** An operation on one field of a model. */
export abstract class FieldOperation extends Operation {
  readonly modelName: string;
  readonly name: string;
  constructor(modelName: string, name: string) {
    super();
    this.modelName = modelName;
    this.name = name;
  }
  protected model(app: string, state: ProjectState): ModelState {
    return state.model(label(app, this.modelName));
  }
}

/** Adds a column. */
export class AddField extends FieldOperation {
  readonly kind = 'AddField';
  readonly field: AnyField;
  constructor(args: { modelName: string; name: string; field: AnyField }) {
    super(args.modelName, args.name);
    this.field = args.field;
  }
  stateForwards(app: string, state: ProjectState): void {
    const model = this.model(app, state);
    if (model.fields.has(this.name))
      throw new PorticoError(
        'PORTICO_ERR_DB_MIGRATION',
        `AddField: ${model.label}.${this.name} already exists`,
      );
    state.models.set(model.label, model.with({ fields: [...model.fields, [this.name, this.field]] }));
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const after = this.model(app, to);
    await editor.addField(this.model(app, from).spec(), after.spec(), after.field(this.name));
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const before = this.model(app, from);
    await editor.removeField(before.spec(), this.model(app, to).spec(), before.field(this.name));
  }
  describe(): string {
    return `Add field ${this.name} to ${this.modelName.toLowerCase()}`;
  }
  override migrationNameFragment(): string {
    return `${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name, field: this.field };
  }
}

/** Drops a column. */
export class RemoveField extends FieldOperation {
  readonly kind = 'RemoveField';
  constructor(args: { modelName: string; name: string }) {
    super(args.modelName, args.name);
  }
  stateForwards(app: string, state: ProjectState): void {
    const model = this.model(app, state);
    model.field(this.name);
    state.models.set(model.label, model.with({ fields: [...model.fields].filter(([n]) => n !== this.name) }));
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const before = this.model(app, from);
    await editor.removeField(before.spec(), this.model(app, to).spec(), before.field(this.name));
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const after = this.model(app, to);
    await editor.addField(this.model(app, from).spec(), after.spec(), after.field(this.name));
  }
  describe(): string {
    return `Remove field ${this.name} from ${this.modelName.toLowerCase()}`;
  }
  override migrationNameFragment(): string {
    return `remove_${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }
}

/** Changes a column's type, nullability, uniqueness, index or reference. */
export class AlterField extends FieldOperation {
  readonly kind = 'AlterField';
  readonly field: AnyField;
  constructor(args: { modelName: string; name: string; field: AnyField }) {
    super(args.modelName, args.name);
    this.field = args.field;
  }
  stateForwards(app: string, state: ProjectState): void {
    const model = this.model(app, state);
    model.field(this.name);
    state.models.set(
      model.label,
      model.with({
        fields: [...model.fields].map(([n, f]) => [n, n === this.name ? this.field : f] as const),
      }),
    );
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const before = this.model(app, from);
    const after = this.model(app, to);
    await editor.alterField(before.spec(), after.spec(), before.field(this.name), after.field(this.name));
  }
  /** The same change with the states swapped (the executor passes them swapped). */
  databaseBackwards = this.databaseForwards;
  describe(): string {
    return `Alter field ${this.name} on ${this.modelName.toLowerCase()}`;
  }
  override migrationNameFragment(): string {
    return `alter_${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name, field: this.field };
  }
}

/** Renames a field (and its default column). */
export class RenameField extends FieldOperation {
  readonly kind = 'RenameField';
  readonly newName: string;
  constructor(args: { modelName: string; oldName: string; newName: string }) {
    super(args.modelName, args.oldName);
    this.newName = args.newName;
  }
  stateForwards(app: string, state: ProjectState): void {
    const model = this.model(app, state);
    const old = model.field(this.name);
    const renamed = fieldFromSpec(old.deconstruct());
    state.models.set(
      model.label,
      model.with({
        fields: [...model.fields].map(([n, f]) =>
          n === this.name ? ([this.newName, renamed] as const) : ([n, f] as const),
        ),
      }),
    );
    // References by name in the model's options follow.
    const after = state.model(model.label);
    const rename = (n: string) =>
      n === this.name ? this.newName : n === `-${this.name}` ? `-${this.newName}` : n;
    const o = after.options;
    state.models.set(
      model.label,
      after.with({
        options: {
          ...o,
          ...(o.ordering ? { ordering: o.ordering.map(rename) } : {}),
          ...(o.uniqueTogether ? { uniqueTogether: o.uniqueTogether.map((t) => t.map(rename)) } : {}),
          ...(o.indexes ? { indexes: o.indexes.map((i) => ({ ...i, fields: i.fields.map(rename) })) } : {}),
          ...(o.constraints
            ? {
                constraints: o.constraints.map((c) =>
                  c.type === 'unique' ? { ...c, fields: c.fields.map(rename) } : c,
                ),
              }
            : {}),
        },
      }),
    );
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.#rename(app, editor, from, to, this.name, this.newName);
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    await this.#rename(app, editor, from, to, this.newName, this.name);
  }
  async #rename(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
    old: string,
    now: string,
  ) {
    const before = this.model(app, from);
    const after = this.model(app, to);
    await editor.renameField(before.spec(), after.spec(), before.field(old), after.field(now));
  }
  describe(): string {
    return `Rename field ${this.name} on ${this.modelName.toLowerCase()} to ${this.newName}`;
  }
  override migrationNameFragment(): string {
    return `rename_${this.name.toLowerCase()}_${this.modelName.toLowerCase()}_${this.newName.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, oldName: this.name, newName: this.newName };
  }
}

/** An operation on the options of a model. */
export abstract class OptionsOperation extends Operation {
  readonly modelName: string;
  constructor(modelName: string) {
    super();
    this.modelName = modelName;
  }
  protected update(
    app: string,
    state: ProjectState,
    change: (o: ModelStateOptions) => ModelStateOptions,
  ): void {
    const model = state.model(label(app, this.modelName));
    state.models.set(model.label, model.with({ options: change(model.options) }));
  }
  protected pair(app: string, from: ProjectState, to: ProjectState) {
    return {
      before: from.model(label(app, this.modelName)).spec(),
      after: to.model(label(app, this.modelName)).spec(),
    };
  }
}

/**
 * What indexes and constraints have in common for a migration: a list option of named
 * items, and the editor's calls that create and drop one (`before` is the table as the
 * database has it, `after` as it must become).
 */
interface NamedOption<T extends { readonly name: string }> {
  readonly key: 'indexes' | 'constraints';
  readonly noun: 'index' | 'constraint';
  create(editor: SchemaEditor, before: TableSpec, after: TableSpec, item: T): Promise<void>;
  drop(editor: SchemaEditor, before: TableSpec, after: TableSpec, item: T): Promise<void>;
}

const INDEXES: NamedOption<Index> = {
  key: 'indexes',
  noun: 'index',
  create: (editor, _before, after, index) => editor.addIndex(after, index),
  drop: (editor, before, _after, index) => editor.removeIndex(before, index),
};

const CONSTRAINTS: NamedOption<Constraint> = {
  key: 'constraints',
  noun: 'constraint',
  create: (editor, before, after, constraint) => editor.addConstraint(before, after, constraint),
  drop: (editor, before, after, constraint) => editor.removeConstraint(before, after, constraint),
};

function itemsOf<T extends { readonly name: string }>(
  option: NamedOption<T>,
  where: ModelStateOptions | TableSpec,
): readonly T[] {
  return ((where as Record<string, unknown>)[option.key] ?? []) as readonly T[];
}

/** Adds one named item (an index, a constraint) to a model. */
abstract class AddNamed<T extends { readonly name: string }> extends OptionsOperation {
  protected abstract readonly option: NamedOption<T>;
  protected abstract readonly item: T;
  stateForwards(app: string, state: ProjectState): void {
    this.update(app, state, (o) => ({ ...o, [this.option.key]: [...itemsOf(this.option, o), this.item] }));
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const { before, after } = this.pair(app, from, to);
    await this.option.create(editor, before, after, this.item);
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const { before, after } = this.pair(app, from, to);
    await this.option.drop(editor, before, after, this.item);
  }
  override migrationNameFragment(): string {
    return this.item.name.toLowerCase();
  }
}

/** Removes one named item (an index, a constraint) from a model. */
abstract class RemoveNamed<T extends { readonly name: string }> extends OptionsOperation {
  protected abstract readonly option: NamedOption<T>;
  readonly name: string;
  constructor(args: { modelName: string; name: string }) {
    super(args.modelName);
    this.name = args.name;
  }
  #find(where: ModelStateOptions | TableSpec): T | undefined {
    return itemsOf(this.option, where).find((item) => item.name === this.name);
  }
  stateForwards(app: string, state: ProjectState): void {
    this.update(app, state, (o) => {
      if (this.#find(o) === undefined)
        throw new PorticoError(
          'PORTICO_ERR_DB_MIGRATION',
          `${this.kind}: no ${this.option.noun} ${this.name} on ${this.modelName}`,
        );
      return { ...o, [this.option.key]: itemsOf(this.option, o).filter((item) => item.name !== this.name) };
    });
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const { before, after } = this.pair(app, from, to);
    await this.option.drop(editor, before, after, this.#find(before) as T);
  }
  async databaseBackwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const { before, after } = this.pair(app, from, to);
    await this.option.create(editor, before, after, this.#find(after) as T);
  }
  override migrationNameFragment(): string {
    return `remove_${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }
}

/** Adds an index. */
export class AddIndex extends AddNamed<Index> {
  readonly kind = 'AddIndex';
  protected readonly option = INDEXES;
  readonly index: Index;
  constructor(args: { modelName: string; index: Index }) {
    super(args.modelName);
    this.index = args.index;
  }
  protected get item(): Index {
    return this.index;
  }
  describe(): string {
    return `Create index ${this.index.name} on ${this.index.fields.join(', ')} on model ${this.modelName.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, index: this.index };
  }
}

/** Removes an index. */
export class RemoveIndex extends RemoveNamed<Index> {
  readonly kind = 'RemoveIndex';
  protected readonly option = INDEXES;
  describe(): string {
    return `Remove index ${this.name} from ${this.modelName.toLowerCase()}`;
  }
}

/** Adds a unique or check constraint. */
export class AddConstraint extends AddNamed<Constraint> {
  readonly kind = 'AddConstraint';
  protected readonly option = CONSTRAINTS;
  readonly constraint: Constraint;
  constructor(args: { modelName: string; constraint: Constraint }) {
    super(args.modelName);
    this.constraint = args.constraint;
  }
  protected get item(): Constraint {
    return this.constraint;
  }
  describe(): string {
    return `Create constraint ${this.constraint.name} on model ${this.modelName.toLowerCase()}`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, constraint: this.constraint };
  }
}

/** Removes a constraint. */
export class RemoveConstraint extends RemoveNamed<Constraint> {
  readonly kind = 'RemoveConstraint';
  protected readonly option = CONSTRAINTS;
  describe(): string {
    return `Remove constraint ${this.name} from model ${this.modelName.toLowerCase()}`;
  }
}

/** Sets a model's `uniqueTogether`. */
export class AlterUniqueTogether extends OptionsOperation {
  readonly kind = 'AlterUniqueTogether';
  readonly uniqueTogether: ReadonlyArray<readonly string[]>;
  constructor(args: { modelName: string; uniqueTogether: ReadonlyArray<readonly string[]> }) {
    super(args.modelName);
    this.uniqueTogether = args.uniqueTogether;
  }
  stateForwards(app: string, state: ProjectState): void {
    this.update(app, state, (o) => ({ ...o, uniqueTogether: this.uniqueTogether }));
  }
  async databaseForwards(
    app: string,
    editor: SchemaEditor,
    from: ProjectState,
    to: ProjectState,
  ): Promise<void> {
    const { before, after } = this.pair(app, from, to);
    await editor.alterUniqueTogether(before, after);
  }
  /** The same change with the states swapped (the executor passes them swapped). */
  databaseBackwards = this.databaseForwards;
  describe(): string {
    return `Alter unique_together for ${this.modelName.toLowerCase()} (${this.uniqueTogether.length} constraint(s))`;
  }
  override migrationNameFragment(): string {
    return `alter_${this.modelName.toLowerCase()}_unique_together`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, uniqueTogether: this.uniqueTogether };
  }
}

/** Changes options that need no SQL (`ordering`). */
export class AlterModelOptions extends OptionsOperation {
  readonly kind = 'AlterModelOptions';
  readonly options: { readonly ordering?: readonly string[] };
  constructor(args: { modelName: string; options: { ordering?: readonly string[] } }) {
    super(args.modelName);
    this.options = args.options;
  }
  stateForwards(app: string, state: ProjectState): void {
    this.update(app, state, (o) => {
      const { ordering: _dropped, ...rest } = o;
      return {
        ...rest,
        ...(this.options.ordering && this.options.ordering.length > 0
          ? { ordering: this.options.ordering }
          : {}),
      };
    });
  }
  async databaseForwards(): Promise<void> {}
  async databaseBackwards(): Promise<void> {}
  describe(): string {
    return `Change Meta options on ${this.modelName.toLowerCase()}`;
  }
  override migrationNameFragment(): string {
    return `alter_${this.modelName.toLowerCase()}_options`;
  }
  args(): Record<string, unknown> {
    return { modelName: this.modelName, options: this.options };
  }
}

/** Raw SQL, with the SQL that undoes it (a string, or one per vendor). */
export class RunSQL extends Operation {
  readonly kind = 'RunSQL';
  readonly sql: string | { sqlite?: string; postgres?: string };
  readonly reverseSql: string | { sqlite?: string; postgres?: string } | null;
  override readonly reversible: boolean;
  constructor(args: { sql: RunSQL['sql']; reverseSql?: RunSQL['reverseSql'] }) {
    super();
    this.sql = args.sql;
    this.reverseSql = args.reverseSql ?? null;
    this.reversible = this.reverseSql !== null;
  }
  stateForwards(): void {}
  #pick(value: RunSQL['sql'], vendor: 'sqlite' | 'postgres'): string | undefined {
    return typeof value === 'string' ? value : value[vendor];
  }
  async databaseForwards(_app: string, editor: SchemaEditor): Promise<void> {
    const text = this.#pick(this.sql, editor.vendor);
    if (text !== undefined) for (const statement of splitSql(text)) await editor.execute(statement);
  }
  async databaseBackwards(_app: string, editor: SchemaEditor): Promise<void> {
    if (this.reverseSql === null)
      throw new PorticoError('PORTICO_ERR_DB_MIGRATION', 'RunSQL has no reverseSql: it cannot be unapplied');
    const text = this.#pick(this.reverseSql, editor.vendor);
    if (text !== undefined) for (const statement of splitSql(text)) await editor.execute(statement);
  }
  describe(): string {
    return 'Raw SQL operation';
  }
  args(): Record<string, unknown> {
    return { sql: this.sql, ...(this.reverseSql !== null ? { reverseSql: this.reverseSql } : {}) };
  }
}

function splitSql(text: string): string[] {
  return text
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** TypeScript run in the migration's transaction (Django's `RunPython`), with an optional reverse. */
export class RunTS extends Operation {
  readonly kind = 'RunTS';
  readonly code: (context: MigrationContext) => Promise<void> | void;
  readonly reverseCode: ((context: MigrationContext) => Promise<void> | void) | null;
  override readonly reversible: boolean;
  constructor(code: RunTS['code'], reverseCode?: RunTS['reverseCode']) {
    super();
    this.code = code;
    this.reverseCode = reverseCode ?? null;
    this.reversible = this.reverseCode !== null;
  }
  stateForwards(): void {}
  async databaseForwards(
    _app: string,
    _editor: SchemaEditor,
    _from: ProjectState,
    _to: ProjectState,
    context: MigrationContext,
  ): Promise<void> {
    await this.code(context);
  }
  async databaseBackwards(
    _app: string,
    _editor: SchemaEditor,
    _from: ProjectState,
    _to: ProjectState,
    context: MigrationContext,
  ): Promise<void> {
    if (this.reverseCode === null)
      throw new PorticoError('PORTICO_ERR_DB_MIGRATION', 'RunTS has no reverse code: it cannot be unapplied');
    await this.reverseCode(context);
  }
  describe(): string {
    return `Raw TypeScript operation${this.code.name ? ` (${this.code.name})` : ''}`;
  }
  args(): Record<string, unknown> {
    return {};
  }
}

/** A migration: what it depends on (`[app, name]` pairs) and its operations. */
export interface MigrationDefinition {
  readonly dependencies?: ReadonlyArray<readonly [string, string]>;
  readonly operations: readonly Operation[];
  /** Run without a transaction (an operation that cannot run in one). */
  readonly atomic?: boolean;
  /** Migrations this one replaces (a squash), as `[app, name]`. */
  readonly replaces?: ReadonlyArray<readonly [string, string]>;
}

/** Declares a migration (a migration file's default export). */
export function Migration(definition: MigrationDefinition): MigrationDefinition {
  return Object.freeze({ dependencies: [], atomic: true, ...definition });
}
