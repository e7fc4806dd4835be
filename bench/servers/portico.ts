/**
 * Portico's HTTP server with a minimal TSGI application: a synchronous app with an array
 * body, the path `respond.ts` serves without allocating a promise.
 */
import { serve } from '../../src/server/index.ts';
import type { Application } from '../../src/tsgi/types.ts';
import { announce, HOST, portFromArgs } from './common.ts';

const app: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify({ hello: 'world' })];
};

const server = await serve(app, { host: HOST, port: portFromArgs() });
announce(server.address.port, () => server.close(0));
