/**
 * CPU pinning: the server under test on one CPU, the load generator on another, so
 * neither steals cycles from the other and every server gets the same single core.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** CPU given to the load generator. */
export const LOAD_CPUS = '0';
/** CPU given to the server under test, unless its workload says otherwise. */
export const SERVER_CPUS = '1';

/** Whether processes are pinned, and why not when they are not. */
export interface Pinning {
  readonly enabled: boolean;
  readonly note: string;
}

/** Pins when `taskset` exists and the machine has at least two CPUs. */
export function detectPinning(): Pinning {
  const cpus = os.availableParallelism();
  if (cpus < 2) return { enabled: false, note: `not pinned: only ${cpus} CPU` };
  const probe = spawnSync('taskset', ['-c', LOAD_CPUS, 'true'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) {
    return { enabled: false, note: 'not pinned: taskset is missing or refused' };
  }
  return {
    enabled: true,
    note: `server on CPU ${SERVER_CPUS}, load generator on CPU ${LOAD_CPUS} (taskset)`,
  };
}

/** The command line that runs `command args` on `cpus` (unchanged when pinning is off). */
export function pinned(
  pinning: Pinning,
  cpus: string,
  command: string,
  args: readonly string[],
): [string, string[]] {
  if (!pinning.enabled) return [command, [...args]];
  return ['taskset', ['-c', cpus, command, ...args]];
}
