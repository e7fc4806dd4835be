/**
 * How much CPU other processes took during a run. The figures are only comparable when
 * the machine is otherwise quiet; on a shared machine this says when it was not.
 *
 * Linux only (reads `/proc`); elsewhere every reading is undefined. Busy time of the
 * whole machine, less the server's, the harness's and its reaped children's (the load
 * generator, which exits inside the window), is what the rest of the machine used.
 * Interrupt time is left out on both sides: the kernel does not charge it to a process.
 */
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU ticks of the server and every process under it (an app server's master and workers,
 * nginx in front of one), including children they have already reaped.
 */
function treeTicks(rootPid: number): number {
  const parents = new Map<number, number[]>();
  const times = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let fields: number[];
    try {
      fields = statFields(pid);
    } catch {
      continue; // exited while we looked
    }
    // ppid is field 4 (index 1); utime, stime, cutime, cstime are fields 14-17 (11-14).
    const ppid = fields[1] ?? 0;
    times.set(pid, (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0));
    const siblings = parents.get(ppid);
    if (siblings === undefined) parents.set(ppid, [pid]);
    else siblings.push(pid);
  }
  if (!times.has(rootPid)) throw new Error(`process ${rootPid} is gone`);
  let total = 0;
  const queue = [rootPid];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    total += times.get(pid) ?? 0;
    queue.push(...(parents.get(pid) ?? []));
  }
  return total;
}

/** A reading, or undefined where `/proc` is not there (or the server is gone). */
export function cpuSnapshot(serverPid: number): CpuSnapshot | undefined {
  try {
    const self = statFields('self');
    // utime, stime, cutime, cstime are fields 14-17: indexes 11-14 here.
    return {
      at: performance.now(),
      machine: machineBusy(),
      harness: (self[11] ?? 0) + (self[12] ?? 0),
      children: (self[13] ?? 0) + (self[14] ?? 0),
      server: treeTicks(serverPid),
    };
  } catch {
    return undefined;
  }
}

/** What two readings around a run say. */
export interface CpuWindow {
  /** CPUs' worth of time (1 = one whole CPU) other processes used. */
  readonly otherCpu: number;
  /** CPU seconds the server used (all its threads and processes). */
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
