/**
 * Fastify, logger off, written the way Fastify's own benchmarks write it: a route with a
 * response schema, so the object is serialised by fast-json-stringify.
 */
import Fastify from 'fastify';
import { announce, HOST, portFromArgs } from './common.ts';

const app = Fastify({ logger: false });

app.get(
  '/',
  {
    schema: {
      response: {
        200: { type: 'object', properties: { hello: { type: 'string' } } },
      },
    },
  },
  (_request, reply) => {
    reply.send({ hello: 'world' });
  },
);

await app.listen({ host: HOST, port: portFromArgs() });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('fastify did not bind a TCP port');
announce(address.port, () => app.close());
