/**
 * Pagination for list views: page numbers, limit/offset and cursors (DRF's
 * `rest_framework.pagination`), with DRF's body shapes and links built from the request.
 * See docs/api/pagination.md.
 *
 * @module
 */
export type { PageableQuerySet, PaginatedBody, Paginator } from './base.ts';
export { CursorPagination, type CursorQuerySet } from './cursor.ts';
export { LimitOffsetPagination } from './limit-offset.ts';
export { PageNumberPagination } from './page-number.ts';
export { removeQueryParam, replaceQueryParam } from './query-params.ts';
