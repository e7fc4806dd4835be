/**
 * `?cursor=…`: pages that stay put while rows are added (DRF's `CursorPagination`), as
 * keyset pagination: the cursor holds the ordering values of the row at the page's edge,
 * and the next page is the rows strictly after it. Unlike DRF's offset-within-position
 * cursor, this never skips or repeats a row, costs one indexed range query however deep
 * the page, and the cursor is signed with the project's secret, so a client can neither
 * read it as a contract nor forge one: a tampered or malformed cursor is a 404.
 *
 * The ordering must be total: the primary key is appended when it is not already in it.
 * Its fields should be indexed and must not be null.
 *
 * @module
 */
import { and, type ModelMeta, or, type QNode, type WhereObject } from '../../db/index.ts';
import { BadSignature, type HttpRequest, Signer } from '../../web/index.ts';
import { NotFound } from '../exceptions.ts';
import {
  LINK_SCHEMA,
  type PageableQuerySet,
  type PaginatedBody,
  type Paginator,
  settingsPageSize,
} from './base.ts';
import { positiveInt, replaceQueryParam, requestUrl } from './query-params.ts';

/** The part of a queryset cursor pagination uses (any model's queryset fits). */
export interface CursorQuerySet<R = unknown> extends PageableQuerySet<R> {
  readonly model: { readonly meta: ModelMeta };
  orderBy(...fields: string[]): CursorQuerySet<R>;
  filter(...conditions: Array<QNode | WhereObject>): CursorQuerySet<R>;
  limit(n: number): CursorQuerySet<R>;
}

/** A position in the list: the ordering values of a row, and which way the page runs from it. */
interface Cursor {
  readonly position: readonly unknown[];
  readonly reverse: boolean;
}

const SALT = 'portico.api.pagination.CursorPagination';

/** One ordering term: a field and its direction. */
interface Term {
  readonly name: string;
  readonly descending: boolean;
  /** Turns a value read back from a cursor into the field's type (an ISO string into a Date). */
  readonly coerce: (value: unknown) => unknown;
}

/** Pages linked by opaque, signed cursors; `{next, previous, results}`. */
export class CursorPagination implements Paginator {
  /** Rows per page; the project's `api.pageSize` when unset. */
  pageSize: number | null = null;
  cursorQueryParam = 'cursor';
  /** The order of the list (DRF's default: newest first by `created`). */
  ordering: string | readonly string[] = '-created';
  pageSizeQueryParam: string | null = null;
  maxPageSize: number | null = null;
  invalidCursorMessage = 'Invalid cursor';

  #terms: Term[] = [];
  #url = '';
  #signer: Signer | undefined;
  #next: Cursor | null = null;
  #previous: Cursor | null = null;

  getPageSize(request: HttpRequest): number | null {
    const size = this.pageSize ?? settingsPageSize(request);
    if (size === null) return null;
    if (this.pageSizeQueryParam === null) return size;
    return positiveInt(request.GET.get(this.pageSizeQueryParam), size, this.maxPageSize);
  }

