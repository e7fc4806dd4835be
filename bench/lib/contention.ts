/**
 * How much CPU other processes took during a run. The figures are only comparable when
 * the machine is otherwise quiet; on a shared machine this says when it was not.
 *
 * Linux only (reads `/proc`); elsewhere every reading is undefined. Busy time of the
 * whole machine, less the server's, the harness's and its reaped children's (the load
 * generator, which exits inside the window), is what the rest of the machine used.
 * Interrupt time is left out on both sides: the kernel does not charge it to a process.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` times (USER_HZ, 100 on every mainstream Linux). */
const HZ = 100;

export interface CpuSnapshot {
  readonly at: number;
  readonly machine: number;
  readonly harness: number;
  readonly children: number;
  readonly server: number;
}

function machineBusy(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system] = line.trim().split(/\s+/).map(Number);
  return (user ?? 0) + (nice ?? 0) + (system ?? 0);
}

/** The numeric fields of `/proc/PID/stat` after the command name (field 3 is index 0). */
function statFields(pid: number | 'self'): number[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/** A reading, or undefined where `/proc` is not there (or the server is gone). */
export function cpuSnapshot(serverPid: number): CpuSnapshot | undefined {
  try {
    const self = statFields('self');
    const server = statFields(serverPid);
    // utime, stime, cutime, cstime are fields 14-17: indexes 11-14 here.
    return {
      at: performance.now(),
      machine: machineBusy(),
      harness: (self[11] ?? 0) + (self[12] ?? 0),
      children: (self[13] ?? 0) + (self[14] ?? 0),
      server: (server[11] ?? 0) + (server[12] ?? 0),
    };
  } catch {
    return undefined;
  }
}

/** What two readings around a run say. */
export interface CpuWindow {
  /** CPUs' worth of time (1 = one whole CPU) other processes used. */
  readonly otherCpu: number;
  /** CPU seconds the server used (all its threads). */
  readonly serverCpuS: number;
}

export function cpuWindow(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
): CpuWindow | undefined {
  if (before === undefined || after === undefined) return undefined;
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return undefined;
  const server = after.server - before.server;
  const ours = after.harness - before.harness + (after.children - before.children) + server;
  const other = after.machine - before.machine - ours;
  return { otherCpu: Math.max(0, other / HZ / seconds), serverCpuS: server / HZ };
}
