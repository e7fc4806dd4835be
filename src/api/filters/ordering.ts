/**
 * `?ordering=-created,title`: the client's order, within an allow-list (DRF's
 * `OrderingFilter`). Names outside the view's `orderingFields` are dropped, as DRF does,
 * so a client cannot order by (and so probe) a column the view did not offer.
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';
import type { FilterableQuerySet, FilterBackend, FilterView } from './base.ts';

/** Orders by the fields the client names, among those the view allows. */
export class OrderingFilter implements FilterBackend {
  orderingParam = 'ordering';

  filterQueryset<Q extends FilterableQuerySet>(request: HttpRequest, queryset: Q, view: FilterView): Q {
    const ordering = this.getOrdering(request, queryset, view);
    return ordering.length > 0 ? queryset.orderBy(...ordering) : queryset;
  }

  /** The valid terms the client asked for, else the view's default ordering. */
  getOrdering(request: HttpRequest, queryset: FilterableQuerySet, view: FilterView): string[] {
    const raw = request.GET.get(this.orderingParam);
    if (raw !== undefined) {
      const allowed = this.#allowed(queryset, view);
      const terms = raw
        .split(',')
        .map((term) => term.trim())
        .filter((term) => term !== '' && allowed.has(term.startsWith('-') ? term.slice(1) : term));
      if (terms.length > 0) return terms;
    }
    const fallback = view.ordering;
    return fallback === undefined ? [] : typeof fallback === 'string' ? [fallback] : [...fallback];
  }

  #allowed(queryset: FilterableQuerySet, view: FilterView): Set<string> {
    const fields = view.orderingFields;
    if (fields === '__all__') {
      return new Set(
        queryset.model.meta.fields.filter((f) => f.type !== 'ManyToManyField').map((f) => f.name),
      );
    }
    return new Set(fields ?? []);
  }

  getSchemaParameters(view: FilterView): Array<Record<string, unknown>> {
    const fields = view.orderingFields;
    const description =
      Array.isArray(fields) && fields.length > 0
        ? `Which field to use when ordering the results: ${fields.join(', ')} (prefix with - for descending).`
        : 'Which field to use when ordering the results.';
    return [
      { name: this.orderingParam, in: 'query', required: false, description, schema: { type: 'string' } },
    ];
  }
}
