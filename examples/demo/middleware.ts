/**
 * The demo's own middleware (docs/web/middleware.md): `serverTiming`, a function, times
 * the inner layers and says how long in a header browsers show in their network panel.
 * The rest of the demo's middleware is Portico's own: CSRF protection and one-time
 * messages (portico/contrib).
 */
import { type GetResponse, type HttpRequest, type HttpResponseBase, andThen } from '../../src/web/index.ts';

function addTiming(response: HttpResponseBase, started: number): HttpResponseBase {
  response.headers.set('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`);
  return response;
}

export function serverTiming(getResponse: GetResponse) {
  // andThen() keeps a synchronous request synchronous: no promise unless an inner layer made one.
  return (request: HttpRequest) => andThen(getResponse(request), addTiming, performance.now());
}
