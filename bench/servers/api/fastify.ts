/**
 * Fastify for the `api` / `api-db` workloads, as its documentation has it: a JSON schema
 * for the body (ajv validates it, with the formats of `ajv-formats` Fastify ships) and one
 * for the answer (fast-json-stringify writes it); `api-db` inserts with a prepared
 * `node:sqlite` statement (Fastify has no ORM of its own). `argv[3]`: the workload.
 */
import { DatabaseSync } from 'node:sqlite';
import Fastify from 'fastify';
import { announce, HOST, portFromArgs } from '../common.ts';
import {
  apiWorkloadFrom,
  benchDatabasePath,
  BODY_SCHEMA,
  CREATE_TABLE,
  DB_BODY_SCHEMA,
  RESPONSE_SCHEMA,
} from './spec.ts';

interface Person {
  name: string;
  email: string;
  age: number;
  score: number;
  birthday: string;
  active: boolean;
  role: string;
  tags: string[];
  bio: string;
}

const workload = apiWorkloadFrom(process.argv[3]);
const app = Fastify({ logger: false });

if (workload === 'api') {
  const schema = { body: BODY_SCHEMA, response: { 201: RESPONSE_SCHEMA } };
  app.post('/people/', { schema }, (request, reply) => {
    reply.code(201).send(request.body);
  });
} else {
  const db = new DatabaseSync(benchDatabasePath('fastify'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(CREATE_TABLE);
  const insert = db.prepare(
    'INSERT INTO person (name, email, age, score, birthday, active, role, tags, bio) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
  );
  const schema = { body: DB_BODY_SCHEMA, response: { 201: RESPONSE_SCHEMA } };
  app.post<{ Body: Person }>('/people/', { schema }, (request, reply) => {
    const p = request.body;
    const row = insert.get(
      p.name,
      p.email,
      p.age,
      p.score,
      p.birthday,
      p.active ? 1 : 0,
      p.role,
      JSON.stringify(p.tags),
      p.bio,
    ) as { id: number };
    reply.code(201).send({ id: row.id, ...p });
  });
}

await app.listen({ host: HOST, port: portFromArgs() });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('fastify did not bind a TCP port');
announce(address.port, () => app.close());
