/**
 * Hono on `@hono/node-server`: `c.json()`, W2's id constrained to digits in the route,
 * W3's middlewares as `app.use()` onion layers.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { announce, HOST, portFromArgs } from '../common.ts';
import { HELLO, MIDDLEWARES, ROUTES, workloadFromArgs } from './spec.ts';

const workload = workloadFromArgs();
const app = new Hono();

if (workload === 'W2') {
  for (let i = 0; i < ROUTES; i++) {
    app.get(`/api/r${i}/:id{[0-9]+}/`, (c) => c.json({ id: Number(c.req.param('id')) }));
  }
} else {
  if (workload === 'W3') {
    for (let i = 0; i < MIDDLEWARES; i++) app.use((_c, next) => next());
  }
  app.get('/', (c) => c.json(HELLO));
}

const server = serve({ fetch: app.fetch, hostname: HOST, port: portFromArgs() }, (info) => {
  announce(info.port, () => new Promise((resolve) => server.close(resolve)));
});
