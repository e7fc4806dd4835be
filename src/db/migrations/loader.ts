/**
 * Loading migration files into a graph (one folder per app, `0001_initial.ts`, …),
 * planning which to apply or unapply, and rebuilding the state at any node by replaying
 * its ancestors.
 *
 * @module
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PorticoError } from '../../tsgi/errors.ts';
import type { App } from '../models.ts';
import type { MigrationDefinition } from './operations.ts';
import { ProjectState } from './state.ts';

/** One migration file, loaded. */
export interface MigrationNode {
  readonly app: string;
  readonly name: string;
  readonly key: string;
  readonly file: string;
  readonly migration: MigrationDefinition;
  readonly dependencies: readonly string[];
}

const FILE = /^(\d{4}_\w+)\.(ts|mts|js|mjs)$/;

/** The migration names in a folder, in order. */
export function migrationFiles(dir: string): Array<{ name: string; file: string }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((entry) => ({ entry, m: FILE.exec(entry) }))
    .filter((x): x is { entry: string; m: RegExpExecArray } => x.m !== null && !x.entry.endsWith('.d.ts'))
    .map(({ entry, m }) => ({ name: m[1] as string, file: path.join(dir, entry) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every app's migrations, as a graph. */
export class MigrationGraph {
  readonly nodes = new Map<string, MigrationNode>();
  readonly apps: readonly string[];

  constructor(nodes: Iterable<MigrationNode>, apps: readonly string[]) {
    for (const node of nodes) this.nodes.set(node.key, node);
    this.apps = apps;
    for (const node of this.nodes.values())
      for (const dep of node.dependencies)
        if (!this.nodes.has(dep))
          throw new PorticoError(
            'PORTICO_ERR_DB_MIGRATION',
            `migration ${node.key} depends on ${dep}, which does not exist`,
          );
    // A cycle would make every plan loop.
    this.topological([...this.nodes.keys()]);
  }

  /** The app's nodes that no other node of the app depends on. */
  leaves(app: string): string[] {
    const own = [...this.nodes.values()].filter((n) => n.app === app);
    const dependedOn = new Set(own.flatMap((n) => n.dependencies));
    return own.filter((n) => !dependedOn.has(n.key)).map((n) => n.key);
  }

  /** The app's one leaf, or null; two leaves are a conflict. */
  leaf(app: string): string | null {
    const leaves = this.leaves(app);
    if (leaves.length > 1)
      throw new PorticoError(
        'PORTICO_ERR_DB_MIGRATION',
        `conflicting migrations in ${app}: ${leaves.join(', ')} are both leaves; merge them (a migration depending on both)`,
      );
    return leaves[0] ?? null;
  }

  /** `keys` and everything they depend on, dependencies first. */
  topological(keys: readonly string[]): string[] {
    const out: string[] = [];
    const done = new Set<string>();
    const visiting = new Set<string>();
    const visit = (key: string, trail: string[]) => {
      if (done.has(key)) return;
      if (visiting.has(key))
        throw new PorticoError(
          'PORTICO_ERR_DB_MIGRATION',
          `circular migration dependencies: ${[...trail, key].join(' -> ')}`,
        );
      visiting.add(key);
      const node = this.nodes.get(key) as MigrationNode;
      for (const dep of node.dependencies) visit(dep, [...trail, key]);
      visiting.delete(key);
      done.add(key);
      out.push(key);
    };
    for (const key of keys) visit(key, []);
    return out;
  }

  /** Every node that depends, directly or not, on `key`. */
  descendants(key: string): Set<string> {
    const out = new Set<string>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const node of this.nodes.values()) {
        if (out.has(node.key)) continue;
        if (node.dependencies.some((d) => d === key || out.has(d))) {
          out.add(node.key);
          changed = true;
        }
      }
    }
    return out;
  }

  /** The state after `keys` (and their ancestors) are applied. */
  stateAfter(keys: readonly string[]): ProjectState {
    const state = new ProjectState();
    for (const key of this.topological(keys)) {
      const node = this.nodes.get(key) as MigrationNode;
      for (const operation of node.migration.operations) operation.stateForwards(node.app, state);
    }
    return state;
  }

  /** The state of every app's leaf: what the migrations say the models are. */
  leafState(): ProjectState {
    return this.stateAfter(this.apps.flatMap((app) => this.leaves(app)));
  }
}

type MigrationModule = { default?: MigrationDefinition; migration?: MigrationDefinition };

/** Options of {@link loadGraph}. */
export interface LoadGraphOptions {
  /**
   * The migrations the database has applied, which decide between a squashed migration and
   * the ones it `replaces` (default none: the squashed one is used).
   */
  readonly applied?: ReadonlySet<string>;
}

/** Loads every app's migration files. */
export async function loadGraph(
  apps: readonly App[],
  options: LoadGraphOptions = {},
): Promise<MigrationGraph> {
  const nodes: MigrationNode[] = [];
  for (const { app, name, file } of filesOf(apps)) {
    let module: MigrationModule;
    try {
      module = (await import(pathToFileURL(file).href)) as MigrationModule;
    } catch (error) {
      throw loadFailed(app, name, error);
    }
    nodes.push(nodeOf(app, name, file, module));
  }
  return graphOf(nodes, apps, options.applied ?? new Set());
}

/**
 * {@link loadGraph} without awaiting: each file through `require()` (which loads an ES
 * module synchronously in Node 22.12+, into the same module cache `import()` uses). For
 * the system checks, which are synchronous; a migration file with a top-level `await`
 * cannot be loaded this way and is reported as not loadable.
 */
export function loadGraphSync(apps: readonly App[], options: LoadGraphOptions = {}): MigrationGraph {
  const require = createRequire(import.meta.url);
  const nodes: MigrationNode[] = [];
  for (const { app, name, file } of filesOf(apps)) {
    let module: MigrationModule;
    try {
      module = require(file) as MigrationModule;
    } catch (error) {
      throw loadFailed(app, name, error);
    }
    nodes.push(nodeOf(app, name, file, module));
  }
  return graphOf(nodes, apps, options.applied ?? new Set());
}

function filesOf(apps: readonly App[]): Array<{ app: App; name: string; file: string }> {
  return apps.flatMap((app) =>
    app.migrationsDir === null ? [] : migrationFiles(app.migrationsDir).map((f) => ({ app, ...f })),
  );
}

function loadFailed(app: App, name: string, error: unknown): PorticoError {
  return new PorticoError(
    'PORTICO_ERR_DB_MIGRATION',
    `migration ${app.label}.${name} failed to load: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

function nodeOf(app: App, name: string, file: string, module: MigrationModule): MigrationNode {
  const migration = module.default ?? module.migration;
  if (migration === undefined || !Array.isArray(migration.operations))
    throw new PorticoError(
      'PORTICO_ERR_DB_MIGRATION',
      `migration ${file} must export default migrations.Migration({ dependencies, operations })`,
    );
  return {
    app: app.label,
    name,
    key: `${app.label}.${name}`,
    file,
    migration,
    dependencies: (migration.dependencies ?? []).map(([a, n]) => `${a}.${n}`),
  };
}

function graphOf(
  nodes: readonly MigrationNode[],
  apps: readonly App[],
  applied: ReadonlySet<string>,
): MigrationGraph {
  return new MigrationGraph(
    resolveReplacements(nodes, applied),
    apps.map((a) => a.label),
  );
}

/**
 * Squashed migrations (Django's rule): when all the migrations one `replaces` are applied,
 * or none, the squashed one stands for them (they leave the graph, and what depended on
 * them depends on it); when only some are, the squashed one leaves the graph until the
 * rest are applied through the originals.
 */
export function resolveReplacements(
  nodes: readonly MigrationNode[],
  applied: ReadonlySet<string>,
): MigrationNode[] {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const moved = new Map<string, string>();
  for (const node of nodes) {
    const replaces = (node.migration.replaces ?? []).map(([a, n]) => `${a}.${n}`);
    if (replaces.length === 0) continue;
    const done = replaces.filter((key) => applied.has(key)).length;
    if (done === 0 || done === replaces.length) {
      for (const key of replaces) {
        byKey.delete(key);
        moved.set(key, node.key);
      }
    } else {
      byKey.delete(node.key);
      // What depended on the squash depends on the last of the originals instead.
      moved.set(node.key, replaces[replaces.length - 1] as string);
    }
  }
  if (moved.size === 0) return [...nodes];
  const follow = (key: string): string => {
    let at = key;
    for (let hops = 0; moved.has(at) && hops < 100; hops++) at = moved.get(at) as string;
    return at;
  };
  return [...byKey.values()].map((node) => ({
    ...node,
    dependencies: [...new Set(node.dependencies.map(follow).filter((dep) => dep !== node.key))],
  }));
}
