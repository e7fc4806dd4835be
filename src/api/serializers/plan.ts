/**
 * What a serializer class compiles once, on first use: its writable and readable fields
 * in order, the `validate<Field>` hooks its prototype defines, its class-level
 * validators. Validation is written synchronously and only becomes a promise where a
 * validator or hook returns one, so a serializer without async validators validates with
 * no promise at all.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import { ErrorDetail, type ErrorTree } from '../exceptions.ts';
import type { AnyField } from './composite.ts';
import { MethodFieldType } from './composite.ts';
import {
  compileRepresent,
  type CompiledRepresent,
  type CompiledValidate,
  compileValidate,
  type CompileHost,
  setPath,
} from './compiled.ts';
import { caught, collectValidation, FAIL, Field, pythonType, type Run, SKIP, type Site } from './field.ts';

const baseValidateInput = Field.prototype.validateInput;

/** A class-level validator (DRF's `Meta.validators`): gets the attributes; may be async. */
export type ObjectValidator = (
  attrs: Record<string, unknown>,
  run: Run,
) => string | ErrorDetail | undefined | void | Promise<string | ErrorDetail | undefined | void>;

/** What plans need of the object their hooks are called on (a serializer). */
export interface Host {
  validate(attrs: never): unknown;
}

/** A compiled serializer. */
export interface Plan {
  /** Converts and validates input: the attributes, FAIL (`run.error` holds the tree) or a promise. */
  validate(data: unknown, run: Run, host: Host): unknown;
  /** An object (an instance or validated data) as `data` shows it. */
  represent(instance: unknown, host: Host): Record<string, unknown>;
}

const NON_FIELD = 'non_field_errors';
const INVALID = 'Invalid data. Expected a dictionary, but got {datatype}.';

/** The detail of a failure outside the fields: a dict stays, anything else goes under `non_field_errors`. */
export function asSerializerError(tree: ErrorTree): ErrorTree {
  if (tree instanceof ErrorDetail) return { [NON_FIELD]: [tree] };
  if (Array.isArray(tree)) return { [NON_FIELD]: tree };
  return tree;
}

