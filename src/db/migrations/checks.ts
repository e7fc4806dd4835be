/**
 * The migration checks `portico check` runs: migration files that do not load (db.E005),
 * an app whose history forked (db.E006), and models changed without a migration (db.W001,
 * what `makemigrations --check` finds, Django's "Your models have changes that are not yet
 * reflected in a migration"). A warning, as Django's `migrate` prints it: a project in the
 * middle of editing its models still runs; CI makes it fatal with `--fail-level warning`
 * or runs `portico makemigrations --check`.
 *
 * @module
 */
import { type CheckMessage, registerCheck } from '../../web/core/checks/index.ts';
import { installedApps } from '../apps.ts';
import { detectChangesSync } from './autodetector.ts';
import { loadGraphSync, type MigrationGraph } from './loader.ts';
import { ProjectState } from './state.ts';

/** Operations named in a db.W001 message before "and N more". */
const SHOWN = 3;

registerCheck(
  ({ settings }) => {
    const apps = installedApps(settings).filter((app) => app.migrationsDir !== null);
    if (apps.length === 0) return [];
    let graph: MigrationGraph;
    try {
      graph = loadGraphSync(apps);
    } catch (error) {
      return [{ level: 'error', id: 'db.E005', message: `${(error as Error).message}.` }];
    }
    const messages: CheckMessage[] = [];
    for (const app of apps) {
      const leaves = graph.leaves(app.label);
      if (leaves.length > 1)
        messages.push({
          level: 'error',
          id: 'db.E006',
          message: `Conflicting migrations in app '${app.label}': ${leaves.join(', ')} are both leaves.`,
          hint: `Run 'portico makemigrations --merge ${app.label}'.`,
        });
    }
    if (messages.length > 0) return messages;
    const models = ProjectState.fromModels(apps.flatMap((app) => app.models));
    const changes = detectChangesSync(graph.leafState(), models);
    for (const [label, operations] of changes.operations) {
      const shown = operations.slice(0, SHOWN).map((operation) => operation.describe());
      if (operations.length > SHOWN) shown.push(`and ${operations.length - SHOWN} more`);
      messages.push({
        level: 'warning',
        id: 'db.W001',
        message: `Your models in app '${label}' have changes that are not yet reflected in a migration: ${shown.join('; ')}.`,
        hint: `Run 'portico makemigrations ${label}'.`,
      });
    }
    return messages;
  },
  { tags: ['models', 'migrations'] },
);
