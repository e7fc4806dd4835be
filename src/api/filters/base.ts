/**
 * What a filter backend is: it narrows or orders a view's queryset from the request's
 * query parameters (DRF's `BaseFilterBackend`). Backends read their configuration from
 * the view (`searchFields`, `orderingFields`, `filtersetFields`), as DRF's do, and run in
 * the order the view lists them.
 *
 * @module
 */
import type { ModelMeta, QNode, WhereObject } from '../../db/index.ts';
import type { HttpRequest } from '../../web/index.ts';

/** The part of a queryset filter backends use (any model's queryset fits). */
export interface FilterableQuerySet {
  readonly model: { readonly meta: ModelMeta };
  filter(...conditions: Array<QNode | WhereObject>): this;
  orderBy(...fields: string[]): this;
  distinct(): this;
}

/** What filter backends read from a view. */
export interface FilterView {
  /** Fields the search filter looks in, each optionally prefixed with `^`, `=`, `@` or `$`. */
  readonly searchFields?: readonly string[];
  /** Fields a client may order by, or `'__all__'` for every field of the model. */
  readonly orderingFields?: readonly string[] | '__all__';
  /** The order when the client names none (else the model's own). */
  readonly ordering?: string | readonly string[];
  /** Fields (with their lookups) a client may filter on with query parameters. */
  readonly filtersetFields?: readonly string[] | Readonly<Record<string, readonly string[]>>;
}

/** A filter backend. */
export interface FilterBackend {
  filterQueryset<Q extends FilterableQuerySet>(request: HttpRequest, queryset: Q, view: FilterView): Q;
  /** The query parameters it reads, for the OpenAPI document. */
  getSchemaParameters?(view: FilterView): Array<Record<string, unknown>>;
}
