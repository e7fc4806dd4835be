/**
 * Express 5: `res.json()`, W2's id checked for digits in the handler (path-to-regexp 8
 * has no inline patterns), W3's middlewares as `app.use()` functions.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { announce, HOST, portFromArgs } from '../common.ts';
import { HELLO, MIDDLEWARES, ROUTES, workloadFromArgs } from './spec.ts';

const workload = workloadFromArgs();
const app = express();
app.disable('x-powered-by');
app.disable('etag');

const DIGITS = /^[0-9]+$/;

if (workload === 'W2') {
  for (let i = 0; i < ROUTES; i++) {
    app.get(`/api/r${i}/:id/`, (req, res, next) => {
      const id = req.params.id;
      if (!DIGITS.test(id)) return next();
      res.json({ id: Number(id) });
    });
  }
} else {
  if (workload === 'W3') {
    for (let i = 0; i < MIDDLEWARES; i++) app.use((_req, _res, next) => next());
  }
  app.get('/', (_req, res) => {
    res.json(HELLO);
  });
}

const server = app.listen(portFromArgs(), HOST, () => {
  announce((server.address() as AddressInfo).port, () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
});
