/**
 * `settingsSchema()`: Portico's own small validator for a settings section, for layers
 * that need no schema library. The defaults give both the shape and the types; a project
 * overrides any subset of keys.
 *
 * @module
 */
import { closest } from '../../tsgi/suggest.ts';
import type { StandardSchemaV1 } from './standard-schema.ts';

/** Options of {@link settingsSchema}. */
export interface SettingsSchemaOptions<T> {
  /**
   * Rules the types cannot express (a range, a pattern, two keys that go together): return
   * a message, or `[key, message]` to name the key, when the merged value is wrong.
   */
  readonly check?: (value: T) => string | readonly [key: keyof T & string, message: string] | undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * A Standard Schema for a section whose defaults are `defaults`: the section accepts an
 * object with any of those keys (or nothing), each of the default's kind (a `null` or
 * `undefined` default accepts anything), and resolves to the defaults overridden by what
 * was given, frozen. Unknown keys are refused with a "did you mean".
 *
 * @example
 * ```ts
 * export const blogSettings = defineSettingsSection(
 *   'blog',
 *   settingsSchema({ pageSize: 20, title: 'Blog' }, {
 *     check: (s) => (s.pageSize > 0 ? undefined : ['pageSize', 'must be positive']),
 *   }),
 * );
 * ```
 */
export function settingsSchema<T extends object>(
  defaults: T,
  options: SettingsSchemaOptions<T> = {},
): StandardSchemaV1<Partial<T> | undefined, Readonly<T>> {
  const validate = (value: unknown): StandardSchemaV1.Result<Readonly<T>> => {
    if (value === undefined) value = {};
    if (kindOf(value) !== 'object') {
      return { issues: [{ message: `expected an object, got ${kindOf(value)}` }] };
    }
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, given] of Object.entries(value as Record<string, unknown>)) {
      if (!Object.hasOwn(defaults, key)) {
        const guess = closest(key, Object.keys(defaults));
        const hint = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
        return { issues: [{ message: `unknown key${hint}`, path: [key] }] };
      }
      const expected = kindOf((defaults as Record<string, unknown>)[key]);
      const actual = kindOf(given);
      if (given !== undefined && expected !== 'null' && expected !== 'undefined' && actual !== expected) {
        return { issues: [{ message: `expected ${expected}, got ${actual}`, path: [key] }] };
      }
      if (given !== undefined) merged[key] = given;
    }
    const problem = options.check?.(merged as T);
    if (typeof problem === 'string') return { issues: [{ message: problem }] };
    if (problem !== undefined) return { issues: [{ message: problem[1], path: [problem[0]] }] };
    return { value: Object.freeze(merged) as Readonly<T> };
  };
  return { '~standard': { version: 1, vendor: 'portico', validate } };
}
