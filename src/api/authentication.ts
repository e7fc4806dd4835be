/**
 * Authentication (DRF's `authentication.py`): each authenticator looks at a request and
 * returns `[user, auth]`, or `null` to let the next one try; wrong credentials throw
 * `AuthenticationFailed`. The first authenticator's {@link Authentication.authenticateHeader}
 * is what makes an unauthenticated answer a 401 with `WWW-Authenticate` rather than a 403.
 *
 * `SessionAuthentication` takes the user contrib's `AuthenticationMiddleware` put on the
 * framework's request (a logged-in browser), and then enforces CSRF as Django's forms do.
 *
 * User lookups are pluggable (the project's user model is its own): Basic credentials go
 * to the `api.authenticateCredentials` setting, tokens to the `api.tokenStore` setting
 * (the `authtoken` app provides a database-backed one).
 *
 * @module
 */
import { csrfRejectReason } from '../contrib/csrf/check.ts';
import { csrfSettingsOf } from '../contrib/csrf/settings.ts';
import { AuthenticationFailed, PermissionDenied } from './exceptions.ts';
import type { Request } from './request.ts';
import type { ApiUser } from './user.ts';

/** What an authenticator returns on success: the user and the credential's own object. */
export type AuthResult = readonly [user: ApiUser, auth: unknown];

/** An authenticator. */
export interface Authentication {
  /** `[user, auth]`, `null` when this scheme does not apply, or throw `AuthenticationFailed`. */
  authenticate(request: Request): AuthResult | null | Promise<AuthResult | null>;
  /** The `WWW-Authenticate` value for a 401, or `null` (the answer is then a 403). */
  authenticateHeader?(request: Request): string | null;
}

/** An authenticator class, as views and settings list them. */
export type AuthenticationClass = new () => Authentication;

/** Checks a username and password (the project's user model's job): the user, or `null`. */
export type CredentialsChecker = (
  username: string,
  password: string,
  request: Request,
) => ApiUser | null | Promise<ApiUser | null>;

/** Finds the user a token belongs to. */
export interface TokenStore {
  /** The user and the token's record for `key`, or `null` when the key is unknown. */
  lookup(key: string): Promise<{ user: ApiUser; token: unknown } | null>;
}

/** The `Authorization` header split into its scheme and the rest, or null when absent. */
function authorization(request: Request): string[] | null {
  const header = request.httpRequest.headers.get('authorization');
  if (header === undefined || header === null || header === '') return null;
  return header.trim().split(/[ \t]+/);
}

/**
 * HTTP Basic (`Authorization: Basic base64(user:password)`), checked by the
 * `api.authenticateCredentials` setting (or an override of
 * {@link BasicAuthentication.authenticateCredentials}). Unconfigured, every credential is
 * refused. Send it only over HTTPS.
 */
export class BasicAuthentication implements Authentication {
  /** The realm in `WWW-Authenticate`. */
  wwwAuthenticateRealm = 'api';

  // Not `async`: a request without credentials (most of them) gets its null without a promise.
  authenticate(request: Request): AuthResult | null | Promise<AuthResult> {
    const parts = authorization(request);
    if (parts === null || parts[0]?.toLowerCase() !== 'basic') return null;
    if (parts.length === 1) throw new AuthenticationFailed('Invalid basic header. No credentials provided.');
    if (parts.length > 2)
      throw new AuthenticationFailed('Invalid basic header. Credentials string should not contain spaces.');
    const encoded = parts[1] as string;
    const invalid = () =>
      new AuthenticationFailed('Invalid basic header. Credentials not correctly base64 encoded.');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw invalid();
    const bytes = Buffer.from(encoded, 'base64');
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      decoded = new TextDecoder('latin1').decode(bytes);
    }
    const colon = decoded.indexOf(':');
    if (colon === -1) throw invalid();
    return this.authenticateCredentials(decoded.slice(0, colon), decoded.slice(colon + 1), request);
  }

  /** Checks the credentials with the setting; refuses unknown and inactive users. */
  async authenticateCredentials(username: string, password: string, request: Request): Promise<AuthResult> {
    const check = request.apiSettings.authenticateCredentials;
    const user = check === null ? null : await check(username, password, request);
    if (user === null || user === undefined) throw new AuthenticationFailed('Invalid username/password.');
    if (user.isActive === false) throw new AuthenticationFailed('User inactive or deleted.');
    return [user, null];
  }

  authenticateHeader(_request: Request): string {
    return `Basic realm="${this.wwwAuthenticateRealm}"`;
  }
}

