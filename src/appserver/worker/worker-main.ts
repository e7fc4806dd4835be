/**
 * The entry point the master forks for each worker (see `worker.ts`).
 *
 * @module
 */
import { runWorker } from './worker.ts';

await runWorker();
