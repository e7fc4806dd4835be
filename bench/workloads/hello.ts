/**
 * `hello`: the smallest possible request, `GET /` → `200 {"hello":"world"}`. It measures
 * the fixed cost per request of each server: parsing, dispatch and writing a response.
 */
import type { Workload } from './types.ts';

export const hello: Workload = {
  name: 'hello',
  description: 'GET / -> 200 {"hello":"world"} (application/json): the fixed cost of one request',
  baseline: 'node',
  servers: [
    { name: 'node', script: 'bench/servers/node-http.ts' },
    { name: 'fastify', script: 'bench/servers/fastify.ts' },
    { name: 'portico', script: 'bench/servers/portico.ts' },
    // The same application as a module under `portico serve` (a master, one worker): what users run.
    { name: 'portico-serve', script: 'bench/servers/portico-serve.ts', args: ['1'] },
  ],
  requests: [
    {
      method: 'GET',
      path: '/',
      expect: { status: 200, contentType: 'application/json', body: '{"hello":"world"}' },
    },
  ],
};