  async paginateQueryset<R>(queryset: PageableQuerySet<R>, request: HttpRequest): Promise<R[] | null> {
    const size = this.getPageSize(request);
    if (size === null) return null;
    const qs = queryset as CursorQuerySet<R>;
    this.#url = requestUrl(request);
    this.#signer = new Signer({
      key: request.settings.secretKey ?? '',
      fallbackKeys: request.settings.secretKeyFallbacks,
      salt: SALT,
    });
    this.#terms = this.#orderingTerms(qs.model.meta);
    const cursor = this.#decode(request.GET.get(this.cursorQueryParam));
    const reverse = cursor?.reverse ?? false;
    // Reading backwards runs the ordering backwards, then turns the page around.
    const ordering = this.#terms.map((t) => (t.descending !== reverse ? `-${t.name}` : t.name));
    let page = qs.orderBy(...ordering);
    if (cursor !== null) page = page.filter(this.#after(cursor));
    const rows = await page.limit(size + 1).fetch();
    const more = rows.length > size;
    if (more) rows.length = size;
    if (reverse) rows.reverse();
    const first = rows[0];
    const last = rows.at(-1);
    if (!reverse) {
      this.#next = more && last !== undefined ? { position: this.#position(last), reverse: false } : null;
      this.#previous =
        cursor === null ? null : { position: first ? this.#position(first) : cursor.position, reverse: true };
    } else {
      this.#previous =
        more && first !== undefined ? { position: this.#position(first), reverse: true } : null;
      this.#next = { position: last ? this.#position(last) : cursor!.position, reverse: false };
    }
    return rows;
  }

  getPaginatedData<T>(results: T[]): PaginatedBody<T> {
    return { next: this.getNextLink(), previous: this.getPreviousLink(), results };
  }

  getNextLink(): string | null {
    return this.#next === null ? null : this.#link(this.#next);
  }

  getPreviousLink(): string | null {
    return this.#previous === null ? null : this.#link(this.#previous);
  }

  getPaginatedSchema(itemSchema: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'object',
      required: ['results'],
      properties: {
        next: { ...LINK_SCHEMA },
        previous: { ...LINK_SCHEMA },
        results: { type: 'array', items: itemSchema },
      },
    };
  }

  #orderingTerms(meta: ModelMeta): Term[] {
    const names = typeof this.ordering === 'string' ? [this.ordering] : [...this.ordering];
    const terms = names.map((spec) => {
      const descending = spec.startsWith('-');
      const name = descending ? spec.slice(1) : spec;
      const field = meta.field(name);
      if (field === undefined || name.includes('__')) {
        throw new Error(`CursorPagination orders by ${JSON.stringify(spec)}, not a field of ${meta.label}`);
      }
      return { name: field.attname, descending, coerce: (value: unknown) => field.coerce(value) };
    });
    const pk = meta.pk;
    if (!terms.some((t) => t.name === pk.attname)) {
      const descending = terms.at(-1)?.descending ?? false;
      terms.push({ name: pk.attname, descending, coerce: (value: unknown) => pk.coerce(value) });
    }
    return terms;
  }

  /** Rows strictly past `cursor` in the page's direction (a row-value comparison, spelt out). */
  #after(cursor: Cursor): QNode {
    const branches = this.#terms.map((term, i) => {
      const where: Record<string, unknown> = {};
      for (let j = 0; j < i; j++) where[this.#terms[j]!.name] = cursor.position[j];
      const ascending = term.descending === cursor.reverse;
      where[`${term.name}__${ascending ? 'gt' : 'lt'}`] = cursor.position[i];
      return and(where as WhereObject);
    });
    return or(...branches);
  }

  #position(row: unknown): unknown[] {
    return this.#terms.map((t) => {
      const value = (row as Record<string, unknown>)[t.name];
      return value instanceof Date ? value.toISOString() : value;
    });
  }

  #link(cursor: Cursor): string {
    const payload = Buffer.from(JSON.stringify({ p: cursor.position, r: cursor.reverse ? 1 : 0 })).toString(
      'base64url',
    );
    return replaceQueryParam(this.#url, this.cursorQueryParam, this.#signer!.sign(payload));
  }

  #decode(raw: string | undefined): Cursor | null {
    if (raw === undefined || raw === '') return null;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(this.#signer!.unsign(raw), 'base64url').toString('utf8'));
    } catch (error) {
      if (error instanceof BadSignature || error instanceof SyntaxError)
        throw new NotFound(this.invalidCursorMessage);
      throw error;
    }
    const { p, r } = (payload ?? {}) as { p?: unknown; r?: unknown };
    if (!Array.isArray(p) || p.length !== this.#terms.length || (r !== 0 && r !== 1)) {
      throw new NotFound(this.invalidCursorMessage);
    }
    const position = p.map((value, i) => this.#terms[i]!.coerce(value));
    return { position, reverse: r === 1 };
  }
}
