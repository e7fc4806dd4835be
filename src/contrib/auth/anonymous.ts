/**
 * `AnonymousUser`: what `request.user` is when nobody is logged in (Django's class):
 * not authenticated, no permissions, no groups, and it refuses to be saved.
 *
 * @module
 */

/** The user of a request without a login. */
export class AnonymousUser {
  readonly id = null;
  readonly pk = null;
  readonly username = '';
  readonly isStaff = false;
  readonly isActive = false;
  readonly isSuperuser = false;
  readonly isAnonymous = true;
  readonly isAuthenticated = false;

  toString(): string {
    return 'AnonymousUser';
  }
  /** Anonymous users cannot be saved. */
  save(): Promise<never> {
    return Promise.reject(new TypeError('Cannot save an AnonymousUser.'));
  }
  /** Anonymous users cannot be deleted. */
  delete(): Promise<never> {
    return Promise.reject(new TypeError('Cannot delete an AnonymousUser.'));
  }
}
