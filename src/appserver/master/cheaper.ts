/**
 * The cheaper: uWSGI's adaptive worker count, driven by the load Node measures best —
 * event-loop utilization (the share of time a worker's loop is busy), averaged over the
 * workers. Above `cheaper-busyness-max`, add `cheaper-step` workers (up to `workers`);
 * below `cheaper-busyness-min`, stop one (down to `cheaper`). Acted on every
 * `cheaper-overload` seconds, so a short burst does not fork and a short lull does not kill.
 *
 * @module
 */

/** The cheaper's settings. */
export interface CheaperPolicy {
  min: number;
  max: number;
  step: number;
  /** Percent. */
  busynessMax: number;
  /** Percent. */
  busynessMin: number;
}

/**
 * How many workers to add (positive) or stop (negative) given the current count and each
 * ready worker's busyness (0..1).
 */
export function cheaperDecision(policy: CheaperPolicy, current: number, busyness: readonly number[]): number {
  if (busyness.length === 0) return 0;
  const average = (100 * busyness.reduce((sum, b) => sum + b, 0)) / busyness.length;
  if (average > policy.busynessMax && current < policy.max)
    return Math.min(policy.step, policy.max - current);
  if (average < policy.busynessMin && current > policy.min) return -1;
  return 0;
}
