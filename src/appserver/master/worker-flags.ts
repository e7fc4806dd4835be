/**
 * The Node flags a worker process starts with: the master's own (`--conditions`,
 * `--cpu-prof`...), as cluster would pass them, plus a young-generation size chosen for
 * serving requests — unless the user chose one (in the command's flags or `NODE_OPTIONS`) —
 * and V8's allocation-site pretenuring turned off, unless the user's flags say otherwise.
 *
 * Why: in a Node without pointer compression (the official builds), V8 lets the young
 * generation grow to 64 MiB (twice what it allows where pointers are compressed), once
 * enough survives its scavenges; a worker under load gets there within seconds. A request
 * server allocates a few KiB per request and keeps almost none of it, so the large young
 * generation buys little (fewer scavenges of the same few survivors) and costs: the
 * allocation sweeps memory no cache holds, and V8 gives pages of it back to the kernel and
 * takes them again, page faults on the request path. The flag caps it at 32 MiB, V8's own
 * size where pointers are compressed. Measured in bench/README.md ("The young generation").
 *
 * Pretenuring: V8 allocates the objects of an allocation site straight in the old generation
 * once most of them outlive a scavenge. Under concurrent requests that guess goes wrong and
 * feeds itself: a few sites whose objects were still in flight at a scavenge are tenured,
 * their per-request objects then sit in the old generation and keep the young objects they
 * point to alive through every scavenge, whose sites are tenured in turn. Measured on the
 * `api` workload, every scavenge then promoted ~2 MB (promotion rate 100 %) until a
 * mark-compact freed ~90 MB of dead requests; without pretenuring ~5 KB survive a scavenge
 * and nothing is promoted, and the worker spends about a quarter less CPU per request
 * (bench/README.md, "Pretenuring"). Objects that really live long reach the old generation
 * anyway, after two scavenges.
 *
 * Single-threaded GC, when there are at least as many workers as CPUs the master may run on
 * (`os.availableParallelism()`, which honours `taskset` and cpusets): V8 splits a scavenge
 * between the worker's thread and helper threads, and marks concurrently on more, which pays
 * only where a CPU is idle. With a worker per CPU none is, and the helpers time-share the
 * CPU the worker waits on: on a worker pinned to one CPU, under floods of 1-byte chunks,
 * scavenges took 4–8 ms instead of 1–4 ms and the loop stalled over 5 ms 8–10 times in 3 s
 * instead of 2–4, for the same requests per second on `hello` and `api` (bench/README.md,
 * "Single-threaded GC"). With spare CPUs (one worker on a larger machine) V8 keeps its helpers.
 *
 * @module
 */

/** A worker's `--max-semi-space-size`, in MiB: a young generation of at most 32 MiB here. */
export const WORKER_SEMI_SPACE_MB = 16;

/** A young-generation flag, as Node and V8 spell it (dashes or underscores). */
const YOUNG_GENERATION_FLAG = /--(?:max|min)[-_]semi[-_]space[-_]size\b/;

/** True when `flags` (argv entries, or a `NODE_OPTIONS` string) set the young generation's size. */
export function setsYoungGeneration(flags: readonly string[] | string): boolean {
  const list = typeof flags === 'string' ? [flags] : flags;
  return list.some((flag) => YOUNG_GENERATION_FLAG.test(flag));
}

/** The flag that turns V8's allocation-site pretenuring off in workers. */
export const WORKER_NO_PRETENURING = '--no-allocation-site-pretenuring';

/** Pretenuring turned on or off, as Node and V8 spell it. */
const PRETENURING_FLAG = /--(?:no[-_])?allocation[-_]site[-_]pretenuring\b/;

/** True when `flags` (argv entries, or a `NODE_OPTIONS` string) turn pretenuring on or off. */
export function setsPretenuring(flags: readonly string[] | string): boolean {
  const list = typeof flags === 'string' ? [flags] : flags;
  return list.some((flag) => PRETENURING_FLAG.test(flag));
}

/** The flag that keeps V8's garbage collection on the worker's own thread. */
export const WORKER_SINGLE_THREADED_GC = '--single-threaded-gc';

/** A flag choosing how V8 spreads its collection over threads, as Node and V8 spell it. */
const GC_THREADS_FLAG =
  /--(?:no[-_])?(?:single[-_]threaded[-_]gc|parallel[-_](?:scavenge|marking|compaction)|concurrent[-_]marking)\b/;

/** True when `flags` (argv entries, or a `NODE_OPTIONS` string) choose the collector's threads. */
export function setsGcThreads(flags: readonly string[] | string): boolean {
  const list = typeof flags === 'string' ? [flags] : flags;
  return list.some((flag) => GC_THREADS_FLAG.test(flag));
}

/** How many workers share how many CPUs (the master's `availableParallelism()`). */
export interface WorkerPlacement {
  workers: number;
  cpus: number;
}

/**
 * The `execArgv` for workers: the master's `execArgv`, plus
 * `--max-semi-space-size=`{@link WORKER_SEMI_SPACE_MB} unless `execArgv` or `nodeOptions`
 * already size the young generation, {@link WORKER_NO_PRETENURING} unless they already
 * turn pretenuring on or off, and {@link WORKER_SINGLE_THREADED_GC} when `placement` has
 * at least one worker per CPU, unless they already choose the collector's threads (the
 * user's choice wins).
 */
export function workerExecArgv(
  execArgv: readonly string[],
  nodeOptions = '',
  placement?: WorkerPlacement,
): string[] {
  const argv = [...execArgv];
  if (!setsYoungGeneration(execArgv) && !setsYoungGeneration(nodeOptions)) {
    argv.push(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
  }
  if (!setsPretenuring(execArgv) && !setsPretenuring(nodeOptions)) argv.push(WORKER_NO_PRETENURING);
  const noSpareCpu = placement !== undefined && placement.workers >= placement.cpus;
  if (noSpareCpu && !setsGcThreads(execArgv) && !setsGcThreads(nodeOptions)) {
    argv.push(WORKER_SINGLE_THREADED_GC);
  }
  return argv;
}
