/**
 * The API workloads (issue 14): `POST /people/` with the 10-field JSON body of
 * `bench/servers/api/spec.ts`, validated and answered `201` with the created object.
 *
 * - `api`: no database, to isolate the API layer (parsing, validation, rendering);
 * - `api-db`: the same with an insert on SQLite (WAL, a fresh file per server on tmpfs).
 *
 * Portico (an `APIView` and a field serializer, under `portico serve` with one worker, and
 * in-process) against Fastify (ajv body schema, response schema), NestJS on its Fastify
 * adapter (class-validator DTO, `ValidationPipe`) and DRF under uWSGI (one worker). Ratios
 * are to Fastify.
 */
import { API_BODY, API_OBJECT } from '../servers/api/spec.ts';
import type { BenchServer, Workload } from './types.ts';

function servers(workload: 'api' | 'api-db'): BenchServer[] {
  return [
    {
      name: 'portico-serve',
      script: 'bench/servers/portico-serve.ts',
      args: ['1', 'bench/servers/api/portico-module.ts'],
      env: { BENCH_API_WORKLOAD: workload },
    },
    { name: 'portico', script: 'bench/servers/api/portico.ts', args: [workload] },
    { name: 'fastify', script: 'bench/servers/api/fastify.ts', args: [workload] },
    { name: 'nest', script: 'bench/servers/api/nest.ts', args: [workload] },
    { name: 'drf-uwsgi', script: 'bench/servers/api/uwsgi-drf.ts', args: [workload] },
  ];
}

const post = {
  method: 'POST',
  path: '/people/',
  headers: { 'Content-Type': 'application/json' },
  body: API_BODY,
};

export const api: Workload = {
  name: 'api',
  description: 'API: POST /people/ 10-field JSON, validated -> 201 the object (no database)',
  baseline: 'fastify',
  servers: servers('api'),
  requests: [
    {
      ...post,
      expect: { status: 201, contentType: 'application/json', body: JSON.stringify(API_OBJECT) },
    },
  ],
};

export const apiDb: Workload = {
  name: 'api-db',
  description: 'API: the same with an insert on SQLite -> 201 the row (id from the database)',
  baseline: 'fastify',
  servers: servers('api-db'),
  // The id grows with every insert: the status and type are checked, not the body.
  requests: [{ ...post, expect: { status: 201, contentType: 'application/json' } }],
};
