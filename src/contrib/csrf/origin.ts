/**
 * The first half of the CSRF check: does an unsafe request come from this site? Its
 * `Origin` must be the request's own origin or a trusted one; over HTTPS without
 * `Origin`, its `Referer` must be an https URL of this host (Django's strict referer
 * check, which defeats a man-in-the-middle who injects a form over plain HTTP).
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import {
  REASON_BAD_REFERER,
  REASON_INSECURE_REFERER,
  REASON_MALFORMED_REFERER,
  REASON_NO_REFERER,
  reasonWith,
} from './failure.ts';
import type { CsrfSettings } from './settings.ts';

/** A refusal, with Django's reason string. */
export class RejectRequest extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** `urlsplit`'s scheme and netloc, or null when the value is not an absolute URL. */
function splitUrl(value: string): { scheme: string; netloc: string } | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(value);
  return m === null ? null : { scheme: (m[1] as string).toLowerCase(), netloc: m[2] as string };
}

/**
 * Django's `is_same_domain`: `pattern` is a host (`example.com`, with a port if any) or
 * `.example.com` for it and every subdomain.
 */
export function isSameDomain(host: string, pattern: string): boolean {
  if (pattern === '') return false;
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return (p.startsWith('.') && (h.endsWith(p) || h === p.slice(1))) || h === p;
}

interface Origins {
  exact: Set<string>;
  subdomains: Map<string, string[]>;
  hosts: string[];
}

const originsCache = new WeakMap<CsrfSettings, Origins>();

/** `trustedOrigins` split as Django splits it, once per settings object. */
function origins(settings: CsrfSettings): Origins {
  let o = originsCache.get(settings);
  if (o === undefined) {
    o = { exact: new Set(), subdomains: new Map(), hosts: [] };
    for (const origin of settings.trustedOrigins) {
      const parts = splitUrl(origin);
      if (parts === null) continue;
      // `https://*.example.com` trusts the subdomains: the pattern `.example.com`.
      const host = parts.netloc.replace(/^\*+/, '');
      o.hosts.push(host);
      if (origin.includes('*')) {
        const list = o.subdomains.get(parts.scheme) ?? [];
        list.push(host);
        o.subdomains.set(parts.scheme, list);
      } else {
        o.exact.add(origin);
      }
    }
    originsCache.set(settings, o);
  }
  return o;
}

function safeHost(request: HttpRequest): string | null {
  try {
    return request.getHost();
  } catch {
    return null;
  }
}

/** Does the request's `Origin` match its own origin or a trusted one? */
export function originVerified(request: HttpRequest, settings: CsrfSettings): boolean {
  const origin = request.META.HTTP_ORIGIN as string;
  const host = safeHost(request);
  if (host !== null && origin === `${request.isSecure() ? 'https' : 'http'}://${host}`) return true;
  const trusted = origins(settings);
  if (trusted.exact.has(origin)) return true;
  const parts = splitUrl(origin);
  if (parts === null) return false;
  return (trusted.subdomains.get(parts.scheme) ?? []).some((pattern) => isSameDomain(parts.netloc, pattern));
}

/**
 * The strict `Referer` check for HTTPS requests without `Origin`: an HTTPS referer from
 * this host (or the cookie's domain, or a trusted origin).
 */
export function checkReferer(request: HttpRequest, settings: CsrfSettings): void {
  const referer = request.META.HTTP_REFERER;
  if (typeof referer !== 'string') throw new RejectRequest(REASON_NO_REFERER);
  const parts = splitUrl(referer);
  if (parts === null || parts.netloc === '') throw new RejectRequest(REASON_MALFORMED_REFERER);
  // A page served over HTTP could be a man-in-the-middle's: refuse it on an HTTPS site.
  if (parts.scheme !== 'https') throw new RejectRequest(REASON_INSECURE_REFERER);
  if (origins(settings).hosts.some((host) => isSameDomain(parts.netloc, host))) return;
  let good = settings.useSessions
    ? ((request.settings as { sessions?: { cookieDomain?: string | null } }).sessions?.cookieDomain ?? null)
    : settings.cookieDomain;
  if (good === null) {
    good = safeHost(request);
    if (good === null) throw new RejectRequest(reasonWith(REASON_BAD_REFERER, referer));
  } else {
    const port = request.getPort();
    if (port !== '443' && port !== '80') good = `${good}:${port}`;
  }
  if (!isSameDomain(parts.netloc, good)) throw new RejectRequest(reasonWith(REASON_BAD_REFERER, referer));
}
