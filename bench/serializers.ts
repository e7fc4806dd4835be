/**
 * Validation throughput of one ~10-field object (an email, a date, numeric bounds, a
 * string array), valid and invalid, for Portico's field serializer, Portico's serializer
 * over a Zod schema, raw Zod 4, raw Valibot and a compiled ajv validator — in one process,
 * interleaved rounds, medians. A script run by hand; it is not a timed test.
 *
 * Each competitor checks the same rules and is checked first: it must accept the valid
 * object and reject the invalid one (a competitor that does less would win unfairly).
 *
 * Usage: node bench/serializers.ts [--iterations N] [--rounds R] [--json]
 */
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { Ajv } from 'ajv';
import * as v from 'valibot';
import { z } from 'zod';
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
} from '../src/api/serializers/index.ts';

export const VALID = {
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
};
/** Two rules broken: the email's format and the age's upper bound. */
export const INVALID = { ...VALID, email: 'not-an-email', age: 200 };

const ROLES = ['admin', 'editor', 'viewer'] as const;

class PorticoFields extends Serializer.of({
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

const zodSchema = z.object({
  id: z.number().int().min(1),
  name: z.string().max(100),
  email: z.email(),
  age: z.number().int().min(0).max(150),
  score: z.number().min(0).max(100),
  birthday: z.iso.date(),
  active: z.boolean(),
  role: z.enum(ROLES),
  tags: z.array(z.string().max(20)).max(10),
  bio: z.string().max(500),
});

class PorticoZod extends Serializer.of(zodSchema) {}

const valibotSchema = v.object({
  id: v.pipe(v.number(), v.integer(), v.minValue(1)),
  name: v.pipe(v.string(), v.maxLength(100)),
  email: v.pipe(v.string(), v.email()),
  age: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(150)),
  score: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  birthday: v.pipe(v.string(), v.isoDate()),
  active: v.boolean(),
  role: v.picklist(ROLES),
  tags: v.pipe(v.array(v.pipe(v.string(), v.maxLength(20))), v.maxLength(10)),
  bio: v.pipe(v.string(), v.maxLength(500)),
});

const ajvValidate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['id', 'name', 'email', 'age', 'score', 'birthday', 'active', 'role', 'tags', 'bio'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string', maxLength: 100 },
    // ajv-formats' "email" and "date" are regular expressions too; these are the same kind of check.
    email: { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    score: { type: 'number', minimum: 0, maximum: 100 },
    birthday: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    active: { type: 'boolean' },
    role: { enum: [...ROLES] },
    tags: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 20 } },
    bio: { type: 'string', maxLength: 500 },
  },
});

/** One validation: resolves to whether the value was valid. */
type Check = (value: unknown) => boolean | Promise<boolean>;

/** The competitors, as their users call them. */
export const COMPETITORS: ReadonlyArray<{ name: string; check: Check }> = [
  {
    name: 'portico fields',
    check: (data) => new PorticoFields({ data }).isValid(),
  },
  { name: 'portico isValidSync', check: (data) => new PorticoFields({ data }).isValidSync() },
  {
    name: 'portico zod',
    check: (data) => new PorticoZod({ data }).isValid(),
  },
  { name: 'zod 4', check: (data) => zodSchema.safeParse(data).success },
  { name: 'valibot', check: (data) => v.safeParse(valibotSchema, data).success },
  { name: 'ajv (compiled)', check: (data) => ajvValidate(data) },
];

/**
 * Validations per second of CPU time of `check` on `value` over `iterations` calls. CPU
 * time, not wall time: on a machine shared with other work, wall time measures the
 * neighbours (bench/README.md); the process's own CPU time changes far less.
 */
async function measure(check: Check, value: unknown, iterations: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const r = check(value);
    // Await only a real promise: a sync validator pays no microtask it would not pay in use.
    if (typeof r !== 'boolean') await r;
  }
  const used = process.cpuUsage(start);
  return iterations / ((used.user + used.system) / 1e6);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A row of the results. */
export interface BenchRow {
  readonly name: string;
  readonly valid: number;
  readonly invalid: number;
}

/** Checks every competitor's answers, then measures them in interleaved rounds. */
export async function run(iterations: number, rounds: number): Promise<BenchRow[]> {
  for (const c of COMPETITORS) {
    assert.equal(await c.check(VALID), true, `${c.name} rejects the valid object`);
    assert.equal(await c.check(INVALID), false, `${c.name} accepts the invalid object`);
  }
  const valid = new Map<string, number[]>();
  const invalid = new Map<string, number[]>();
  // Warm-up: let the JIT settle on every competitor before anything is counted.
  for (const c of COMPETITORS) {
    await measure(c.check, VALID, Math.max(1, iterations >> 2));
    await measure(c.check, INVALID, Math.max(1, iterations >> 2));
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of COMPETITORS) {
      (valid.get(c.name) ?? valid.set(c.name, []).get(c.name)!).push(
        await measure(c.check, VALID, iterations),
      );
      (invalid.get(c.name) ?? invalid.set(c.name, []).get(c.name)!).push(
        await measure(c.check, INVALID, iterations),
      );
    }
  }
  return COMPETITORS.map((c) => ({
    name: c.name,
    valid: median(valid.get(c.name)!),
    invalid: median(invalid.get(c.name)!),
  }));
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`;
}

/** The table, with ratios to Portico's field serializer. */
export function table(rows: readonly BenchRow[]): string {
  const base = rows[0] as BenchRow;
  const lines = [
    '| validator           | valid/s | ratio | invalid/s | ratio |',
    '| ------------------- | ------: | ----: | --------: | ----: |',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.name.padEnd(19)} | ${fmt(row.valid).padStart(7)} | ${(row.valid / base.valid).toFixed(2).padStart(5)} | ${fmt(row.invalid).padStart(9)} | ${(row.invalid / base.invalid).toFixed(2).padStart(5)} |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '200000' },
      rounds: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  const iterations = Number(values.iterations);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new Error('--iterations must be a positive integer');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  const rows = await run(iterations, rounds);
  if (values.json) for (const row of rows) console.log(JSON.stringify(row));
  else {
    console.log(
      `${iterations} validations per round, ${rounds} rounds, medians of validations per CPU-second; Node ${process.version}`,
    );
    console.log(table(rows));
  }
}
