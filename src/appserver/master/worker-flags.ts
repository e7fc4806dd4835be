/**
 * The Node flags a worker process starts with: the master's own (`--conditions`,
 * `--cpu-prof`...), as cluster would pass them, plus a young-generation size chosen for
 * serving requests — unless the user chose one (in the command's flags or `NODE_OPTIONS`).
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

/**
 * The `execArgv` for workers: the master's `execArgv`, plus
 * `--max-semi-space-size=`{@link WORKER_SEMI_SPACE_MB} unless `execArgv` or `nodeOptions`
 * already size the young generation (the user's choice wins).
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = ''): string[] {
  if (setsYoungGeneration(execArgv) || setsYoungGeneration(nodeOptions)) return [...execArgv];
  return [...execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`];
}
