/**
 * The garbage collector's settings a server process wants: V8's allocation-site
 * pretenuring off.
 *
 * V8 allocates objects of an allocation site (an object or array literal) straight in the
 * old generation once most of its objects it sampled were alive at a young collection.
 * A server's per-request objects die within the request, but one such site decided wrong
 * (a few requests in flight at the collection, or a parent already in the old generation,
 * which keeps its young children alive until the next full collection) spreads the
 * decision to the objects stored into it. Measured on the `api` workload
 * (bench/README.md): every request then left kilobytes of garbage in the old generation,
 * young collections paused tens of milliseconds scanning it, and a request cost 10–50 %
 * more CPU. Without pretenuring, per-request objects die young as they should, and the few
 * long-lived ones (caches, pools) are promoted after surviving two young collections.
 *
 * @module
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = 'allocation-site-pretenuring';
let tuned = false;

/**
 * Turns V8's allocation-site pretenuring off for this process, once, unless the process
 * was started with a choice of its own (`--allocation-site-pretenuring` or
 * `--no-allocation-site-pretenuring` in its arguments or `NODE_OPTIONS`).
 *
 * @returns whether the setting was changed.
 */
export function tuneGarbageCollector(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
  setFlags: (flags: string) => void = setFlagsFromString,
): boolean {
  if (tuned) return false;
  tuned = true;
  const chosen = (text: string) => text.includes(FLAG) || text.includes(FLAG.replaceAll('-', '_'));
  if (execArgv.some(chosen) || chosen(nodeOptions)) return false;
  setFlags(`--no-${FLAG}`);
  return true;
}

/** Forgets that the collector was tuned (tests). @internal */
export function resetGarbageCollectorTuning(): void {
  tuned = false;
}
