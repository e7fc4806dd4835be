/**
 * `workers`: what a second worker buys. `portico serve` over HTTP with 2 workers against 1,
 * and Fastify under node:cluster with the same worker counts; `GET /` →
 * `200 {"hello":"world"}`.
 *
 * A worker uses one CPU. Servers with one worker get CPU 1 to themselves (as in `hello`);
 * with two they get CPUs 1 and 2 where the machine has them, else CPUs 0 and 1 — shared with
 * the load generator, which then caps what the second worker can show (the description says
 * which). A one-worker server given the load generator's CPU as well was moved onto it by
 * the scheduler now and then, and its latency at a paced load measured that, not the server.
 */
import os from 'node:os';
import type { Workload } from './types.ts';

const cpus = os.availableParallelism() >= 3 ? '1,2' : '0,1';
const one = '1';
const script = 'bench/servers/portico-serve.ts';

export const workers: Workload = {
  name: 'workers',
  description:
    `portico serve --http, 2 workers vs 1: GET / -> 200 {"hello":"world"}; 1 worker on CPU ${one}, 2 on CPUs ${cpus}` +
    (cpus === '0,1' ? ' (shared with the load generator: only 2 CPUs)' : ''),
  baseline: 'portico-1w',
  servers: [
    { name: 'portico-1w', script, args: ['1'], cpus: one },
    { name: 'portico-2w', script, args: ['2'], cpus },
    // Fastify as its users run several processes: node:cluster, round-robin.
    { name: 'fastify-1w', script: 'bench/servers/fastify-cluster.ts', args: ['1'], cpus: one },
    { name: 'fastify-2w', script: 'bench/servers/fastify-cluster.ts', args: ['2'], cpus },
  ],
  // The p99 where servers are run, below saturation: at 50% and 90% of each one's peak.
  loadLevels: [0.5, 0.9],
  requests: [
    {
      method: 'GET',
      path: '/',
      expect: { status: 200, contentType: 'application/json', body: '{"hello":"world"}' },
    },
  ],
};
