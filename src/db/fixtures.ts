/**
 * Fixtures in Django's JSON format (`dumpdata`, `loaddata`): a list of
 * `{"model": "app.model", "pk": 1, "fields": {...}}`, a foreign key as the target's primary
 * key, a many-to-many relation as a list of them, a date-time in ISO 8601 UTC.
 *
 * Loading is Django's "raw" save: the values are written as given (no `autoNow`, no
 * defaults, no signals), a row whose primary key exists is updated, and everything is in
 * one transaction. Foreign keys may point forward in the file, or into another file of the
 * same call: the constraints are deferred to the commit, and before it each reference is
 * checked, so a dangling one fails naming the object and its file rather than as a bare
 * constraint error at commit.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { PorticoError } from '../tsgi/errors.ts';
import type { App } from './models.ts';
import {
  type AnyField,
  type AnyModelClass,
  executorVendor,
  getModel,
  managerOf,
  relatedModel,
} from './models.ts';
import { ForeignKeyType, type ManyToManyFieldType } from './fields.ts';
import { atomic, executor } from './transaction.ts';

/** One object of a fixture. */
export interface FixtureObject {
  /** `app_label.modelname`, lower-cased as Django writes it. */
  readonly model: string;
  readonly pk: unknown;
  readonly fields: Record<string, unknown>;
}

/** Options of {@link dumpData}. */
export interface DumpDataOptions {
  /** `app` or `app.Model` labels (case-insensitive model names); default every installed app. */
  readonly labels?: readonly string[];
  /** The database alias (default `default`). */
  readonly using?: string;
}

/** Options of {@link loadData}. */
export interface LoadDataOptions {
  /** The database alias (default `default`). */
  readonly using?: string;
}

