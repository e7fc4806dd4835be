/**
 * `?limit=100&offset=400`: a window of the list (DRF's `LimitOffsetPagination`).
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';
import {
  LINK_SCHEMA,
  type PageableQuerySet,
  type PaginatedBody,
  type Paginator,
  settingsPageSize,
} from './base.ts';
import { positiveInt, removeQueryParam, replaceQueryParam, requestUrl } from './query-params.ts';

/** A window of `limit` rows from `offset`; `{count, next, previous, results}`. */
export class LimitOffsetPagination implements Paginator {
  /** The limit when the client names none; the project's `api.pageSize` when unset. */
  defaultLimit: number | null = null;
  limitQueryParam = 'limit';
  offsetQueryParam = 'offset';
  /** The largest limit a client may ask for. */
  maxLimit: number | null = null;

  #count = 0;
  #limit = 0;
  #offset = 0;
  #url = '';

  /** The limit for this request, or null when the view is not paginated. */
  getLimit(request: HttpRequest): number | null {
    const fallback = this.defaultLimit ?? settingsPageSize(request);
    const raw = request.GET.get(this.limitQueryParam);
    if (fallback === null && raw === undefined) return null;
    return positiveInt(raw, fallback ?? this.maxLimit ?? 100, this.maxLimit);
  }

  /** The offset for this request: 0 when absent or malformed. */
  getOffset(request: HttpRequest): number {
    const raw = request.GET.get(this.offsetQueryParam);
    return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : 0;
  }

  async paginateQueryset<R>(queryset: PageableQuerySet<R>, request: HttpRequest): Promise<R[] | null> {
    const limit = this.getLimit(request);
    if (limit === null) return null;
    this.#url = requestUrl(request);
    this.#limit = limit;
    this.#offset = this.getOffset(request);
    this.#count = await queryset.count();
    if (this.#count === 0 || this.#offset > this.#count) return [];
    return queryset.offset(this.#offset).limit(limit).fetch();
  }

  getPaginatedData<T>(results: T[]): PaginatedBody<T> {
    return { count: this.#count, next: this.getNextLink(), previous: this.getPreviousLink(), results };
  }

  /** The next window, or null when this one reaches the end. */
  getNextLink(): string | null {
    if (this.#offset + this.#limit >= this.#count) return null;
    const url = replaceQueryParam(this.#url, this.limitQueryParam, this.#limit);
    return replaceQueryParam(url, this.offsetQueryParam, this.#offset + this.#limit);
  }

  /** The previous window, or null at the start (offset 0 is linked without the parameter). */
  getPreviousLink(): string | null {
    if (this.#offset <= 0) return null;
    const url = replaceQueryParam(this.#url, this.limitQueryParam, this.#limit);
    if (this.#offset - this.#limit <= 0) return removeQueryParam(url, this.offsetQueryParam);
    return replaceQueryParam(url, this.offsetQueryParam, this.#offset - this.#limit);
  }

  getPaginatedSchema(itemSchema: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'object',
      required: ['count', 'results'],
      properties: {
        count: { type: 'integer', examples: [123] },
        next: { ...LINK_SCHEMA },
        previous: { ...LINK_SCHEMA },
        results: { type: 'array', items: itemSchema },
      },
    };
  }
}
