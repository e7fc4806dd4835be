/**
 * Relational fields (DRF's `relations.py`): a related row by its primary key or by a slug
 * field. Writing one looks the row up (one query, in the request's transaction when there
 * is one) and puts the instance in the validated data; reading one shows the key.
 *
 * @module
 */
import { PorticoError } from '../../tsgi/errors.ts';
import '../errors.ts';
import { Model } from '../../db/models.ts';
import type { QuerySet } from '../../db/query.ts';
import { runChildren } from './composite.ts';
import {
  Field,
  type FieldOptions,
  type FlagsOf,
  type Nullable,
  pythonType,
  type Run,
  type Site,
} from './field.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model's queryset.
type AnyQuerySet = QuerySet<any, any, any>;

/** The instance type of a queryset's rows. */
type RowOf<Q> = Q extends QuerySet<infer _D, infer R, infer _A> ? R : unknown;

/** Options of {@link PrimaryKeyRelatedField}. */
export interface RelatedOptions<Q extends AnyQuerySet> extends FieldOptions<unknown> {
  /** Where the related row is looked up (`Author.objects`); needed unless `readOnly`. */
  readonly queryset?: Q;
  /** A list of them (a many-to-many relation). */
  readonly many?: boolean;
}

abstract class RelatedFieldType extends Field<unknown, unknown> {
  readonly queryset: AnyQuerySet | undefined;
  readonly many: boolean;
  #one: RelatedFieldType | null = null;
  static override readonly messages: Readonly<Record<string, string>> = {
    not_a_list: 'Expected a list of items but got type "{input_type}".',
  };

  constructor(options: RelatedOptions<AnyQuerySet>) {
    super(options);
    this.queryset = options.queryset;
    this.many = options.many === true;
    if (this.queryset === undefined && !this.readOnly)
      throw new PorticoError(
        'PORTICO_ERR_API_SERIALIZER',
        'a relational field must have a queryset, or be readOnly: true',
      );
  }

  protected override schemaType(): Record<string, unknown> {
    const one = this.itemSchema();
    return this.many ? { type: 'array', items: one } : one;
  }

  /** The schema of one related value. */
  protected itemSchema(): Record<string, unknown> {
    // The primary key's type, when the queryset names a model.
    const pk = (this.queryset as { model?: { meta?: { pk?: { type?: string } } } } | undefined)?.model?.meta
      ?.pk;
    const type = pk?.type ?? 'AutoField';
    return /Auto|Integer/.test(type) ? { type: 'integer' } : { type: 'string' };
  }

  protected abstract single(): RelatedFieldType;
  protected abstract lookup(data: unknown, run: Run): unknown;

  toInternal(data: unknown, run: Run, site: Site): unknown {
    if (!this.many) return this.lookup(data, run);
    if (!Array.isArray(data)) return this.fail(run, 'not_a_list', { input_type: pythonType(data) });
    this.#one ??= this.single();
    return runChildren(this.#one, data, run, site);
  }
}

class PrimaryKeyRelatedFieldType extends RelatedFieldType {
  static override readonly messages = {
    ...RelatedFieldType.messages,
    does_not_exist: 'Invalid pk "{pk_value}" - object does not exist.',
    incorrect_type: 'Incorrect type. Expected pk value, received {data_type}.',
  };

  protected single(): RelatedFieldType {
    return new PrimaryKeyRelatedFieldType({ queryset: this.queryset });
  }

  protected lookup(data: unknown, run: Run): unknown {
    const qs = this.queryset as AnyQuerySet;
    const numeric =
      (qs.model.meta.pk.type as string).endsWith('AutoField') || qs.model.meta.pk.type === 'IntegerField';
    let pk: unknown = data;
    if (numeric) {
      if (typeof data === 'string' && /^\s*-?\d+\s*$/.test(data)) pk = Number(data);
      if (typeof pk !== 'number' || !Number.isSafeInteger(pk))
        return this.fail(run, 'incorrect_type', { data_type: pythonType(data) });
    } else if (typeof data !== 'string' && typeof data !== 'number') {
      return this.fail(run, 'incorrect_type', { data_type: pythonType(data) });
    }
    return qs
      .filter({ pk })
      .first()
      .then((row: unknown) => (row === null ? this.fail(run, 'does_not_exist', { pk_value: data }) : row));
  }

