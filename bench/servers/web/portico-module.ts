/**
 * The framework workloads' Portico application as a module `portico serve` loads
 * (`portico serve bench/servers/web/portico-module.ts`): the workload comes from
 * `$BENCH_WEB_WORKLOAD` (W1, W2 or W3), since the app server passes no arguments to it.
 */
import { webApplication } from './portico-app.ts';
import { isWebWorkload } from './spec.ts';

const workload = process.env.BENCH_WEB_WORKLOAD;
if (!isWebWorkload(workload)) {
  throw new Error(`set BENCH_WEB_WORKLOAD to W1, W2 or W3 (got ${JSON.stringify(workload)})`);
}

export const application = webApplication(workload);
