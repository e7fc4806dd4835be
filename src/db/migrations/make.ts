/**
 * `makemigrations` as a function: the state of the migration files against the models,
 * the operations that bridge them, and the next file per app.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../../tsgi/errors.ts';
import type { App } from '../models.ts';
import { detectChanges, nonInteractive, type Questioner } from './autodetector.ts';
import { loadGraph } from './loader.ts';
import type { Operation } from './operations.ts';
import { ProjectState } from './state.ts';
import { migrationName, writeMigration } from './writer.ts';

/** Options of {@link makeMigrations}. */
export interface MakeMigrationsOptions {
  /** Only these apps. */
  readonly apps?: readonly string[];
  /** The name after the number (`0002_<name>`). */
  readonly name?: string;
  /** An empty migration (for `RunSQL`/`RunTS` written by hand); needs one app. */
  readonly empty?: boolean;
  /** For each app with two (or more) leaves, a migration depending on them all (`--merge`). */
  readonly merge?: boolean;
  /** Write nothing (`--check`, `--dry-run`). */
  readonly dryRun?: boolean;
  readonly questioner?: Questioner;
  /** Where migration files import from (default `portico/db`). */
  readonly importFrom?: string;
}

/** A migration written (or that would be). */
export interface NewMigration {
  readonly app: string;
  readonly name: string;
  readonly file: string;
  readonly operations: readonly Operation[];
  readonly source: string;
}

/** Writes the migrations the models need; returns them (empty when none is needed). */
export async function makeMigrations(
  apps: readonly App[],
  options: MakeMigrationsOptions = {},
): Promise<NewMigration[]> {
  const wanted = options.apps ?? null;
  for (const label of wanted ?? [])
    if (!apps.some((a) => a.label === label))
      throw new PorticoError('PORTICO_ERR_DB_MIGRATION', `no installed app '${label}'`);
  const graph = await loadGraph(apps);
  if (options.merge === true) return merge(apps, graph, wanted, options);
  // A forked history must be merged first (Django refuses too).
  for (const app of apps) {
    if (wanted !== null && !wanted.includes(app.label)) continue;
    const leaves = graph.leaves(app.label);
    if (leaves.length > 1)
      throw new PorticoError(
        'PORTICO_ERR_DB_MIGRATION',
        `conflicting migrations in ${app.label}: ${leaves.join(', ')} are both leaves; run makemigrations --merge`,
      );
  }
  const byApp = new Map<string, Operation[]>();
  let dependsOnApps = new Map<string, Set<string>>();
  if (options.empty === true) {
    if (wanted === null || wanted.length !== 1)
      throw new PorticoError('PORTICO_ERR_DB_MIGRATION', 'makemigrations --empty needs one app label');
    byApp.set(wanted[0] as string, []);
  } else {
    const changes = await detectChanges(
      graph.leafState(),
      ProjectState.fromModels(apps.flatMap((a) => a.models)),
      options.questioner ?? nonInteractive,
    );
    dependsOnApps = changes.dependsOnApps;
    for (const [app, ops] of changes.operations)
      if (wanted === null || wanted.includes(app)) byApp.set(app, ops);
  }
  // Names first: an app's new migration may depend on another's.
  const planned = new Map<string, { name: string; number: number; initial: boolean }>();
  for (const [app, ops] of byApp) {
    const own = [...graph.nodes.values()].filter((n) => n.app === app);
    const number = own.reduce((max, n) => Math.max(max, Number.parseInt(n.name.slice(0, 4), 10)), 0) + 1;
    const name =
      options.name !== undefined
        ? `${String(number).padStart(4, '0')}_${options.name.replace(/\W+/g, '_')}`
        : migrationName(number, ops, own.length === 0);
    planned.set(app, { name, number, initial: own.length === 0 });
  }
  const out: NewMigration[] = [];
  for (const [app, ops] of byApp) {
    const config = apps.find((a) => a.label === app) as App;
    const dir = config.migrationsDir;
    if (dir === null)
      throw new PorticoError(
        'PORTICO_ERR_DB_MIGRATION',
        `app '${app}' has no migrations folder: defineApp('${app}', { migrations: new URL('./migrations/', import.meta.url) })`,
      );
    const dependencies: Array<[string, string]> = [];
    const leaf = graph.leaf(app);
    if (leaf !== null) dependencies.push([app, leaf.slice(app.length + 1)]);
    for (const other of [...(dependsOnApps.get(app) ?? [])].sort()) {
      const otherNew = planned.get(other);
      const otherLeaf = graph.leaves(other)[0];
      if (otherNew !== undefined) dependencies.push([other, otherNew.name]);
      else if (otherLeaf !== undefined) dependencies.push([other, otherLeaf.slice(other.length + 1)]);
      else
        throw new PorticoError(
          'PORTICO_ERR_DB_MIGRATION',
          `app '${app}' refers to models of '${other}', which has no migrations: run makemigrations ${other} first`,
        );
    }
    const { name } = planned.get(app) as { name: string };
    const source = writeMigration(
      ops,
      dependencies,
      options.importFrom !== undefined ? { importFrom: options.importFrom } : {},
    );
    const file = path.join(dir, `${name}.ts`);
    if (options.dryRun !== true) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, source, { flag: 'wx' });
    }
    out.push({ app, name, file, operations: ops, source });
  }
  return out;
}

/** Merge migrations: for each app whose history forked, one migration depending on every leaf. */
async function merge(
  apps: readonly App[],
  graph: Awaited<ReturnType<typeof loadGraph>>,
  wanted: readonly string[] | null,
  options: MakeMigrationsOptions,
): Promise<NewMigration[]> {
  const out: NewMigration[] = [];
  for (const app of apps) {
    if (wanted !== null && !wanted.includes(app.label)) continue;
    const leaves = graph.leaves(app.label);
    if (leaves.length < 2) continue;
    const names = leaves.map((k) => k.slice(app.label.length + 1)).sort();
    const number =
      [...graph.nodes.values()]
        .filter((n) => n.app === app.label)
        .reduce((max, n) => Math.max(max, Number.parseInt(n.name.slice(0, 4), 10)), 0) + 1;
    const name = `${String(number).padStart(4, '0')}_${options.name ?? `merge_${names.map((n) => n.slice(5)).join('_')}`.slice(0, 60)}`;
    const source = writeMigration(
      [],
      names.map((n) => [app.label, n] as const),
      options.importFrom !== undefined ? { importFrom: options.importFrom } : {},
    );
    const file = path.join(app.migrationsDir as string, `${name}.ts`);
    if (options.dryRun !== true) writeFileSync(file, source, { flag: 'wx' });
    out.push({ app: app.label, name, file, operations: [], source });
  }
  return out;
}
