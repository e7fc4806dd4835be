/**
 * Every workload the harness knows, in the order `npm run bench` runs them when none is
 * named. To add one: write `bench/workloads/NAME.ts` exporting a {@link Workload}, add
 * its servers under `bench/servers/` (or wherever the workload's owner keeps them), and
 * list it here.
 */
import { api, apiDb } from './api.ts';
import { db, dbQueries } from './db.ts';
import { hello } from './hello.ts';
import { hostile } from './hostile.ts';
import { routes } from './routes.ts';
import { sessionDb, sessionRedis, sessionSigned } from './session.ts';
import type { ScriptBench, Workload } from './types.ts';
import { uwsgiNginx } from './uwsgi-nginx.ts';
import { W1, W2, W3 } from './web.ts';
import { workers } from './workers.ts';

export type { BenchRequest, BenchServer, ScriptBench, Workload } from './types.ts';

export const workloads: readonly Workload[] = [
  hello,
  W1,
  W2,
  W3,
  uwsgiNginx,
  workers,
  db,
  api,
  apiDb,
  sessionSigned,
  sessionDb,
  sessionRedis,
];

/** Names that stand for several workloads: `npm run bench -- session` runs the three engines. */
export const workloadGroups: Readonly<Record<string, readonly string[]>> = {
  session: [sessionSigned.name, sessionDb.name, sessionRedis.name],
};

/** Benchmarks that are scripts of their own, run only when named. */
export const scriptBenches: readonly ScriptBench[] = [routes, hostile, dbQueries];

/** The script benchmark called `name`, or undefined. */
export function findScriptBench(name: string): ScriptBench | undefined {
  return scriptBenches.find((bench) => bench.name === name);
}

/** The workload called `name`, or undefined. */
export function findWorkload(name: string): Workload | undefined {
  return workloads.find((workload) => workload.name === name);
}
