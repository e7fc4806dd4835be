/**
 * The `api` / `api-db` application as a module `portico serve` loads: the workload comes
 * from `$BENCH_API_WORKLOAD`, since the app server passes no arguments to it.
 */
import { apiApplication } from './portico-app.ts';
import { apiWorkloadFrom } from './spec.ts';

export const application = await apiApplication(apiWorkloadFrom(process.env.BENCH_API_WORKLOAD));
