/**
 * Deployment checks for the security middleware (Django's `security.W001`…`E024`), run
 * by `portico check --deploy`. `secretKey` (W009), `debug` (W018) and `allowedHosts`
 * (E020) are the framework's own checks (src/web/core/checks/security.ts).
 *
 * @module
 */
import { type CheckContext, type CheckMessage, registerCheck } from '../../web/core/checks/registry.ts';
import { SecurityMiddleware } from './security.ts';
import { CROSS_ORIGIN_OPENER_POLICY_VALUES, REFERRER_POLICY_VALUES, securitySettingsOf } from './settings.ts';
import { XFrameOptionsMiddleware } from './xframe.ts';

function warning(id: string, message: string, hint?: string): CheckMessage {
  return hint === undefined ? { level: 'warning', id, message } : { level: 'warning', id, message, hint };
}

/** The `security` section and the two middleware, as Django's deploy checks see them. */
export function checkSecurityMiddleware({ settings }: CheckContext): CheckMessage[] {
  const out: CheckMessage[] = [];
  const s = securitySettingsOf(settings);
  const security = settings.middleware.includes(SecurityMiddleware);
  const xframe = settings.middleware.includes(XFrameOptionsMiddleware);
  if (!security) {
    out.push(
      warning(
        'security.W001',
        'SecurityMiddleware is not in settings.middleware, so the security settings (hstsSeconds, contentTypeNosniff, referrerPolicy, crossOriginOpenerPolicy, sslRedirect) have no effect.',
      ),
    );
  }
  if (!xframe) {
    out.push(
      warning(
        'security.W002',
        'XFrameOptionsMiddleware is not in settings.middleware, so responses do not say X-Frame-Options: DENY.',
        'Unless a page must be framed by other sites, add the middleware (it protects against clickjacking).',
      ),
    );
  }
  if (security) {
    if (s.hstsSeconds === 0) {
      out.push(
        warning(
          'security.W004',
          'security.hstsSeconds is not set: browsers may still reach the site over plain HTTP.',
          'If the site is served only over HTTPS, set it (start low, then raise it to a year); read about HSTS first: it is hard to undo.',
        ),
      );
    } else {
      if (!s.hstsIncludeSubdomains)
        out.push(
          warning(
            'security.W005',
            'security.hstsIncludeSubdomains is not true: subdomains are open to man-in-the-middle attacks.',
            'Set it once every subdomain is served only over HTTPS.',
          ),
        );
      if (!s.hstsPreload)
        out.push(
          warning(
            'security.W021',
            'security.hstsPreload is not true: the site cannot be submitted to the browser preload list.',
          ),
        );
    }
    if (!s.contentTypeNosniff)
      out.push(
        warning(
          'security.W006',
          'security.contentTypeNosniff is not true: browsers may guess a content type and run an upload as a script.',
        ),
      );
    if (!s.sslRedirect)
      out.push(
        warning(
          'security.W008',
          'security.sslRedirect is not true: plain-HTTP requests are not redirected to HTTPS.',
          'Set it, unless a proxy or load balancer already redirects.',
        ),
      );
    if (s.referrerPolicy === null) {
      out.push(
        warning(
          'security.W022',
          'security.referrerPolicy is not set: browsers send the full URL to other sites.',
          "Set it to 'same-origin' (the default) or stricter.",
        ),
      );
    } else {
      const bad = s.referrerPolicy
        .split(',')
        .map((v) => v.trim())
        .filter((v) => !REFERRER_POLICY_VALUES.has(v));
      if (bad.length > 0)
        out.push({
          level: 'error',
          id: 'security.E023',
          message: `security.referrerPolicy has an invalid value: ${bad.join(', ')}.`,
          hint: `Valid values: ${[...REFERRER_POLICY_VALUES].join(', ')}.`,
        });
    }
    const coop = s.crossOriginOpenerPolicy;
    if (coop !== null && !CROSS_ORIGIN_OPENER_POLICY_VALUES.has(coop))
      out.push({
        level: 'error',
        id: 'security.E024',
        message: `security.crossOriginOpenerPolicy has an invalid value: ${coop}.`,
        hint: `Valid values: ${[...CROSS_ORIGIN_OPENER_POLICY_VALUES].join(', ')}.`,
      });
  }
  if (xframe && s.xFrameOptions.toUpperCase() !== 'DENY')
    out.push(
      warning(
        'security.W019',
        "XFrameOptionsMiddleware is in settings.middleware, but security.xFrameOptions is not 'DENY'.",
        "Unless the site frames its own pages, set it to 'DENY'.",
      ),
    );
  return out;
}

registerCheck(checkSecurityMiddleware, { tags: ['security'], deploy: true });
