/**
 * What a paginator is: it cuts a queryset into the page a request asks for, and wraps the
 * serialized page in a body with links to its neighbours (DRF's `BasePagination`).
 * A paginator instance serves one request: generic views make one per request.
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';

/**
 * The part of a queryset a paginator uses, so any of the database layer's querysets (of
 * any model) fits without naming its type parameters.
 */
export interface PageableQuerySet<R = unknown> {
  count(): Promise<number>;
  offset(n: number): PageableQuerySet<R>;
  limit(n: number): PageableQuerySet<R>;
  fetch(): Promise<R[]>;
}

/** The body of a page: DRF's shapes (`count` is absent for cursor pagination). */
export interface PaginatedBody<T = unknown> {
  count?: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** A paginator (DRF's pagination classes implement it). */
export interface Paginator {
  /** The rows of the page the request asks for; null when the view is not paginated. */
  paginateQueryset<R>(queryset: PageableQuerySet<R>, request: HttpRequest): Promise<R[] | null>;
  /** The body for the page's serialized rows, with links to the next and previous pages. */
  getPaginatedData<T>(results: T[]): PaginatedBody<T>;
  /** The JSON Schema of that body, for the OpenAPI document. */
  getPaginatedSchema(itemSchema: Record<string, unknown>): Record<string, unknown>;
}

/** The project's page size (`api.pageSize`), when the request's settings carry one. */
export function settingsPageSize(request: HttpRequest): number | null {
  const api = (request.settings as { api?: { pageSize?: number | null } }).api;
  return api?.pageSize ?? null;
}

/** The schema of a link to another page. */
export const LINK_SCHEMA = { type: ['string', 'null'], format: 'uri' } as const;
