/**
 * The `api` and `api-db` workloads' contract, shared by every competitor: the 10-field JSON
 * body (the object of `bench/serializers.ts`), its rules, and the answer (201, the created
 * object as JSON). Portico's field serializer for those rules lives here too, for the
 * in-process bench (`bench/api-view.ts`) and the Portico server.
 */
import {
  BooleanField,
  CharField,
  ChoiceField,
  DateField,
  EmailField,
  FloatField,
  IntegerField,
  ListField,
  Serializer,
} from '../../../src/api/serializers/index.ts';

export const ROLES = ['admin', 'editor', 'viewer'] as const;

/** The object every client POSTs. */
export const API_OBJECT = {
  id: 42,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  age: 36,
  score: 87.5,
  birthday: '1815-12-10',
  active: true,
  role: 'admin',
  tags: ['math', 'poetry', 'engines'],
  bio: 'Wrote the first published program.',
} as const;

/** The body as sent (compact JSON, as the answer is). */
export const API_BODY = JSON.stringify(API_OBJECT);

/** The rules, as Portico's DRF-style fields (the same rules as the JSON schema of the others). */
export class ApiBenchSerializer extends Serializer.of({
  id: IntegerField({ minValue: 1 }),
  name: CharField({ maxLength: 100 }),
  email: EmailField(),
  age: IntegerField({ minValue: 0, maxValue: 150 }),
  score: FloatField({ minValue: 0, maxValue: 100 }),
  birthday: DateField(),
  active: BooleanField(),
  role: ChoiceField({ choices: ROLES }),
  tags: ListField({ child: CharField({ maxLength: 20 }), maxLength: 10 }),
  bio: CharField({ maxLength: 500, allowBlank: true }),
}) {}

/** The same rules as a JSON schema (Fastify's body schema; ajv compiles it). */
export const BODY_SCHEMA = {
  type: 'object',
  required: ['id', 'name', 'email', 'age', 'score', 'birthday', 'active', 'role', 'tags', 'bio'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string', maxLength: 100 },
    email: { type: 'string', format: 'email' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    score: { type: 'number', minimum: 0, maximum: 100 },
    birthday: { type: 'string', format: 'date' },
    active: { type: 'boolean' },
    role: { type: 'string', enum: [...ROLES] },
    tags: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 20 } },
    bio: { type: 'string', maxLength: 500 },
  },
} as const;

/** The answer's schema (Fastify serializes through it: fast-json-stringify). */
export const RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    email: { type: 'string' },
    age: { type: 'integer' },
    score: { type: 'number' },
    birthday: { type: 'string' },
    active: { type: 'boolean' },
    role: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    bio: { type: 'string' },
  },
} as const;
