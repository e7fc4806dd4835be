/**
 * The contrib layer's error codes (sessions, auth, CSRF, messages, cache, security
 * middleware), with their meaning and, where one applies, the HTTP status.
 *
 * @module
 */
import { defineErrors } from '../tsgi/errors.ts';

/** The contrib layer's error codes. Each app appends its own. */
export const contribErrors = defineErrors('contrib', {
  PORTICO_ERR_CONTRIB_CONFIG: {
    message: 'A contrib app or middleware is set up wrongly (a missing setting, a middleware out of order).',
  },
  PORTICO_ERR_SESSION_UNAVAILABLE: {
    message: 'The session store could not be reached; only views that touch the session answer 503.',
    status: 503,
  },
  PORTICO_ERR_CACHE_UNAVAILABLE: {
    message: 'The cache backend could not be reached (answered 503 where the view needs the cache).',
    status: 503,
  },
  PORTICO_ERR_CSRF_FAILED: {
    message:
      'The CSRF check refused an unsafe request; the reason is one of Django’s strings (answered 403).',
    status: 403,
  },
  PORTICO_ERR_AUTH_PASSWORD_INVALID: {
    message:
      'A password was refused by the password validators (too short, too common, entirely numeric, too similar to the user); each problem has Django’s message and code.',
    status: 400,
  },
  PORTICO_ERR_AUTH_USER_MODEL: {
    message: 'settings.auth.userModel names no installed model, or a model without the fields auth needs.',
  },
  PORTICO_ERR_AUTH_BACKEND: {
    message:
      'settings.auth.authenticationBackends names an unknown backend, or a session names one no longer configured.',
  },
  PORTICO_ERR_AUTH_THROTTLED: {
    message:
      'Too many failed logins for this account or from this address; answered 429 until the window passes.',
    status: 429,
  },
});

/** The contrib layer's codes, as a type. */
export type ContribErrorCodes = typeof contribErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends ContribErrorCodes {}
}
