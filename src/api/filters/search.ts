/**
 * `?search=foo bar`: rows where every term appears in at least one of the view's
 * `searchFields` (DRF's `SearchFilter`). A field's prefix picks the match: `^` starts
 * with, `=` equals, `@` full text, none contains; all ignore case.
 *
 * @module
 */
import { and, or, type WhereObject } from '../../db/index.ts';
import type { HttpRequest } from '../../web/index.ts';
import type { FilterableQuerySet, FilterBackend, FilterView } from './base.ts';

/** Each prefix's lookup. `@` has no full-text index behind it yet, so it matches as contains. */
const LOOKUP_PREFIXES: Readonly<Record<string, string>> = {
  '^': 'istartswith',
  '=': 'iexact',
  '@': 'icontains',
};

/** The terms of a search: split on whitespace and commas; a quoted phrase stays whole. */
export function searchTerms(query: string): string[] {
  const terms: string[] = [];
  for (const match of query.replaceAll('\0', '').matchAll(/"([^"]*)"|[^\s,]+/g)) {
    const term = match[1] ?? match[0];
    if (term.trim() !== '') terms.push(term);
  }
  return terms;
}

/** Searches the view's `searchFields`. */
export class SearchFilter implements FilterBackend {
  searchParam = 'search';
  /** Terms past this are ignored: a search is not a way to make the database work unboundedly. */
  maxTerms = 10;

  filterQueryset<Q extends FilterableQuerySet>(request: HttpRequest, queryset: Q, view: FilterView): Q {
    const fields = view.searchFields ?? [];
    const terms = searchTerms(request.GET.get(this.searchParam) ?? '').slice(0, this.maxTerms);
    if (fields.length === 0 || terms.length === 0) return queryset;
    const lookups = fields.map((spec) => {
      const prefix = spec[0] ?? '';
      if (prefix === '$')
        throw new Error(`searchFields: regular-expression search ("${spec}") is not supported`);
      const lookup = LOOKUP_PREFIXES[prefix];
      return lookup === undefined ? `${spec}__icontains` : `${spec.slice(1)}__${lookup}`;
    });
    const conditions = terms.map((term) => or(...lookups.map((key) => ({ [key]: term }) as WhereObject)));
    const filtered = queryset.filter(and(...conditions));
    // A search across a to-many relation can match a row several times.
    return fields.some((f) => f.includes('__')) ? filtered.distinct() : filtered;
  }

  getSchemaParameters(): Array<Record<string, unknown>> {
    return [
      {
        name: this.searchParam,
        in: 'query',
        required: false,
        description: 'A search term.',
        schema: { type: 'string' },
      },
    ];
  }
}
