/**
 * `?page=4`: pages of a fixed size, numbered from 1 (DRF's `PageNumberPagination`).
 *
 * @module
 */
import type { HttpRequest } from '../../web/index.ts';
import { NotFound } from '../exceptions.ts';
import {
  LINK_SCHEMA,
  type PageableQuerySet,
  type PaginatedBody,
  type Paginator,
  settingsPageSize,
} from './base.ts';
import { positiveInt, removeQueryParam, replaceQueryParam, requestUrl } from './query-params.ts';

/** Pages numbered from 1; `{count, next, previous, results}`. */
export class PageNumberPagination implements Paginator {
  /** Rows per page; the project's `api.pageSize` when unset. No page size: not paginated. */
  pageSize: number | null = null;
  /** The query parameter that names the page. */
  pageQueryParam = 'page';
  /** The query parameter a client may set the page size with (off when null). */
  pageSizeQueryParam: string | null = null;
  /** The most a client may ask for with {@link pageSizeQueryParam}. */
  maxPageSize: number | null = null;
  /** Values of the page parameter that mean the last page. */
  lastPageStrings: readonly string[] = ['last'];
  /** The message of the 404 for a page that does not exist. */
  invalidPageMessage = 'Invalid page.';

  #count = 0;
  #page = 1;
  #pages = 1;
  #url = '';

  /** The page size for this request, or null when the view is not paginated. */
  getPageSize(request: HttpRequest): number | null {
    const size = this.pageSize ?? settingsPageSize(request);
    if (size === null) return null;
    if (this.pageSizeQueryParam !== null) {
      return positiveInt(request.GET.get(this.pageSizeQueryParam), size, this.maxPageSize);
    }
    return size;
  }

  async paginateQueryset<R>(queryset: PageableQuerySet<R>, request: HttpRequest): Promise<R[] | null> {
    const size = this.getPageSize(request);
    if (size === null) return null;
    this.#url = requestUrl(request);
    this.#count = await queryset.count();
    // An empty list still has one (empty) page, as Django's Paginator says.
    this.#pages = Math.max(1, Math.ceil(this.#count / size));
    const raw = request.GET.get(this.pageQueryParam) ?? '1';
    const page = this.lastPageStrings.includes(raw) ? this.#pages : /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(page) || page < 1 || page > this.#pages) {
      throw new NotFound(this.invalidPageMessage);
    }
    this.#page = page;
    return queryset
      .offset((page - 1) * size)
      .limit(size)
      .fetch();
  }

  getPaginatedData<T>(results: T[]): PaginatedBody<T> {
    return { count: this.#count, next: this.getNextLink(), previous: this.getPreviousLink(), results };
  }

  /** The link to the next page, or null on the last. */
  getNextLink(): string | null {
    if (this.#page >= this.#pages) return null;
    return replaceQueryParam(this.#url, this.pageQueryParam, this.#page + 1);
  }

  /** The link to the previous page, or null on the first (page 1 is linked without the parameter). */
  getPreviousLink(): string | null {
    if (this.#page <= 1) return null;
    if (this.#page === 2) return removeQueryParam(this.#url, this.pageQueryParam);
    return replaceQueryParam(this.#url, this.pageQueryParam, this.#page - 1);
  }

  getPaginatedSchema(itemSchema: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'object',
      required: ['count', 'results'],
      properties: {
        count: { type: 'integer', examples: [123] },
        next: { ...LINK_SCHEMA, examples: [`http://api.example.org/accounts/?${this.pageQueryParam}=4`] },
        previous: { ...LINK_SCHEMA, examples: [`http://api.example.org/accounts/?${this.pageQueryParam}=2`] },
        results: { type: 'array', items: itemSchema },
      },
    };
  }
}
