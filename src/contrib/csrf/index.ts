/**
 * `portico/contrib/csrf`: cross-site request forgery protection (Django's
 * `django.middleware.csrf` and `django.views.decorators.csrf`). See docs/contrib/csrf.md.
 *
 * @module
 */
import './checks.ts';

export { checkCsrf } from './checks.ts';
export { csrfRejectReason, DONT_ENFORCE_CSRF_CHECKS } from './check.ts';
export { isSameDomain } from './origin.ts';
export { csrfExempt, csrfProtect, ensureCsrfCookie, requiresCsrfToken } from './decorators.ts';
export {
  csrfFailure,
  REASON_BAD_ORIGIN,
  REASON_BAD_REFERER,
  REASON_BAD_TOKEN,
  REASON_CSRF_TOKEN_MISSING,
  REASON_INSECURE_REFERER,
  REASON_MALFORMED_REFERER,
  REASON_NO_CSRF_COOKIE,
  REASON_NO_REFERER,
} from './failure.ts';
export { CsrfViewMiddleware } from './middleware.ts';
export { type CsrfFailureView, type CsrfSettings, csrfSettings } from './settings.ts';
export {
  CSRF_ALLOWED_CHARS,
  CSRF_SECRET_LENGTH,
  CSRF_SESSION_KEY,
  CSRF_TOKEN_LENGTH,
  getToken,
  REASON_INCORRECT_LENGTH,
  REASON_INVALID_CHARACTERS,
  rotateToken,
} from './token.ts';
