/**
 * Portico's `api` / `api-db` application in-process on Portico's HTTP server (the engine's
 * ceiling, beside `portico serve`). `argv[3]`: the workload.
 */
import { serve } from '../../../src/server/index.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { apiApplication } from './portico-app.ts';
import { apiWorkloadFrom } from './spec.ts';

const application = await apiApplication(apiWorkloadFrom(process.argv[3]));
const server = await serve(application, { host: HOST, port: portFromArgs() });
announce(server.address.port, () => server.close(0));
