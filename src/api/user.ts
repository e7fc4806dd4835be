/**
 * The user an API request is made by, as the API layer needs to see it. An interface
 * rather than a class, so contrib's `User` model (and a project's own) fits it as it is.
 *
 * @module
 */

/** What the API layer reads of a user: permissions and throttles need no more. */
export interface ApiUser {
  /** True for a user who proved who they are (never for {@link AnonymousUser}). */
  readonly isAuthenticated: boolean;
  /** The primary key; throttles key authenticated users by it. */
  readonly id?: unknown;
  /** Staff users pass `IsAdminUser`. */
  readonly isStaff?: boolean;
  /** Inactive users are refused by `BasicAuthentication` and `TokenAuthentication`. */
  readonly isActive?: boolean;
  readonly username?: string;
}

/** The user of a request no authenticator recognised (Django's `AnonymousUser`). */
export class AnonymousUser implements ApiUser {
  readonly isAuthenticated = false;
  readonly isAnonymous = true;
  readonly id = null;
  readonly isStaff = false;
  readonly isActive = false;
  readonly username = '';

  toString(): string {
    return 'AnonymousUser';
  }
}