  override getAttribute(instance: Record<string, unknown>, source: string): unknown {
    const value = instance[source];
    return value === undefined ? instance[`${source}Id`] : value;
  }

  override toRepresentation(value: unknown): unknown {
    if (this.many && Array.isArray(value)) return value.map((v) => (v instanceof Model ? v.pk : v));
    return value instanceof Model ? value.pk : value;
  }
}

/**
 * A related row by its primary key: `PrimaryKeyRelatedField({ queryset: Author.objects })`.
 * The validated value is the row (a model instance); `data` shows its key.
 */
export function PrimaryKeyRelatedField<Q extends AnyQuerySet, const O extends RelatedOptions<Q>>(
  options: O & RelatedOptions<Q>,
): Field<
  Nullable<O extends { readonly many: true } ? Array<RowOf<Q>> : RowOf<Q>, O>,
  Nullable<O extends { readonly many: true } ? Array<number | string> : number | string, O>,
  FlagsOf<O>
> {
  return new PrimaryKeyRelatedFieldType(options as RelatedOptions<AnyQuerySet>) as never;
}

/** Options of {@link SlugRelatedField}. */
export interface SlugRelatedOptions<Q extends AnyQuerySet> extends RelatedOptions<Q> {
  /** The related model's field that names a row (`slug`, `username`). */
  readonly slugField: string;
}

class SlugRelatedFieldType extends RelatedFieldType {
  static override readonly messages = {
    ...RelatedFieldType.messages,
    does_not_exist: 'Object with {slug_name}={value} does not exist.',
    invalid: 'Invalid value.',
  };
  readonly slugField: string;

  constructor(options: SlugRelatedOptions<AnyQuerySet>) {
    super(options);
    this.slugField = options.slugField;
  }

  protected override itemSchema(): Record<string, unknown> {
    return { type: 'string' };
  }

  protected single(): RelatedFieldType {
    return new SlugRelatedFieldType({ queryset: this.queryset, slugField: this.slugField });
  }

  protected lookup(data: unknown, run: Run): unknown {
    if (typeof data !== 'string' && typeof data !== 'number') return this.fail(run, 'invalid');
    const qs = (this.queryset as AnyQuerySet).filter({ [this.slugField]: data }).limit(2);
    return qs.then((rows: unknown[]) => {
      if (rows.length === 0)
        return this.fail(run, 'does_not_exist', { slug_name: this.slugField, value: data });
      return rows.length > 1 ? this.fail(run, 'invalid') : rows[0];
    });
  }

  override toRepresentation(value: unknown): unknown {
    const slug = (v: unknown) => (v as Record<string, unknown> | null)?.[this.slugField] ?? null;
    return this.many && Array.isArray(value) ? value.map(slug) : slug(value);
  }
}

/**
 * A related row by one of its fields: `SlugRelatedField({ slugField: 'slug', queryset:
 * Tag.objects })`. `data` shows the field's value, so the related row must be loaded
 * (`selectRelated`) when the serializer shows an instance.
 */
export function SlugRelatedField<Q extends AnyQuerySet, const O extends SlugRelatedOptions<Q>>(
  options: O & SlugRelatedOptions<Q>,
): Field<
  Nullable<O extends { readonly many: true } ? Array<RowOf<Q>> : RowOf<Q>, O>,
  Nullable<O extends { readonly many: true } ? string[] : string, O>,
  FlagsOf<O>
> {
  return new SlugRelatedFieldType(options as SlugRelatedOptions<AnyQuerySet>) as never;
}
