/**
 * `squashmigrations` as a function (Django's command): an app's migrations from `start`
 * (default its first) to `end` become one, whose operations are theirs concatenated and
 * optimised, and which `replaces` them — the loader and the executor then use it for a
 * database that has applied none or all of them, and the originals for one half-way.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PorticoError } from '../../tsgi/errors.ts';
import type { App } from '../models.ts';
import { resolveTarget } from './executor.ts';
import { loadGraph, type MigrationNode } from './loader.ts';
import { type Operation, RunTS } from './operations.ts';
import { optimize } from './optimizer.ts';
import { writeMigration } from './writer.ts';
import type { NewMigration } from './make.ts';

/** Options of {@link squashMigrations}. */
export interface SquashOptions {
  /** The first migration to squash (a name or its number; default the app's first). */
  readonly start?: string;
  /** The name of the new file (default `<start>_squashed_<end>`). */
  readonly name?: string;
  /** Concatenate only (Django's `--no-optimize`). */
  readonly optimize?: boolean;
  readonly dryRun?: boolean;
  /** Where the file imports from (default `portico/db`). */
  readonly importFrom?: string;
}

const fail = (message: string) =>
  new PorticoError('PORTICO_ERR_DB_MIGRATION', `squashmigrations: ${message}`);

/** Writes the squashed migration of `app` from `options.start` to `end`; returns it. */
export async function squashMigrations(
  apps: readonly App[],
  app: string,
  end: string,
  options: SquashOptions = {},
): Promise<NewMigration> {
  const config = apps.find((a) => a.label === app);
  if (config === undefined || config.migrationsDir === null)
    throw fail(`no installed app '${app}' with migrations`);
  const graph = await loadGraph(apps);
  const endKey = resolveTarget(graph, app, end);
  if (endKey === null) throw fail("the end cannot be 'zero'");
  const chain = graph.topological([endKey]).filter((key) => key.startsWith(`${app}.`));
  const startKey = options.start === undefined ? chain[0] : resolveTarget(graph, app, options.start);
  const from = chain.indexOf(startKey as string);
  if (from === -1) throw fail(`${options.start} does not come before ${end}`);
  const nodes = chain.slice(from).map((key) => graph.nodes.get(key) as MigrationNode);
  if (nodes.length < 2) throw fail('give at least two migrations to squash');
  const inside = new Set(nodes.map((n) => n.key));
  const operations: Operation[] = [];
  const dependencies = new Map<string, readonly [string, string]>();
  for (const node of nodes) {
    if (node.migration.replaces !== undefined && node.migration.replaces.length > 0)
      throw fail(`${node.key} is itself a squash: squash from after it, once the originals are gone`);
    const code = node.migration.operations.find((op) => op instanceof RunTS);
    if (code !== undefined)
      throw fail(`${node.key} has RunTS code, which cannot be copied: squash around it`);
    operations.push(...node.migration.operations);
    for (const dep of node.dependencies)
      if (!inside.has(dep)) {
        const at = dep.indexOf('.');
        dependencies.set(dep, [dep.slice(0, at), dep.slice(at + 1)] as const);
      }
  }
  const first = nodes[0] as MigrationNode;
  const last = nodes[nodes.length - 1] as MigrationNode;
  const name = (options.name ?? `${first.name}_squashed_${last.name}`).replace(/\W+/g, '_');
  const file = path.join(config.migrationsDir, `${name}.ts`);
  const ops = options.optimize === false ? operations : optimize(operations);
  const source = writeMigration(ops, [...dependencies.values()], {
    replaces: nodes.map((n) => [n.app, n.name] as const),
    ...(options.importFrom !== undefined ? { importFrom: options.importFrom } : {}),
  });
  if (options.dryRun !== true) {
    mkdirSync(config.migrationsDir, { recursive: true });
    writeFileSync(file, source, { flag: 'wx' });
  }
  return { app, name, file, operations: ops, source };
}
