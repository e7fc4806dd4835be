/**
 * Filter backends: search, ordering and field filters for list views (DRF's
 * `rest_framework.filters` and django-filter's backend), all through the database
 * layer's querysets. See docs/api/filtering.md.
 *
 * @module
 */
export type { FilterableQuerySet, FilterBackend, FilterView } from './base.ts';
export { FieldFilter } from './fields.ts';
export { OrderingFilter } from './ordering.ts';
export { SearchFilter, searchTerms } from './search.ts';
