/**
 * Fastify, logger off, written as Fastify's own benchmarks write it: response schemas
 * (fast-json-stringify), W2's id validated and coerced by a params schema, W3's
 * middlewares as `onRequest` hooks (Fastify's place for request-wide code).
 */
import Fastify from 'fastify';
import { announce, HOST, portFromArgs } from '../common.ts';
import { HELLO, MIDDLEWARES, ROUTES, workloadFromArgs } from './spec.ts';

const workload = workloadFromArgs();
const app = Fastify({ logger: false });

const helloSchema = { response: { 200: { type: 'object', properties: { hello: { type: 'string' } } } } };

if (workload === 'W2') {
  const schema = {
    params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
    response: { 200: { type: 'object', properties: { id: { type: 'integer' } } } },
  };
  for (let i = 0; i < ROUTES; i++) {
    app.get<{ Params: { id: number } }>(`/api/r${i}/:id/`, { schema }, (request, reply) => {
      reply.send({ id: request.params.id });
    });
  }
} else {
  if (workload === 'W3') {
    for (let i = 0; i < MIDDLEWARES; i++) app.addHook('onRequest', (_request, _reply, done) => done());
  }
  app.get('/', { schema: helloSchema }, (_request, reply) => {
    reply.send(HELLO);
  });
}

await app.listen({ host: HOST, port: portFromArgs() });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('fastify did not bind a TCP port');
announce(address.port, () => app.close());
