/**
 * Content negotiation (DRF's `negotiation.py`): which renderer answers a request, from
 * its `Accept` header or a `?format=` override, and which parser reads its body.
 *
 * @module
 */
import { Http404 } from '../web/index.ts';
import { NotAcceptable } from './exceptions.ts';
import type { Parser } from './parsers.ts';
import type { Renderer } from './renderers.ts';
import type { Request } from './request.ts';

/** One entry of an Accept header. */
interface Accepted {
  readonly type: string;
  readonly subtype: string;
  readonly params: string;
  readonly q: number;
  readonly specificity: number;
  readonly full: string;
}

/** Accept headers longer than this are cut (a client gains nothing from more). */
const MAX_ACCEPT = 4096;

/** The entries of an Accept header, best first: by q, then by specificity, then in order. */
export function parseAccept(header: string): Accepted[] {
  const out: Array<Accepted & { index: number }> = [];
  const parts = header.slice(0, MAX_ACCEPT).split(',');
  for (let index = 0; index < parts.length && index < 64; index++) {
    const [range = '', ...rawParams] = (parts[index] as string).split(';').map((p) => p.trim());
    const slash = range.indexOf('/');
    if (slash <= 0) continue;
    const type = range.slice(0, slash).toLowerCase();
    const subtype = range.slice(slash + 1).toLowerCase();
    let q = 1;
    const params: string[] = [];
    for (const param of rawParams) {
      const [k = '', v = ''] = param.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 1;
      } else if (k !== '') params.push(`${k.toLowerCase()}=${v}`);
    }
    if (q === 0) continue;
    const specificity = type === '*' ? 0 : subtype === '*' ? 1 : params.length > 0 ? 3 : 2;
    const full = params.length > 0 ? `${type}/${subtype}; ${params.join('; ')}` : `${type}/${subtype}`;
    out.push({ type, subtype, params: params.join('; '), q, specificity, full, index });
  }
  out.sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.index - b.index);
  return out;
}

/** Parsed Accept headers by value: clients send a handful of distinct ones. */
const acceptCache = new Map<string, readonly Accepted[]>();
const ACCEPT_CACHE_SIZE = 256;

/** {@link parseAccept}, remembered for up to 256 distinct headers (frozen: shared). */
function acceptedOf(header: string): readonly Accepted[] {
  let accepted = acceptCache.get(header);
  if (accepted === undefined) {
    accepted = Object.freeze(parseAccept(header));
    if (acceptCache.size >= ACCEPT_CACHE_SIZE) acceptCache.clear();
    if (header.length <= 256) acceptCache.set(header, accepted);
  }
  return accepted;
}

/** True when the media type `given` (`application/json`) is within `pattern` (`application/*`). */
export function mediaTypeMatches(pattern: string, given: string): boolean {
  if (pattern === given) return true;
  const [pt = '', ps = ''] = pattern.split(';', 1)[0]!.trim().toLowerCase().split('/');
  const [gt = '', gs = ''] = given.split(';', 1)[0]!.trim().toLowerCase().split('/');
  return (pt === '*' || gt === '*' || pt === gt) && (ps === '*' || gs === '*' || ps === gs);
}

/** The contract of a negotiator (a view's `contentNegotiationClass`). */
export interface ContentNegotiation {
  selectParser(request: Request, parsers: readonly Parser[]): Parser | null;
  selectRenderer(
    request: Request,
    renderers: readonly Renderer[],
    formatSuffix?: string,
  ): [renderer: Renderer, mediaType: string];
}

/**
 * DRF's default: the `?format=` query parameter (the setting `urlFormatOverride`) picks a
 * renderer by its format (an unknown one is a 404), else the Accept header's best entry
 * that a renderer produces, else 406. No Accept header means `*\/*`: the first renderer.
 */
export class DefaultContentNegotiation implements ContentNegotiation {
  /** The query parameter naming a format; `null` to ignore it. */
  formatParameter: string | null = 'format';

  selectParser(request: Request, parsers: readonly Parser[]): Parser | null {
    const type = request.httpRequest.contentType;
    return parsers.find((parser) => mediaTypeMatches(parser.mediaType, type)) ?? null;
  }

  selectRenderer(
    request: Request,
    renderers: readonly Renderer[],
    formatSuffix?: string,
  ): [Renderer, string] {
    const http = request.httpRequest;
    // No query string: no `?format=` (and no QueryDict built to find that out).
    const format =
      formatSuffix ??
      (this.formatParameter === null || http.META.QUERY_STRING === ''
        ? null
        : http.GET.get(this.formatParameter));
    let candidates = renderers;
    if (format !== null && format !== undefined && format !== '') {
      candidates = renderers.filter((r) => r.format === format);
      if (candidates.length === 0) throw new Http404(`No renderer for the format '${format}'.`);
    }
    const header = format ? '*/*' : (http.headers.get('accept') ?? '*/*');
    // The common cases, answered as the general loop below would: anything (the first
    // renderer, with its own type) or exactly a renderer's own type.
    if (header === '*/*' || header === '') {
      const first = candidates[0];
      if (first !== undefined) return [first, first.mediaType];
      throw new NotAcceptable();
    }
    const accepted = acceptedOf(header);
    for (const entry of accepted) {
      for (const renderer of candidates) {
        if (!mediaTypeMatches(renderer.mediaType, entry.full)) continue;
        // A wildcard means "whatever you have": answer with the renderer's own type.
        if (entry.type === '*' || entry.subtype === '*') return [renderer, renderer.mediaType];
        return [renderer, entry.full];
      }
    }
    throw new NotAcceptable();
  }
}
