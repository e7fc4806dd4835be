/**
 * What the framework workloads (W1, W2, W3) ask of every framework, in one place so the
 * five servers build the same application: which workload `argv[3]` names, how many
 * routes W2 has, how many no-op middlewares W3 stacks.
 */

/** The framework workloads. */
export type WebWorkload = 'W1' | 'W2' | 'W3';

/** W2: routes `/api/r0/<int:id>/` … `/api/r{ROUTES-1}/<int:id>/`; the last is requested. */
export const ROUTES = 100;

/** W3: no-op middlewares in front of the W1 view. */
export const MIDDLEWARES = 5;

/** The JSON every W1 and W3 response carries. */
export const HELLO = { hello: 'world' } as const;

/** True when `name` is a framework workload. */
export function isWebWorkload(name: string | undefined): name is WebWorkload {
  return name === 'W1' || name === 'W2' || name === 'W3';
}

/** The workload from `argv[3]`. */
export function workloadFromArgs(): WebWorkload {
  const name = process.argv[3];
  if (isWebWorkload(name)) return name;
  throw new Error(`give the workload as the second argument: W1, W2 or W3 (got ${JSON.stringify(name)})`);
}
