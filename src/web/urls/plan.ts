/**
 * Applying an entry's argument plan to matched values. Shared by the compiled matcher
 * and the reference scan so both build arguments the same way.
 *
 * @module
 */
import type { PlanStep } from './entries.ts';

/** No positional arguments (shared, frozen). */
export const NO_ARGS: readonly string[] = Object.freeze([]);

/**
 * The keyword arguments, or `null` when a converter rejected its value (the pattern then
 * does not match). Values that did not participate in the match are left out.
 */
export function buildKwargs(
  plan: readonly PlanStep[],
  values: ArrayLike<string | undefined>,
): Record<string, unknown> | null {
  const kwargs: Record<string, unknown> = {};
  for (let i = 0; i < plan.length; i++) {
    const step = plan[i] as PlanStep;
    if (step.kind === 1) {
      Object.assign(kwargs, step.extras);
      continue;
    }
    if (step.kind !== 0) continue;
    const raw = values[step.index];
    if (raw === undefined) continue;
    const converter = step.converter;
    if (converter === null) {
      kwargs[step.name] = raw;
      continue;
    }
    try {
      kwargs[step.name] = converter.toPython(raw);
    } catch {
      return null;
    }
  }
  return kwargs;
}

/** The positional arguments of a match (regexes whose groups are all unnamed). */
export function buildArgs(
  plan: readonly PlanStep[],
  values: ArrayLike<string | undefined>,
): readonly string[] {
  const args: string[] = [];
  for (const step of plan) {
    if (step.kind === 2) args.push(values[step.index] ?? '');
  }
  return args;
}
