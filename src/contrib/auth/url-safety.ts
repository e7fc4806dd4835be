/**
 * Django's `url_has_allowed_host_and_scheme` (`django/utils/http.py`): whether a `next`
 * URL is safe to redirect to — relative, or on an allowed host with an allowed scheme —
 * with the browser quirks Django guards against (`///x`, `\\`, leading control characters,
 * a scheme without a host).
 *
 * @module
 */

interface Split {
  scheme: string;
  netloc: string;
}

/** The scheme and network location, as Python's `urlsplit` finds them. */
function urlsplit(url: string): Split {
  // Python removes ASCII tab and newlines anywhere, and strips leading C0 controls and spaces.
  // eslint-disable-next-line no-control-regex -- C0 control characters, on purpose.
  let rest = url.replace(/[\t\r\n]/g, '').replace(/^[\u0000-\u0020]+/, '');
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m !== null) {
    scheme = (m[1] as string).toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
    if ((netloc.includes('[') && !netloc.includes(']')) || (netloc.includes(']') && !netloc.includes('[')))
      throw new TypeError('Invalid IPv6 URL');
  }
  return { scheme, netloc };
}

function check(url: string, allowedHosts: ReadonlySet<string>, requireHttps: boolean): boolean {
  // Chrome treats a URL with three slashes as absolute.
  if (url.startsWith('///')) return false;
  let info: Split;
  try {
    info = urlsplit(url);
  } catch {
    return false;
  }
  if (info.netloc === '' && info.scheme !== '') return false; // http:///example.com
  // Browsers ignore some leading control characters, which could make the URL scheme-relative.
  if (/^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u.test(url)) return false;
  const scheme = info.scheme === '' && info.netloc !== '' ? 'http' : info.scheme;
  const schemes = requireHttps ? ['https'] : ['http', 'https'];
  return (info.netloc === '' || allowedHosts.has(info.netloc)) && (scheme === '' || schemes.includes(scheme));
}

/**
 * True when `url` may be redirected to: a relative URL, or an absolute one whose host is
 * in `allowedHosts` (and, with `requireHttps`, whose scheme is https).
 */
export function urlHasAllowedHostAndScheme(
  url: string | null | undefined,
  allowedHosts: Iterable<string> | string | null = null,
  requireHttps = false,
): boolean {
  const trimmed = url?.trim();
  if (trimmed === undefined || trimmed === '') return false;
  const hosts = new Set(typeof allowedHosts === 'string' ? [allowedHosts] : (allowedHosts ?? []));
  // Chrome treats `\` as `/` in paths; check both readings.
  return check(trimmed, hosts, requireHttps) && check(trimmed.replaceAll('\\', '/'), hosts, requireHttps);
}
