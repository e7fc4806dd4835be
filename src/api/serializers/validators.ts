/**
 * Validators that ask the database (DRF's `validators.py`): `UniqueValidator` for one
 * field, `UniqueTogetherValidator` for a set of them. Their queries go through the
 * database layer's querysets, so inside a request's transaction (`atomicRequests`, or an
 * `atomic()` block) they see that transaction's rows.
 *
 * @module
 */
import { ErrorDetail, ValidationError } from '../exceptions.ts';
import { Model } from '../../db/models.ts';
import type { QuerySet } from '../../db/query.ts';
import type { Run, Validator, ValidatorContext } from './field.ts';
import type { ObjectValidator } from './plan.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model's queryset.
type AnyQuerySet = QuerySet<any, any, any>;

/** A model instance as its primary key, for lookups. */
function lookupValue(value: unknown): unknown {
  return value instanceof Model ? value.pk : value;
}

function pkOf(instance: unknown): unknown {
  return instance instanceof Model ? instance.pk : (instance as { pk?: unknown } | null)?.pk;
}

/** Options of {@link UniqueValidator}. */
export interface UniqueValidatorOptions {
  /** The rows the value must not be in (`Article.objects`). */
  readonly queryset: AnyQuerySet;
  /** The message (default `This field must be unique.`). */
  readonly message?: string;
  /** The lookup (default `exact`; `iexact` for case-insensitive uniqueness). */
  readonly lookup?: string;
}

/**
 * The field's value is in no row of `queryset` (the instance being updated left out):
 * `EmailField({ validators: [UniqueValidator({ queryset: User.objects })] })`.
 */
export function UniqueValidator(options: UniqueValidatorOptions): Validator<unknown> {
  const lookup = options.lookup ?? 'exact';
  const message = options.message ?? 'This field must be unique.';
  return async (value: unknown, ctx: ValidatorContext) => {
    const attribute = ctx.source.split('.').pop() as string;
    const key = lookup === 'exact' ? attribute : `${attribute}__${lookup}`;
    let qs = options.queryset.filter({ [key]: lookupValue(value) });
    const pk = pkOf(ctx.run.instance);
    if (pk !== null && pk !== undefined) qs = qs.exclude({ pk });
    if (await qs.exists()) return new ErrorDetail(message, 'unique');
    return undefined;
  };
}

/** Options of {@link UniqueTogetherValidator}. */
export interface UniqueTogetherOptions {
  readonly queryset: AnyQuerySet;
  /** The attributes whose values together must be unique. */
  readonly fields: readonly string[];
  /** The message (default `The fields {field_names} must make a unique set.`). */
  readonly message?: string;
}

/**
 * The values of `fields` together are in no row of `queryset` (DRF's
 * `UniqueTogetherValidator`, a class-level validator): on create each of them is required;
 * in a partial update the instance's values fill the missing ones.
 */
export function UniqueTogetherValidator(options: UniqueTogetherOptions): ObjectValidator {
  const message = (options.message ?? 'The fields {field_names} must make a unique set.').replace(
    '{field_names}',
    options.fields.join(', '),
  );
  return async (attrs: Record<string, unknown>, run: Run) => {
    const instance = run.instance as Record<string, unknown> | null;
    if (instance === null) {
      const missing = options.fields.filter((f) => !Object.hasOwn(attrs, f));
      if (missing.length > 0) {
        const detail: Record<string, ErrorDetail[]> = {};
        for (const f of missing) detail[f] = [new ErrorDetail('This field is required.', 'required')];
        throw new ValidationError(detail);
      }
    }
    const where: Record<string, unknown> = {};
    for (const f of options.fields) {
      const value = Object.hasOwn(attrs, f) ? attrs[f] : instance?.[f];
      // A null never collides (SQL's NULL is distinct), as DRF skips the check.
      if (value === null || value === undefined) return undefined;
      where[f] = lookupValue(value);
    }
    let qs = options.queryset.filter(where);
    const pk = pkOf(instance);
    if (pk !== null && pk !== undefined) qs = qs.exclude({ pk });
    if (await qs.exists()) return new ErrorDetail(message, 'unique');
    return undefined;
  };
}
