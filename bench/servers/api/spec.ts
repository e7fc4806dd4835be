/**
 * The `api` and `api-db` workloads' contract, shared by every competitor: the 10-field JSON
 * body (the object of `bench/serializers.ts`), its rules, and the answer (201, the created
 * object as JSON). Portico's field serializer for those rules lives here too, for the
 * in-process bench (`bench/api-view.ts`) and the Portico server.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
export const apiFields = () => ({
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
});

/** The 10-field serializer of the `api` workload. */
export class ApiBenchSerializer extends Serializer.of(apiFields()) {}

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

/** The two workloads: `api` (no database) and `api-db` (an insert on SQLite). */
export type ApiWorkload = 'api' | 'api-db';

/** The workload named by `argv[3]` or `$BENCH_API_WORKLOAD`. */
export function apiWorkloadFrom(value: string | undefined): ApiWorkload {
  if (value === 'api' || value === 'api-db') return value;
  throw new Error(`the workload must be api or api-db, got ${JSON.stringify(value)}`);
}

/**
 * `api-db`'s body schema: the database numbers the row, so the client's `id` is not read
 * (every server ignores it, as a read-only field).
 */
export const DB_BODY_SCHEMA = {
  ...BODY_SCHEMA,
  required: BODY_SCHEMA.required.filter((name) => name !== 'id'),
  properties: Object.fromEntries(Object.entries(BODY_SCHEMA.properties).filter(([name]) => name !== 'id')),
};

/** `api-db`'s table, the same for every Node server (Portico's model makes its own). */
export const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS person (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, email TEXT NOT NULL, age INTEGER NOT NULL,
  score REAL NOT NULL, birthday TEXT NOT NULL, active INTEGER NOT NULL, role TEXT NOT NULL,
  tags TEXT NOT NULL, bio TEXT NOT NULL)`;

/**
 * A fresh SQLite file for one server process (on tmpfs when there is one: the stack is
 * measured, not the disk), removed when the process exits. A `portico serve` worker is
 * stopped by a signal and never sees `exit`, so the files of processes that are gone are
 * removed here too, each time a server starts.
 */
export function benchDatabasePath(name: string): string {
  const dir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  for (const entry of readdirSync(dir)) {
    const owner = /^portico-bench-[a-z]+-(\d+)\.sqlite3/.exec(entry)?.[1];
    if (owner !== undefined && !alive(Number(owner))) rmSync(path.join(dir, entry), { force: true });
  }
  const file = path.join(dir, `portico-bench-${name}-${process.pid}.sqlite3`);
  process.once('exit', () => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
  });
  return file;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