/** What {@link loadData} did. */
export interface LoadDataResult {
  readonly objects: number;
  readonly fixtures: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables, untyped here.
type AnyDb = Kysely<any>;

/** The many-to-many fields whose links a fixture holds as lists (an explicit through model is dumped itself). */
const autoMany = (model: AnyModelClass) => model.meta.manyToMany.filter((f) => f.autoCreated);

const lowerLabel = (model: AnyModelClass) => model.meta.label.toLowerCase();

/** The auto-created through models of many-to-many fields: never dumped on their own. */
function throughLabels(models: readonly AnyModelClass[]): Set<string> {
  return new Set(models.flatMap((m) => autoMany(m).map((f) => f.through)));
}

/** The models the labels name, in app and declaration order. */
function selectModels(apps: readonly App[], labels: readonly string[] | undefined): AnyModelClass[] {
  const all = apps.flatMap((app) => app.models);
  const through = throughLabels(all);
  const dumpable = all.filter((m) => !through.has(m.meta.label) && m.meta.managed);
  if (labels === undefined || labels.length === 0) return dumpable;
  const chosen = new Set<AnyModelClass>();
  for (const label of labels) {
    const [appLabel, modelName] = label.split('.', 2) as [string, string | undefined];
    const app = apps.find((a) => a.label === appLabel);
    if (app === undefined)
      throw new PorticoError('PORTICO_ERR_DB_FIXTURE', `dumpdata: no installed app with label '${appLabel}'`);
    const matches = dumpable.filter(
      (m) =>
        m.meta.appLabel === appLabel &&
        (modelName === undefined || m.meta.modelName.toLowerCase() === modelName.toLowerCase()),
    );
    if (matches.length === 0 && modelName !== undefined)
      throw new PorticoError(
        'PORTICO_ERR_DB_FIXTURE',
        `dumpdata: app '${appLabel}' has no model '${modelName}'`,
      );
    for (const m of matches) chosen.add(m);
  }
  return dumpable.filter((m) => chosen.has(m));
}

/** A value as JSON holds it. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return value === undefined ? null : value;
}

/**
 * The objects of the installed apps' models (or of `labels`), as Django's `dumpdata`
 * writes them: by model, then by primary key. Auto-created through models are left out;
 * their rows are the many-to-many lists of the models that declare the relations.
 */
export async function dumpData(
  apps: readonly App[],
  options: DumpDataOptions = {},
): Promise<FixtureObject[]> {
  const using = options.using ?? 'default';
  const out: FixtureObject[] = [];
  for (const model of selectModels(apps, options.labels)) {
    const meta = model.meta;
    const instances = (await managerOf(model)
      .using(using)
      .orderBy('pk' as never)) as unknown as Array<Record<string, unknown>>;
    const many = await manyValues(model, using);
    for (const instance of instances) {
      const fields: Record<string, unknown> = {};
      for (const field of meta.fields)
        if (field !== meta.pk) fields[field.name] = jsonValue(instance[field.attname]);
      for (const field of meta.manyToMany)
        fields[field.name] = many.get(field.name)?.get(instance[meta.pk.attname]) ?? [];
      out.push({ model: lowerLabel(model), pk: jsonValue(instance[meta.pk.attname]), fields });
    }
  }
  return out;
}

/** Each many-to-many field's target keys per source key, read in one query per field. */
async function manyValues(
  model: AnyModelClass,
  using: string,
): Promise<Map<string, Map<unknown, unknown[]>>> {
  const out = new Map<string, Map<unknown, unknown[]>>();
  for (const field of autoMany(model)) {
    const through = getModel(field.through);
    const [near, far] = [through.meta.field(field.sourceField), through.meta.field(field.targetField)] as [
      AnyField,
      AnyField,
    ];
    const rows = (await managerOf(through)
      .using(using)
      .orderBy(near.name as never, far.name as never)
      .valuesList(near.attname as never, far.attname as never)
      .fetch()) as unknown as Array<[unknown, unknown]>;
    const bySource = new Map<unknown, unknown[]>();
    for (const [source, target] of rows) {
      let list = bySource.get(source);
      if (list === undefined) bySource.set(source, (list = []));
      list.push(target);
    }
    out.set(field.name, bySource);
  }
  return out;
}

/** Django's `dumpdata` text: one line, or indented by `indent` spaces. */
export function serializeFixture(objects: readonly FixtureObject[], indent?: number): string {
  return `${JSON.stringify(objects, null, indent)}\n`;
}

// ------------------------------------------------------------------ loading

/** One object of a file, ready to write. */
interface Pending {
  readonly file: string;
  readonly index: number;
  readonly model: AnyModelClass;
  readonly pk: unknown;
  readonly values: Record<string, unknown>;
  readonly many: Array<{ field: ManyToManyFieldType; ids: readonly unknown[] }>;
}

function describeObject(p: {
  file: string;
  model: AnyModelClass | string;
  pk: unknown;
  index: number;
}): string {
  const label = typeof p.model === 'string' ? p.model : lowerLabel(p.model);
  return `fixture '${p.file}', object ${p.index + 1} (${label}, pk=${JSON.stringify(p.pk ?? null)})`;
}

function fixtureError(where: string, message: string, cause?: unknown): PorticoError {
  return new PorticoError(
    'PORTICO_ERR_DB_FIXTURE',
    `${where}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Reads and checks one file: every object names a known model and its fields. */
function parseFixture(file: string, text: string, models: ReadonlyMap<string, AnyModelClass>): Pending[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw fixtureError(`fixture '${file}'`, `not JSON (${(error as Error).message})`, error);
  }
  if (!Array.isArray(data))
    throw fixtureError(`fixture '${file}'`, 'must be a JSON list of {"model", "pk", "fields"} objects');
  return data.map((raw: unknown, index) => {
    const object = raw as Partial<FixtureObject> | null;
    const where0 = { file, index, model: String(object?.model ?? '?'), pk: object?.pk };
    if (object === null || typeof object !== 'object' || typeof object.model !== 'string')
      throw fixtureError(describeObject(where0), 'each object needs a "model" string');
    const model = models.get(object.model.toLowerCase());
    if (model === undefined)
      throw fixtureError(describeObject(where0), `unknown model '${object.model}' (not in installedApps)`);
    const fields = object.fields ?? {};
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
      throw fixtureError(describeObject(where0), '"fields" must be an object');
    const meta = model.meta;
    const values: Record<string, unknown> = {};
    const many: Pending['many'] = [];
    for (const [name, value] of Object.entries(fields)) {
      const m2m = autoMany(model).find((f) => f.name === name);
      if (m2m !== undefined) {
        if (!Array.isArray(value))
          throw fixtureError(
            describeObject(where0),
            `'${name}' is many-to-many: give a list of primary keys`,
          );
        many.push({ field: m2m, ids: value });
        continue;
      }
      const field = meta.field(name);
      if (field === undefined || field === meta.pk)
        throw fixtureError(
          describeObject(where0),
          `${meta.modelName} has no field '${name}' (fields: ${meta.fields
            .filter((f) => f !== meta.pk)
            .map((f) => f.name)
            .concat(autoMany(model).map((f) => f.name))
            .join(', ')})`,
        );
      values[field.attname] = value === null ? null : field.coerce(value);
    }
    // A field the object leaves out takes its default, as Django builds the instance.
    for (const field of meta.fields) {
      if (field === meta.pk || Object.hasOwn(values, field.attname)) continue;
      const fallback = field.getDefault();
      if (fallback !== undefined) values[field.attname] = fallback;
    }
    const pk = object.pk === undefined || object.pk === null ? null : meta.pk.coerce(object.pk);
    return { file, index, model, pk, values, many };
  });
}

/**
 * Loads fixture files (Django's `loaddata`) into the database, all in one transaction:
 * either every object is written or none is. Resolves to the number of objects and files.
 */
export async function loadData(
  files: readonly string[],
  apps: readonly App[],
  options: LoadDataOptions = {},
): Promise<LoadDataResult> {
  const using = options.using ?? 'default';
  const models = new Map(apps.flatMap((app) => app.models).map((m) => [lowerLabel(m), m] as const));
  const pending: Pending[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw fixtureError(`fixture '${file}'`, (error as Error).message, error);
    }
    pending.push(...parseFixture(file, text, models));
  }
  const vendor = executorVendor(using);
  await atomic({ using }, async () => {
    const db = executor(using);
    // Foreign keys are declared DEFERRABLE INITIALLY DEFERRED; this covers tables made otherwise.
    if (vendor === 'sqlite') await sql`PRAGMA defer_foreign_keys = ON`.execute(db);
    else await sql`SET CONSTRAINTS ALL DEFERRED`.execute(db);
    for (const p of pending) {
      try {
        await writeObject(db, p, vendor);
      } catch (error) {
        throw fixtureError(describeObject(p), (error as Error).message, error);
      }
    }
    await checkReferences(db, pending, vendor);
    if (vendor === 'postgres') await resetSequences(db, new Set(pending.map((p) => p.model)));
  });
  return { objects: pending.length, fixtures: files.length };
}

/** Updates the row with this primary key, or inserts it; then sets its many-to-many links. */
async function writeObject(db: AnyDb, p: Pending, vendor: 'sqlite' | 'postgres'): Promise<void> {
  const meta = p.model.meta;
  const row: Record<string, unknown> = {};
  for (const field of meta.fields) {
    if (field === meta.pk || !Object.hasOwn(p.values, field.attname)) continue;
    row[field.column] = field.toDb(p.values[field.attname], vendor);
  }
  let pk = p.pk;
  let updated = false;
  if (pk !== null && Object.keys(row).length > 0) {
    const result = await db
      .updateTable(meta.table)
      .set(row)
      .where(meta.pk.column, '=', meta.pk.toDb(pk, vendor))
      .executeTakeFirst();
    updated = Number(result.numUpdatedRows) > 0;
  } else if (pk !== null) {
    updated =
      (await db
        .selectFrom(meta.table)
        .select(meta.pk.column)
        .where(meta.pk.column, '=', meta.pk.toDb(pk, vendor))
        .executeTakeFirst()) !== undefined;
  }
  if (!updated) {
    const values = pk === null ? row : { ...row, [meta.pk.column]: meta.pk.toDb(pk, vendor) };
    const inserted = await db
      .insertInto(meta.table)
      .values(values)
      .returning(meta.pk.column)
      .executeTakeFirstOrThrow();
    pk = meta.pk.fromDb((inserted as Record<string, unknown>)[meta.pk.column], vendor);
  }
  for (const { field, ids } of p.many) {
    const through = getModel(field.through).meta;
    const near = through.field(field.sourceField) as AnyField;
    const far = through.field(field.targetField) as AnyField;
    await db.deleteFrom(through.table).where(near.column, '=', pk).execute();
    const unique = [...new Set(ids.map((id) => far.coerce(id)))];
    if (unique.length > 0)
      await db
        .insertInto(through.table)
        .values(unique.map((id) => ({ [near.column]: pk, [far.column]: id })))
        .execute();
  }
}

/** Every foreign key and many-to-many id the objects hold must exist once all are written. */
async function checkReferences(
  db: AnyDb,
  pending: readonly Pending[],
  vendor: 'sqlite' | 'postgres',
): Promise<void> {
  // Target model → the referenced keys and, for the message, who referred first.
  const wanted = new Map<AnyModelClass, Map<string, { key: unknown; who: Pending; field: string }>>();
  const want = (target: AnyModelClass, key: unknown, who: Pending, field: string) => {
    if (key === null || key === undefined) return;
    let keys = wanted.get(target);
    if (keys === undefined) wanted.set(target, (keys = new Map()));
    const id = JSON.stringify(key);
    if (!keys.has(id)) keys.set(id, { key, who, field });
  };
  for (const p of pending) {
    for (const field of p.model.meta.fields)
      if (field instanceof ForeignKeyType && Object.hasOwn(p.values, field.attname))
        want(relatedModel(field), p.values[field.attname], p, field.name);
    for (const { field, ids } of p.many)
      for (const id of ids) want(getModel(field.targetLabel()), id, p, field.name);
  }
  for (const [target, keys] of wanted) {
    const meta = target.meta;
    const all = [...keys.values()];
    const found = new Set<string>();
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500).map((k) => meta.pk.toDb(meta.pk.coerce(k.key), vendor));
      const rows = await db
        .selectFrom(meta.table)
        .select(meta.pk.column)
        .where(meta.pk.column, 'in', chunk)
        .execute();
      for (const row of rows)
        found.add(JSON.stringify(meta.pk.fromDb((row as Record<string, unknown>)[meta.pk.column], vendor)));
    }
    for (const [id, ref] of keys)
      if (!found.has(JSON.stringify(meta.pk.coerce(JSON.parse(id)))))
        throw fixtureError(
          describeObject(ref.who),
          `'${ref.field}' refers to ${lowerLabel(target)} pk=${id}, which is neither in the database nor in the fixtures`,
        );
  }
}

/** PostgreSQL: move each loaded table's identity past the keys the fixtures gave (Django's sequence reset). */
async function resetSequences(db: AnyDb, models: ReadonlySet<AnyModelClass>): Promise<void> {
  const tables = new Set<AnyModelClass>(models);
  for (const model of models) for (const field of model.meta.manyToMany) tables.add(getModel(field.through));
  for (const model of tables) {
    const { table, pk } = model.meta;
    if (!['AutoField', 'BigAutoField'].includes(pk.type)) continue;
    await sql`SELECT setval(pg_get_serial_sequence(${table}, ${pk.column}), coalesce(max(${sql.ref(pk.column)}), 1), max(${sql.ref(pk.column)}) IS NOT NULL) FROM ${sql.table(table)}`.execute(
      db,
    );
  }
}
