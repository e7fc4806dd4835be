/**
 * `withNullable`: lets chosen keys of a `settingsSchema` section be `null` too.
 *
 * `settingsSchema` takes a key's kind from its default, so a key whose default is a
 * string or number refuses `null`, though Django's settings use `None` to mean "off"
 * (`SECURE_REFERRER_POLICY = None`, `CSRF_COOKIE_AGE = None`).
 *
 * @module
 */
import type { StandardSchemaV1 } from '../../web/index.ts';

/** `schema`, accepting `null` for each of `keys` (set after the rest is validated). */
export function withNullable<T extends object>(
  schema: StandardSchemaV1<Partial<T> | undefined, Readonly<T>>,
  keys: readonly (keyof T & string)[],
): StandardSchemaV1<Partial<T> | undefined, Readonly<T>> {
  return {
    '~standard': {
      version: 1,
      vendor: 'portico',
      validate(value) {
        if (value === null || typeof value !== 'object') return schema['~standard'].validate(value);
        const given = { ...(value as Record<string, unknown>) };
        const nulls: Record<string, null> = {};
        for (const key of keys) {
          if (given[key] === null) {
            nulls[key] = null;
            delete given[key];
          }
        }
        const result = schema['~standard'].validate(given);
        if (result instanceof Promise || result.issues !== undefined || Object.keys(nulls).length === 0)
          return result;
        return { value: Object.freeze({ ...result.value, ...nulls }) };
      },
    },
  };
}
