/**
 * Portico's application for the framework workloads, built once for both ways it is
 * served: in-process by `portico.ts` (the engine's ceiling) and as a module under
 * `portico serve` by `portico-module.ts` (what users run). Nothing is benchmark-specific:
 * settings, middleware, URL resolver and a function view returning a `JsonResponse`, as a
 * project would write them.
 */
import {
  type GetResponse,
  getTsgiApplication,
  type HttpRequest,
  JsonResponse,
  type MiddlewareFactory,
  path,
  type URLEntry,
} from '../../../src/web/index.ts';
import type { Application } from '../../../src/tsgi/types.ts';
import { HELLO, MIDDLEWARES, ROUTES, type WebWorkload } from './spec.ts';

const hello = () => new JsonResponse(HELLO);

/** A middleware that does nothing but pass the request on (W3 stacks five). */
const noop: MiddlewareFactory = (getResponse: GetResponse) => (request: HttpRequest) => getResponse(request);

/** The TSGI application of `workload`. */
export function webApplication(workload: WebWorkload): Application {
  let urlpatterns: URLEntry[];
  if (workload === 'W2') {
    urlpatterns = Array.from({ length: ROUTES }, (_, i) =>
      path(`api/r${i}/<int:id>/`, (_request, { id }) => new JsonResponse({ id }), { name: `r${i}` }),
    );
  } else {
    urlpatterns = [path('', hello, { name: 'hello' })];
  }
  return getTsgiApplication({
    rootUrlconf: urlpatterns,
    allowedHosts: ['127.0.0.1'],
    middleware: workload === 'W3' ? Array.from({ length: MIDDLEWARES }, () => noop) : [],
  });
}
