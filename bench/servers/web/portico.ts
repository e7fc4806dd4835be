/**
 * Portico, the whole framework path: settings, middleware, URL resolver and a function
 * view returning a `JsonResponse` (`portico-app.ts`), served in-process by Portico's HTTP
 * server (`serve()`): the engine's ceiling. `portico-serve` serves the same application
 * under `portico serve`.
 */
import { serve } from '../../../src/server/index.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { webApplication } from './portico-app.ts';
import { workloadFromArgs } from './spec.ts';

const application = webApplication(workloadFromArgs());

// `portico-node` runs the same application on node:http, as `--http-engine node` would.
const engine = process.env.PORTICO_HTTP_ENGINE === 'node' ? 'node' : 'portico';
const server = await serve(application, { host: HOST, port: portFromArgs(), engine });
announce(server.address.port, () => server.close(0));