/**
 * Tokens (`Authorization: Token <key>` or `Authorization: Bearer <key>`), looked up in the
 * `api.tokenStore` setting (or an override of {@link TokenAuthentication.tokenStore}).
 */
export class TokenAuthentication implements Authentication {
  /** The schemes accepted, case-insensitively; the first is the one `WWW-Authenticate` names. */
  keywords: readonly string[] = ['Token', 'Bearer'];

  /** The store tokens are looked up in. */
  tokenStore(request: Request): TokenStore | null {
    return request.apiSettings.tokenStore;
  }

  // Not `async`, as BasicAuthentication's: no token, no promise.
  authenticate(request: Request): AuthResult | null | Promise<AuthResult> {
    const parts = authorization(request);
    const scheme = parts?.[0]?.toLowerCase();
    if (parts === null || !this.keywords.some((k) => k.toLowerCase() === scheme)) return null;
    if (parts.length === 1) throw new AuthenticationFailed('Invalid token header. No credentials provided.');
    if (parts.length > 2)
      throw new AuthenticationFailed('Invalid token header. Token string should not contain spaces.');
    const key = parts[1] as string;
    // Keys are printable ASCII; anything else cannot match and is refused before a lookup.
    if (!/^[\x21-\x7e]{1,256}$/.test(key))
      throw new AuthenticationFailed(
        'Invalid token header. Token string should not contain invalid characters.',
      );
    return this.authenticateCredentials(key, request);
  }

  /** Looks the key up; refuses unknown keys and inactive users. */
  async authenticateCredentials(key: string, request: Request): Promise<AuthResult> {
    const store = this.tokenStore(request);
    const found = store === null ? null : await store.lookup(key);
    if (found === null) throw new AuthenticationFailed('Invalid token.');
    if (found.user.isActive === false) throw new AuthenticationFailed('User inactive or deleted.');
    return [found.user, found.token];
  }

  authenticateHeader(_request: Request): string {
    return this.keywords[0] ?? 'Token';
  }
}

/**
 * The session's user (DRF's `SessionAuthentication`): whoever contrib's
 * `AuthenticationMiddleware` found logged in (`request.user` of the framework's request),
 * when active. An authenticated request with an unsafe method must then pass the CSRF
 * check — the origin and the `X-CSRFToken` header (or the form's `csrfmiddlewaretoken`)
 * against the `csrftoken` cookie — or it is a 403 `CSRF Failed: <reason>`; API views are
 * CSRF-exempt for the middleware, so this is where a cookie-authenticated call is checked.
 * Anonymous requests are not checked (they carry no ambient authority).
 *
 * It offers no `WWW-Authenticate` challenge: first in a view's list, it makes refusals of
 * anonymous requests 403s (DRF's default), not 401s.
 */
/** The methods Django's CSRF check lets through unchecked (RFC 9110's safe methods). */
const CSRF_SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

export class SessionAuthentication implements Authentication {
  authenticate(request: Request): AuthResult | null | Promise<AuthResult | null> {
    const http = request.httpRequest as { user?: unknown; auser?: () => Promise<unknown> };
    // The middleware resolves the user before the view (request.user); auser() is the
    // promise of it for a request that reaches us first. Read before authentication sets
    // the API request's own user.
    if (http.user === undefined && http.auser !== undefined) {
      return http.auser().then((user) => this.#accept(request, user as ApiUser | null));
    }
    return this.#accept(request, http.user as ApiUser | undefined);
  }

  /** The user, when logged in and active; CSRF is checked for unsafe methods only (no promise for the rest). */
  #accept(request: Request, user: ApiUser | null | undefined): AuthResult | null | Promise<AuthResult> {
    if (user === undefined || user === null || user.isAuthenticated !== true || user.isActive === false)
      return null;
    if (CSRF_SAFE_METHODS.has(request.method)) return [user, null];
    return this.enforceCsrf(request).then(() => [user, null]);
  }

  /** Runs contrib's CSRF check for this request; a failure is a 403 naming the reason. */
  async enforceCsrf(request: Request): Promise<void> {
    const http = request.httpRequest;
    const reason = await csrfRejectReason(http, csrfSettingsOf(http));
    if (reason !== null) throw new PermissionDenied(`CSRF Failed: ${reason}`);
  }
}
