/**
 * Every workload the harness knows, in the order `npm run bench` runs them when none is
 * named. To add one: write `bench/workloads/NAME.ts` exporting a {@link Workload}, add
 * its servers under `bench/servers/` (or wherever the workload's owner keeps them), and
 * list it here.
 */
import { hello } from './hello.ts';
import type { Workload } from './types.ts';

export type { BenchRequest, BenchServer, Workload } from './types.ts';

export const workloads: readonly Workload[] = [hello];

/** The workload called `name`, or undefined. */
export function findWorkload(name: string): Workload | undefined {
  return workloads.find((workload) => workload.name === name);
}
