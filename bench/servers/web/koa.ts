/**
 * Koa 3 with `@koa/router`: `ctx.body = object` (JSON), W2's id constrained to digits in
 * the route, W3's middlewares as `app.use()` onion layers.
 */
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { announce, HOST, portFromArgs } from '../common.ts';
import { HELLO, MIDDLEWARES, ROUTES, workloadFromArgs } from './spec.ts';

const workload = workloadFromArgs();
const app = new Koa();
const router = new Router();

if (workload === 'W2') {
  for (let i = 0; i < ROUTES; i++) {
    router.get(`/api/r${i}/:id/`, (ctx, next) => {
      const id = ctx.params.id as string;
      if (!/^[0-9]+$/.test(id)) return next();
      ctx.body = { id: Number(id) };
    });
  }
} else {
  if (workload === 'W3') {
    for (let i = 0; i < MIDDLEWARES; i++) app.use((_ctx, next) => next());
  }
  router.get('/', (ctx) => {
    ctx.body = HELLO;
  });
}
app.use(router.routes());

const server = app.listen(portFromArgs(), HOST, () => {
  announce((server.address() as AddressInfo).port, () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
});
