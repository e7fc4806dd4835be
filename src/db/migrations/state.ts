/**
 * The project state the migrations describe: every model as the migration files say it
 * is, rebuilt by replaying their operations (never by inspecting the database), and the
 * same shape built from the declared models, so the two can be compared.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import { type DeconstructedField, fieldFromDeconstructed } from '../fields.ts';
import type { AnyField, AnyModelClass, Constraint, Index } from '../models.ts';
import type { TableSpec } from '../schema.ts';

/** The options of a model that migrations track. */
export interface ModelStateOptions {
  readonly dbTable?: string;
  readonly ordering?: readonly string[];
  readonly constraints?: readonly Constraint[];
  readonly indexes?: readonly Index[];
  readonly uniqueTogether?: ReadonlyArray<readonly string[]>;
}

/** A model as the migrations know it. */
export class ModelState {
  readonly app: string;
  readonly name: string;
  readonly fields: ReadonlyMap<string, AnyField>;
  readonly options: ModelStateOptions;

  constructor(
    app: string,
    name: string,
    fields: Iterable<readonly [string, AnyField]>,
    options: ModelStateOptions = {},
  ) {
    this.app = app;
    this.name = name;
    const bound = new Map<string, AnyField>();
    for (const [fieldName, field] of fields) bound.set(fieldName, bind(field, fieldName, `${app}.${name}`));
    this.fields = bound;
    this.options = options;
  }

  get label(): string {
    return `${this.app}.${this.name}`;
  }
  get table(): string {
    return this.options.dbTable ?? `${this.app}_${this.name.toLowerCase()}`;
  }

  field(name: string): AnyField {
    const field = this.fields.get(name);
    if (field === undefined)
      throw new PorticoError(
        'PORTICO_ERR_DB_MIGRATION',
        `${this.label} has no field '${name}' in the migrations' state`,
      );
    return field;
  }

  /** What the schema editor needs. */
  spec(): TableSpec {
    return {
      label: this.label,
      table: this.table,
      fields: [...this.fields.values()],
      constraints: this.options.constraints ?? [],
      indexes: this.options.indexes ?? [],
      uniqueTogether: this.options.uniqueTogether ?? [],
    };
  }

  with(changes: {
    fields?: Iterable<readonly [string, AnyField]>;
    options?: ModelStateOptions;
    name?: string;
  }): ModelState {
    return new ModelState(
      this.app,
      changes.name ?? this.name,
      changes.fields ?? this.fields,
      changes.options ?? this.options,
    );
  }

  /** The model from a declared model class. */
  static fromModel(model: AnyModelClass): ModelState {
    const meta = model.meta;
    const options: Record<string, unknown> = {};
    if (meta.options.dbTable !== undefined) options.dbTable = meta.options.dbTable;
    if (meta.ordering.length > 0) options.ordering = meta.ordering;
    if (meta.constraints.length > 0) options.constraints = meta.constraints;
    if (meta.indexes.length > 0) options.indexes = meta.indexes;
    if (meta.uniqueTogether.length > 0) options.uniqueTogether = meta.uniqueTogether;
    return new ModelState(
      meta.appLabel,
      meta.modelName,
      meta.fields.map((f) => [f.name, fieldFromDeconstructed(f.deconstruct())] as const),
      options,
    );
  }
}

/** Binds a field to its model; a field already bound elsewhere is copied. */
function bind(field: AnyField, name: string, label: string): AnyField {
  if (field.name === name && field.modelLabel === label) return field;
  const copy = field.name === '' ? field : fieldFromDeconstructed(field.deconstruct());
  copy.contribute(name, label);
  return copy;
}

/** Two fields are the same to the migrations when they deconstruct the same. */
export function sameField(a: AnyField, b: AnyField): boolean {
  return JSON.stringify(a.deconstruct()) === JSON.stringify(b.deconstruct());
}

/** A field's deconstruction without its column-independent identity (for rename detection). */
export function fieldSignature(field: AnyField): string {
  const d: DeconstructedField = field.deconstruct();
  const { dbColumn: _ignored, ...options } = d.options as Record<string, unknown>;
  return JSON.stringify({ ...d, options });
}

/** Every model, by label. */
export class ProjectState {
  readonly models: Map<string, ModelState>;

  constructor(models: Iterable<ModelState> = []) {
    this.models = new Map([...models].map((m) => [m.label, m]));
  }

  clone(): ProjectState {
    return new ProjectState(this.models.values());
  }

  model(label: string): ModelState {
    const model = this.models.get(label);
    if (model === undefined)
      throw new PorticoError(
        'PORTICO_ERR_DB_MIGRATION',
        `the migrations' state has no model ${label} (known: ${[...this.models.keys()].join(', ') || 'none'})`,
      );
    return model;
  }

  /** The spec of a model (for the schema editor's foreign keys). */
  readonly resolve = (label: string): TableSpec => this.model(label).spec();

  /** The state of declared models. */
  static fromModels(models: readonly AnyModelClass[]): ProjectState {
    return new ProjectState(models.filter((m) => m.meta.managed).map((m) => ModelState.fromModel(m)));
  }
}
