/**
 * Portico, the whole framework path: settings, middleware, URL resolver and a function
 * view returning a `JsonResponse`, served by Portico's HTTP server. Nothing is
 * benchmark-specific: this is how a project would write it.
 */
import { serve } from '../../../src/server/index.ts';
import {
  type GetResponse,
  getTsgiApplication,
  type HttpRequest,
  JsonResponse,
  type MiddlewareFactory,
  path,
  type URLEntry,
} from '../../../src/web/index.ts';
import { announce, HOST, portFromArgs } from '../common.ts';
import { HELLO, MIDDLEWARES, ROUTES, workloadFromArgs } from './spec.ts';

const workload = workloadFromArgs();

const hello = () => new JsonResponse(HELLO);

/** A middleware that does nothing but pass the request on (W3 stacks five). */
const noop: MiddlewareFactory = (getResponse: GetResponse) => (request: HttpRequest) => getResponse(request);

let urlpatterns: URLEntry[];
if (workload === 'W2') {
  urlpatterns = Array.from({ length: ROUTES }, (_, i) =>
    path(`api/r${i}/<int:id>/`, (_request, { id }) => new JsonResponse({ id }), { name: `r${i}` }),
  );
} else {
  urlpatterns = [path('', hello, { name: 'hello' })];
}

const application = getTsgiApplication({
  rootUrlconf: urlpatterns,
  allowedHosts: ['127.0.0.1'],
  middleware: workload === 'W3' ? Array.from({ length: MIDDLEWARES }, () => noop) : [],
});

// `portico-node` runs the same application on node:http, as `--http-engine node` would.
const engine = process.env.PORTICO_HTTP_ENGINE === 'node' ? 'node' : 'portico';
const server = await serve(application, { host: HOST, port: portFromArgs(), engine });
announce(server.address.port, () => server.close(0));
