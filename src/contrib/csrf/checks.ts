/**
 * CSRF deployment checks (Django's `security.W003`, `security.W016`), run by
 * `portico check --deploy`.
 *
 * @module
 */
import { type CheckContext, type CheckMessage, registerCheck } from '../../web/core/checks/registry.ts';
import { CsrfViewMiddleware } from './middleware.ts';

/** `security.W003` without the middleware; `security.W016` when its cookie is not HTTPS-only. */
export function checkCsrf({ settings }: CheckContext): CheckMessage[] {
  const installed = settings.middleware.includes(CsrfViewMiddleware);
  if (!installed) {
    return [
      {
        level: 'warning',
        id: 'security.W003',
        message:
          "You don't appear to be using the built-in cross-site request forgery protection: CsrfViewMiddleware is not in settings.middleware.",
        hint: 'Enabling the middleware is the safest approach to ensure you don’t leave any holes.',
      },
    ];
  }
  const csrf = settings.csrf;
  if (csrf !== undefined && !csrf.useSessions && !csrf.cookieSecure) {
    return [
      {
        level: 'warning',
        id: 'security.W016',
        message: 'CsrfViewMiddleware is in settings.middleware, but csrf.cookieSecure is not true.',
        hint: 'Using a secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.',
      },
    ];
  }
  return [];
}

registerCheck(checkCsrf, { tags: ['security'], deploy: true });
