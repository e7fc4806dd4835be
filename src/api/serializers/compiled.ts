/**
 * A fields serializer's validation and representation compiled into one function each, once
 * per class: straight-line code reading each key, with each field's inline check
 * (`Field.inlineCheck`) written in place, so a valid object is validated without a call per
 * field and without a closure, array or object beyond the validated data itself. A value the
 * check does not accept takes the field's whole path (its `validateInput`); a failure, a
 * missing optional field or an asynchronous answer hands over to the plan's general loop
 * from that field on, which makes the same messages as before.
 *
 * Where code generation is refused (a Content Security Policy) the plan keeps its loop.
 *
 * @module
 */
import { Field, FAIL, generate, inlineCheckOf, refsInto, type Run, SKIP } from './field.ts';

/** A field of a plan, as the compiler needs it (see plan.ts's `Entry`). */
export interface CompiledEntry {
  readonly name: string;
  readonly source: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any field, whatever its types.
  readonly field: Field<any, any, any>;
  readonly path: readonly string[] | null;
  readonly hook: string | null;
  readonly method: unknown;
  readonly guarded: boolean;
  readonly check: (data: unknown, run: Run, site: CompiledEntry) => unknown;
}

/** What the generated validation calls back into. */
export interface CompileHost {
  /** The fields from index `i + 1` on, after entry `i` answered `value` (FAIL, SKIP, a promise…). */
  resume(data: object, run: Run, host: unknown, out: object, i: number, value: unknown): unknown;
  /** Entry `i`'s `validate<Field>` hook on `value`: its value, FAIL, or a promise. */
  hook(i: number, value: unknown, run: Run, host: unknown): unknown;
  /** The object-level steps (class validators, `validate(attrs)`). */
  finish(out: Record<string, unknown>, run: Run, host: unknown): unknown;
}

/** The compiled validation: the attributes, FAIL or a promise (as `Plan.validate`). */
export type CompiledValidate = (data: Record<string, unknown>, run: Run, host: unknown) => unknown;
/** The compiled representation of an object. */
export type CompiledRepresent = (instance: Record<string, unknown>, host: unknown) => Record<string, unknown>;

const key = (name: string) => JSON.stringify(name);

/** The validation of `entries` (the writable fields, in order), or null without code generation. */
export function compileValidate(
  entries: readonly CompiledEntry[],
  plan: CompileHost,
): CompiledValidate | null {
  const refs = new Map<string, unknown>();
  const ref = refsInto(refs);
  const [fail, skip, p] = [ref(FAIL), ref(SKIP), ref(plan)];
  const lines: string[] = [];
  entries.forEach((e, i) => {
    const [entry, check] = [ref(e), ref(e.check)];
    const read = e.guarded
      ? `v = ${ref(Object.hasOwn)}(data, ${key(e.name)}) ? data[${key(e.name)}] : undefined;`
      : `v = data[${key(e.name)}];`;
    const inline = inlineCheckOf(e.field, 'v', ref);
    const slow = `v = ${check}(v, run, ${entry});`;
    lines.push(read, inline === null ? slow : `if (${inline.test}) v = ${inline.value ?? 'v'}; else ${slow}`);
    if (e.hook !== null) lines.push(`if (v !== ${fail} && v !== ${skip}) v = ${p}.hook(${i}, v, run, host);`);
    const write = e.path === null ? `out[${key(e.source)}] = v;` : `${ref(setPath)}(out, ${ref(e.path)}, v);`;
    lines.push(
      `if (v === ${fail} || v === ${skip} || v instanceof Promise) return ${p}.resume(data, run, host, out, ${i}, v);`,
      write,
    );
  });
  return generate<CompiledValidate>(
    refs,
    `return function validate(data, run, host) {
      const out = {};
      let v;
      ${lines.join('\n')}
      return ${p}.finish(out, run, host);
    };`,
  );
}

/** The representation of `entries` (the readable fields), or null (methods or paths: the loop). */
export function compileRepresent(entries: readonly CompiledEntry[]): CompiledRepresent | null {
  if (entries.some((e) => e.method !== null || e.path !== null)) return null;
  const refs = new Map<string, unknown>();
  const ref = refsInto(refs);
  const lines = entries.map((e) => {
    const f = e.field;
    const read =
      f.getAttribute === Field.prototype.getAttribute
        ? `a = obj[${key(e.source)}];`
        : `a = ${ref(f)}.getAttribute(obj, ${key(e.source)});`;
    const shown =
      f.toRepresentation === Field.prototype.toRepresentation ? 'a' : `${ref(f)}.toRepresentation(a)`;
    return `${read}\nout[${key(e.name)}] = a === null || a === undefined ? null : ${shown};`;
  });
  return generate<CompiledRepresent>(
    refs,
    `return function represent(obj, host) {
      const out = {};
      let a;
      ${lines.join('\n')}
      return out;
    };`,
  );
}

/** Writes `value` at a dotted source (`'author.name'`), making the objects on the way. */
export function setPath(out: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = out;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    at = (at[k] ??= {}) as Record<string, unknown>;
  }
  at[path[path.length - 1] as string] = value;
}
