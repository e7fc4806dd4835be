/**
 * Serializers declared with a Standard Schema (`@standard-schema/spec` v1: Zod 4, Valibot 1,
 * ArkType 2, …): the schema converts and validates, its issues become DRF's error tree
 * (`{"field": [ErrorDetail]}`, nested by path, `non_field_errors` for the root), each
 * message with the library's issue code (`code`, else `type`, else `invalid`).
 *
 * @module
 */
import { ErrorDetail, type ErrorTree } from '../exceptions.ts';
import { caught, FAIL, type Run } from './field.ts';
import { finishObject, type Host, hookName, type ObjectValidator, type Plan } from './plan.ts';

/** The Standard Schema v1 interface (the spec asks libraries and users to copy it). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** A Standard Schema's result. */
export type StandardResult<Output> =
  { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardIssue> };

/** One problem a Standard Schema found. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The output type of a Standard Schema. */
export type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** Whether a value is a Standard Schema. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Partial<StandardSchemaV1>)['~standard']?.validate === 'function'
  );
}

/** Standard Schema issues as DRF's error tree. */
export function issuesToTree(issues: ReadonlyArray<StandardIssue>): ErrorTree {
  const root: Record<string, ErrorTree> = {};
  for (const issue of issues) {
    const raw = issue as StandardIssue & { code?: unknown; type?: unknown };
    const code =
      typeof raw.code === 'string' ? raw.code : typeof raw.type === 'string' ? raw.type : 'invalid';
    const detail = new ErrorDetail(issue.message, code);
    const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p));
    if (path.length === 0) path.push('non_field_errors');
    let at = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string;
      let next = at[key];
      if (next === undefined || Array.isArray(next)) {
        // A message on an object and on one of its keys: the key's wins the slot, as in DRF.
        next = {};
        at[key] = next;
      }
      at = next as Record<string, ErrorTree>;
    }
    const last = path[path.length - 1] as string;
    const list = at[last];
    if (Array.isArray(list)) (list as ErrorTree[]).push(detail);
    else if (list === undefined) at[last] = [detail];
  }
  return root;
}

/** The compiled form of a serializer declared with a Standard Schema. */
export class SchemaPlan implements Plan {
  readonly schema: StandardSchemaV1;
  readonly hooks: ReadonlyArray<readonly [key: string, hook: string]>;
  readonly validators: readonly ObjectValidator[];
  /** The keys `data` shows: the schema's shape when it has one (Zod), else the object's own. */
  readonly keys: readonly string[] | null;

  constructor(schema: StandardSchemaV1, proto: object, stop: object, validators: readonly ObjectValidator[]) {
    this.schema = schema;
    this.validators = validators;
    const shape = (schema as { shape?: unknown }).shape ?? (schema as { entries?: unknown }).entries;
    this.keys = typeof shape === 'object' && shape !== null ? Object.keys(shape) : null;
    // `validate<Key>` methods of the class and its parents, down to the base serializer.
    const hooks: Array<readonly [string, string]> = [];
    for (
      let p: object | null = proto;
      p !== null && p !== stop;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      for (const name of Object.getOwnPropertyNames(p)) {
        if (!/^validate[A-Z]/.test(name) || hooks.some(([, h]) => h === name)) continue;
        if (typeof (p as Record<string, unknown>)[name] !== 'function') continue;
        const key = name[8]!.toLowerCase() + name.slice(9);
        if (hookName(key) === name) hooks.push([key, name]);
      }
    }
    this.hooks = hooks;
  }

  validate(data: unknown, run: Run, host: Host): unknown {
    const result = this.schema['~standard'].validate(data);
    return result instanceof Promise
      ? result.then((r) => this.#after(r, run, host))
      : this.#after(result, run, host);
  }

  #after(result: StandardResult<unknown>, run: Run, host: Host): unknown {
    if (result.issues !== undefined) {
      run.error = issuesToTree(result.issues);
      return FAIL;
    }
    const attrs = result.value as Record<string, unknown>;
    if (this.hooks.length === 0) return finishObject(attrs, this.validators, run, host);
    return this.#hooks(attrs, run, host, null, 0);
  }

  #hooks(
    attrs: Record<string, unknown>,
    run: Run,
    host: Host,
    errors: Record<string, ErrorTree> | null,
    i: number,
  ): unknown {
    for (; i < this.hooks.length; i++) {
      const [key, hook] = this.hooks[i]!;
      if (!Object.hasOwn(attrs, key)) continue;
      let value: unknown;
      try {
        value = (host as unknown as Record<string, (v: unknown) => unknown>)[hook]!(attrs[key]);
      } catch (error) {
        (errors ??= {})[key] = caught(error);
        continue;
      }
      if (value instanceof Promise) {
        const at = i;
        return value.then(
          (v) => {
            attrs[key] = v;
            return this.#hooks(attrs, run, host, errors, at + 1);
          },
          (error: unknown) => {
            const errs = errors ?? {};
            errs[key] = caught(error);
            return this.#hooks(attrs, run, host, errs, at + 1);
          },
        );
      }
      attrs[key] = value;
    }
    if (errors !== null) {
      run.error = errors;
      return FAIL;
    }
    return finishObject(attrs, this.validators, run, host);
  }

  represent(instance: unknown): Record<string, unknown> {
    const obj = instance as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const keys = this.keys ?? Object.keys(obj);
    for (const key of keys) {
      const value = obj[key];
      if (typeof value === 'function') continue;
      out[key] = value instanceof Date ? value.toISOString() : (value ?? null);
    }
    return out;
  }
}

/** Standard JSON Schema (`@standard-schema/spec` 1.1): what Zod 4.2+ and ArkType add to `~standard`. */
interface StandardJsonSchemaProps {
  readonly jsonSchema?: {
    readonly output?: (options: { readonly target: string }) => Record<string, unknown>;
  };
}

const ANY_OBJECT: Readonly<Record<string, unknown>> = Object.freeze({ type: 'object' });

/**
 * The JSON Schema (draft 2020-12) of a Standard Schema's output: through Standard JSON Schema
 * when the library provides it, else its own `toJsonSchema()` (ArkType), else any object. A
 * schema the library cannot express (a transform, a custom check) falls back the same way.
 */
export function standardJsonSchema(schema: StandardSchemaV1 | undefined): Record<string, unknown> {
  if (schema === undefined) return { ...ANY_OBJECT };
  const props = schema['~standard'] as StandardSchemaV1['~standard'] & StandardJsonSchemaProps;
  const own = (schema as { toJsonSchema?: () => Record<string, unknown> }).toJsonSchema;
  try {
    const out =
      props.jsonSchema?.output?.({ target: 'draft-2020-12' }) ??
      (typeof own === 'function' ? own.call(schema) : undefined);
    if (out === undefined || out === null || typeof out !== 'object') return { ...ANY_OBJECT };
    const { $schema: _dialect, ...rest } = out;
    return rest;
  } catch {
    return { ...ANY_OBJECT };
  }
}
