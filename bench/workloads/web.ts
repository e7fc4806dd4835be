/**
 * The framework workloads: the same small application written idiomatically in Portico
 * (settings, middleware, URL resolver, view, on Portico's HTTP server), Fastify, Hono
 * (`@hono/node-server`), Express and Koa, Portico again as a module under `portico serve`
 * with one worker (`portico-serve`: what users run) and on `node:http` (`portico-node`).
 * Ratios are to Fastify, the one to beat.
 *
 * - W1: `GET /` → `{"hello":"world"}`: the fixed cost of the framework's whole path.
 * - W2: 100 routes `/api/r0/<int:id>/` … `/api/r99/<int:id>/`, requesting the last: routing
 *   with a typed parameter, where a linear router pays for the 99 it tries first.
 * - W3: W1 behind 5 no-op middlewares: what a middleware layer costs.
 */
import type { BenchServer, Workload } from './types.ts';

function servers(workload: string): BenchServer[] {
  const frameworks: BenchServer[] = ['portico', 'fastify', 'hono', 'express', 'koa'].map((name) => ({
    name,
    script: `bench/servers/web/${name}.ts`,
    args: [workload],
  }));
  // The same Portico application as a module under `portico serve` (a master, one worker):
  // what users run.
  frameworks.splice(1, 0, {
    name: 'portico-serve',
    script: 'bench/servers/portico-serve.ts',
    args: ['1', 'bench/servers/web/portico-module.ts'],
    env: { BENCH_WEB_WORKLOAD: workload },
  });
  // The same Portico application on node:http (`--http-engine node`): what the engine
  // contributes, next to what the framework does.
  frameworks.push({
    name: 'portico-node',
    script: 'bench/servers/web/portico.ts',
    args: [workload],
    env: { PORTICO_HTTP_ENGINE: 'node' },
  });
  return frameworks;
}

const helloExpect = { status: 200, contentType: 'application/json', body: '{"hello":"world"}' } as const;

export const W1: Workload = {
  name: 'W1',
  description: 'framework: GET / -> 200 {"hello":"world"} through routing and a view',
  baseline: 'fastify',
  servers: servers('W1'),
  requests: [{ method: 'GET', path: '/', expect: helloExpect }],
};

export const W2: Workload = {
  name: 'W2',
  description: 'framework: 100 routes /api/rN/<int:id>/, GET /api/r99/42/ -> 200 {"id":42}',
  baseline: 'fastify',
  servers: servers('W2'),
  requests: [
    {
      method: 'GET',
      path: '/api/r99/42/',
      expect: { status: 200, contentType: 'application/json', body: '{"id":42}' },
    },
  ],
};

export const W3: Workload = {
  name: 'W3',
  description: 'framework: W1 behind 5 no-op middlewares',
  baseline: 'fastify',
  servers: servers('W3'),
  requests: [{ method: 'GET', path: '/', expect: helloExpect }],
};
