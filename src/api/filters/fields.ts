/**
 * `?status=open&created__gte=2026-01-01`: equality and lookups on the fields a view lists
 * (django-filter's `DjangoFilterBackend` with `filterset_fields`). Values are converted by
 * the model's own fields, so `?id=abc` is a 400 naming the parameter, not a database error.
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';
import { ValidationError } from '../exceptions.ts';
import type { FilterableQuerySet, FilterBackend, FilterView } from './base.ts';

/** Lookups whose value is any text: nothing to convert. */
const TEXT_LOOKUPS = new Set([
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'iexact',
]);

/** The query parameters a view's `filtersetFields` allow, each with its field and lookup. */
function allowedParameters(view: FilterView): Map<string, { field: string; lookup: string }> {
  const out = new Map<string, { field: string; lookup: string }>();
  const spec = view.filtersetFields;
  if (spec === undefined) return out;
  const entries: Array<[string, readonly string[]]> = Array.isArray(spec)
    ? spec.map((field: string) => [field, ['exact']])
    : Object.entries(spec as Readonly<Record<string, readonly string[]>>);
  for (const [field, lookups] of entries) {
    for (const lookup of lookups)
      out.set(lookup === 'exact' ? field : `${field}__${lookup}`, { field, lookup });
  }
  return out;
}

/** Filters on the view's `filtersetFields` from query parameters of the same names. */
export class FieldFilter implements FilterBackend {
  filterQueryset<Q extends FilterableQuerySet>(request: HttpRequest, queryset: Q, view: FilterView): Q {
    const allowed = allowedParameters(view);
    if (allowed.size === 0) return queryset;
    const meta = queryset.model.meta;
    const where: Record<string, unknown> = {};
    const errors: Record<string, string[]> = {};
    for (const [param, { field: name, lookup }] of allowed) {
      const raw = request.GET.get(param);
      if (raw === undefined || raw === '') continue;
      const field = meta.field(name.split('__')[0] as string);
      if (field === undefined) throw new Error(`filtersetFields: ${name} is not a field of ${meta.label}`);
      const convert = (text: string): unknown => {
        if (TEXT_LOOKUPS.has(lookup)) return text;
        const value = field.coerce(text);
        const problems = field.validate(value);
        if (problems.length > 0) (errors[param] ??= []).push(...problems);
        return value;
      };
      if (lookup === 'isnull') {
        if (!['true', 'false', '1', '0'].includes(raw)) (errors[param] ??= []).push('Enter true or false.');
        where[`${name}__isnull`] = raw === 'true' || raw === '1';
      } else if (lookup === 'in') {
        where[`${name}__in`] = raw.split(',').map(convert);
      } else {
        where[lookup === 'exact' ? name : `${name}__${lookup}`] = convert(raw);
      }
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    return Object.keys(where).length === 0 ? queryset : queryset.filter(where as never);
  }

  getSchemaParameters(view: FilterView): Array<Record<string, unknown>> {
    return [...allowedParameters(view).keys()].map((name) => ({
      name,
      in: 'query',
      required: false,
      schema: { type: 'string' },
    }));
  }
}