/** `{non_field_errors: ["Invalid data. Expected a dictionary, but got str."]}` unless `data` is an object. */
export function notAnObject(data: unknown, run: Run): boolean {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return false;
  const message = INVALID.replace('{datatype}', pythonType(data));
  run.error = { [NON_FIELD]: [new ErrorDetail(message, 'invalid')] };
  return true;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

let baseValidate: unknown = null;
/** Tells plans which `validate(attrs)` is the base one (returns the attributes unchanged). */
export function setBaseValidate(fn: unknown): void {
  baseValidate = fn;
}

/** `validateTitle` for `title`, `validateFirstName` for `firstName`. */
export function hookName(name: string): string {
  return `validate${name[0]!.toUpperCase()}${name.slice(1)}`;
}

/**
 * The steps after the fields, in DRF's order: class validators, then `validate(attrs)`;
 * a failure of either is the serializer's (`non_field_errors` unless it names fields).
 */
export function finishObject(
  attrs: Record<string, unknown>,
  validators: readonly ObjectValidator[],
  run: Run,
  host: Host,
): unknown {
  // The common case, no class validators and no `validate` of its own: nothing to call.
  if (validators.length === 0 && host.validate === baseValidate) return attrs;
  const failed = (error: unknown) => {
    run.error = asSerializerError(caught(error));
    return FAIL;
  };
  const callValidate = (): unknown => {
    try {
      const result = host.validate(attrs as never);
      return isPromise(result) ? result.catch(failed) : result;
    } catch (error) {
      return failed(error);
    }
  };
  if (validators.length === 0) return callValidate();
  const next = (errors: ErrorTree[] | null): unknown => {
    if (errors === null) return callValidate();
    // A validator that raised a dict (UniqueTogetherValidator's "required") keeps its keys.
    const dict = errors.find((e) => !(e instanceof ErrorDetail) && !Array.isArray(e));
    run.error = dict ?? { [NON_FIELD]: errors };
    return FAIL;
  };
  const outcome = collectValidation(validators, attrs, run);
  return isPromise(outcome) ? outcome.then(next) : next(outcome);
}

/** A field of a fields plan. */
interface Entry extends Site {
  readonly field: AnyField;
  /** The source split on dots, when it reads through objects. */
  readonly path: readonly string[] | null;
  /** The name of the `validate<Field>` hook, when the serializer defines it. */
  readonly hook: string | null;
  /** A computed field: the function, or the serializer's `get<Name>` method's name. */
  readonly method: ((instance: unknown, serializer: unknown) => unknown) | string | null;
  /** A key that also names something on Object.prototype: read it only if own. */
  readonly guarded: boolean;
  /** Reads the field's key from input (a function of its own, so its property access stays monomorphic). */
  readonly read: (data: Record<string, unknown>) => unknown;
  /** Writes the validated value under its source. */
  readonly write: (out: Record<string, unknown>, value: unknown) => void;
  /** The field's `validateInput`, as a function of this entry's own (see {@link specialise}). */
  readonly check: (data: unknown, run: Run, site: Site) => unknown;
}

const CHECK_SOURCE = `return function check(data, run, site) {
  if (data === undefined) {
    if (run.partial) return SKIP;
    if (field.required) return field.fail(run, 'required');
    return field.hasDefault ? field.getDefault() : SKIP;
  }
  if (data === null) return field.allowNull ? null : field.fail(run, 'null');
  return field.runValidation(data, run, site);
};`;

/**
 * The field's `validateInput` as a function of the entry's own. Shared by every field
 * class, the method's call to `toInternal` sees them all and V8 cannot inline it; a copy
 * per entry sees one class. Falls back to the method where code generation is refused.
 */
function specialise(field: AnyField): Entry['check'] {
  if (Object.getPrototypeOf(field).validateInput !== baseValidateInput)
    return (data, run, site) => field.validateInput(data, run, site);
  try {
    const make = new Function('field', 'FAIL', 'SKIP', CHECK_SOURCE) as (
      field: AnyField,
      fail: typeof FAIL,
      skip: typeof SKIP,
    ) => Entry['check'];
    return make(field, FAIL, SKIP);
  } catch {
    return (data, run, site) => field.validateInput(data, run, site);
  }
}

/**
 * A reader and a writer of one constant key. Each is a function of its own so V8 keeps
 * one inline cache per key (a shared `obj[key]` is megamorphic: ~3× slower over 10 fields);
 * where code generation is not allowed (a CSP), plain closures do the same work.
 */
function accessors(name: string, source: string): Pick<Entry, 'read' | 'write'> {
  try {
    const read = new Function('d', `return d[${JSON.stringify(name)}];`) as Entry['read'];
    const write = new Function('o', 'v', `o[${JSON.stringify(source)}] = v;`) as Entry['write'];
    return { read, write };
  } catch {
    return {
      read: (d) => d[name],
      write: (o, v) => {
        o[source] = v;
      },
    };
  }
}

/** The compiled form of a serializer declared with fields. */
export class FieldsPlan implements Plan, CompileHost {
  /** The fields by name, as declared (the schema generator reads them). */
  readonly fields: Readonly<Record<string, AnyField>>;
  readonly writable: readonly Entry[];
  readonly readable: readonly Entry[];
  readonly validators: readonly ObjectValidator[];
  /** The validation as one generated function (compiled.ts), or null: the loop below. */
  readonly #validate: CompiledValidate | null;
  /** The representation as one generated function, or null: the loop below. */
  readonly #represent: CompiledRepresent | null;

  constructor(
    fields: Readonly<Record<string, AnyField>>,
    proto: object,
    validators: readonly ObjectValidator[],
  ) {
    this.fields = fields;
    const entries: Entry[] = [];
    for (const [name, field] of Object.entries(fields)) {
      const source = field.options.source ?? name;
      // Written as `out[source] = value`, this name would set the prototype, not a key.
      if (name === '__proto__' || source === '__proto__')
        throw new PorticoError('PORTICO_ERR_API_SERIALIZER', 'a serializer field may not be named __proto__');
      const hook = hookName(name);
      let method: Entry['method'] = null;
      if (field instanceof MethodFieldType) {
        method = field.method ?? `get${name[0]!.toUpperCase()}${name.slice(1)}`;
        if (typeof method === 'string' && typeof (proto as Record<string, unknown>)[method] !== 'function')
          throw new PorticoError(
            'PORTICO_ERR_API_SERIALIZER',
            `the serializer declares ${name} as a method field but has no method ${method}()`,
          );
      }
      entries.push({
        name,
        source,
        field,
        path: source.includes('.') ? source.split('.') : null,
        hook: typeof (proto as Record<string, unknown>)[hook] === 'function' ? hook : null,
        method,
        guarded: name in Object.prototype,
        ...accessors(name, source),
        check: specialise(field),
      });
    }
    this.writable = entries.filter((e) => !e.field.readOnly);
    this.readable = entries.filter((e) => !e.field.writeOnly);
    checkHooks(proto, this.writable);
    this.validators = validators;
    this.#validate = compileValidate(this.writable, this);
    this.#represent = compileRepresent(this.readable);
  }

  validate(data: unknown, run: Run, host: Host): unknown {
    if (notAnObject(data, run)) return FAIL;
    if (this.#validate !== null) return this.#validate(data as Record<string, unknown>, run, host);
    const out: Record<string, unknown> = {};
    return this.#fields(data as Record<string, unknown>, run, host, out, null, 0);
  }

  /** See {@link CompileHost.resume}: the compiled validation hands over to the loop here. */
  resume(data: object, run: Run, host: unknown, out: object, i: number, value: unknown): unknown {
    const e = this.writable[i] as Entry;
    const rest = (v: unknown) =>
      this.#fields(
        data as Record<string, unknown>,
        run,
        host as Host,
        out as Record<string, unknown>,
        this.#settle(e, v, run, out as Record<string, unknown>, null),
        i + 1,
      );
    return isPromise(value) ? value.then(rest) : rest(value);
  }

  /** See {@link CompileHost.hook}. */
  hook(i: number, value: unknown, run: Run, host: unknown): unknown {
    return this.#hook(this.writable[i] as Entry, value, run, host as Host);
  }

  /** See {@link CompileHost.finish}. */
  finish(out: Record<string, unknown>, run: Run, host: unknown): unknown {
    return finishObject(out, this.validators, run, host as Host);
  }

  /** The fields from index `i` on; continues in a promise only where one is returned. */
  #fields(
    data: Record<string, unknown>,
    run: Run,
    host: Host,
    out: Record<string, unknown>,
    errors: Record<string, ErrorTree> | null,
    i: number,
  ): unknown {
    const entries = this.writable;
    for (; i < entries.length; i++) {
      const e = entries[i] as Entry;
      let raw = e.read(data);
      if (e.guarded && !Object.hasOwn(data, e.name)) raw = undefined;
      let value = e.check(raw, run, e);
      if (value !== FAIL && value !== SKIP && e.hook !== null) value = this.#hook(e, value, run, host);
      if (isPromise(value)) {
        const at = i;
        return value.then((v) => {
          const errs = this.#settle(e, v, run, out, errors);
          return this.#fields(data, run, host, out, errs, at + 1);
        });
      }
      errors = this.#settle(e, value, run, out, errors);
    }
    if (errors !== null) {
      run.error = errors;
      return FAIL;
    }
    return finishObject(out, this.validators, run, host);
  }

  #settle(
    e: Entry,
    value: unknown,
    run: Run,
    out: Record<string, unknown>,
    errors: Record<string, ErrorTree> | null,
  ): Record<string, ErrorTree> | null {
    if (value === FAIL) {
      (errors ??= {})[e.name] = run.error as ErrorTree;
      return errors;
    }
    if (value === SKIP) return errors;
    if (e.path === null) e.write(out, value);
    else setPath(out, e.path, value);
    return errors;
  }

  #hook(e: Entry, value: unknown, run: Run, host: Host): unknown {
    const failed = (error: unknown) => {
      run.error = caught(error);
      return FAIL;
    };
    try {
      const result = (host as unknown as Record<string, (v: unknown) => unknown>)[e.hook as string]!(value);
      return isPromise(result) ? result.catch(failed) : result;
    } catch (error) {
      return failed(error);
    }
  }

  represent(instance: unknown, host: Host): Record<string, unknown> {
    if (this.#represent !== null) return this.#represent(instance as Record<string, unknown>, host);
    const out: Record<string, unknown> = {};
    const obj = instance as Record<string, unknown>;
    for (const e of this.readable) {
      if (e.method !== null) {
        out[e.name] =
          typeof e.method === 'string'
            ? (host as unknown as Record<string, (i: unknown) => unknown>)[e.method]!(instance)
            : e.method(instance, host);
        continue;
      }
      const attribute = e.path === null ? e.field.getAttribute(obj, e.source) : getPath(obj, e.path);
      out[e.name] =
        attribute === null || attribute === undefined ? null : e.field.toRepresentation(attribute);
    }
    return out;
  }
}

/**
 * A `validate<Name>` method that matches no writable field would never run (a misspelt
 * `validateTitel`, or a hook for a read-only field): said at once, not found in production.
 * Serializer.prototype, which defines `isValid`, ends the search.
 */
function checkHooks(proto: object, writable: readonly Entry[]): void {
  const hooks = new Set(writable.map((e) => hookName(e.name)));
  for (
    let p: object | null = proto;
    p !== null && !Object.hasOwn(p, 'isValid');
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (!/^validate[A-Z]/.test(name) || hooks.has(name)) continue;
      if (typeof (p as Record<string, unknown>)[name] !== 'function') continue;
      const owner = (p as { constructor?: { name?: string } }).constructor?.name || 'the serializer';
      throw new PorticoError(
        'PORTICO_ERR_API_SERIALIZER',
        `${owner}.${name}() matches no writable field, so it would never run (writable fields: ${writable.map((e) => e.name).join(', ') || 'none'})`,
      );
    }
  }
}

function getPath(obj: Record<string, unknown>, path: readonly string[]): unknown {
  let at: unknown = obj;
  for (const key of path) {
    if (at === null || at === undefined) return null;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
