/**
 * Access control for class-based views (`django/contrib/auth/mixins.py`), as class
 * mixins: `class Dashboard extends LoginRequiredMixin(View) { … }`. An anonymous user is
 * redirected to the login page; a logged-in user who fails the test gets 403 (Django's
 * `AccessMixin.handle_no_permission`).
 *
 * @module
 */
import {
  type HttpRequest,
  type HttpResponseBase,
  type MaybePromise,
  type Params,
  PermissionDenied,
  type View,
} from '../../web/index.ts';
import { redirectForLogin, requestUser } from './decorators.ts';
import type { RequestUser } from './login.ts';
import { hasPerms } from './access.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin pattern needs an open constructor.
type ViewClass = abstract new (...args: any[]) => View;

/** What the access mixins add. */
export interface AccessMixinFields {
  /** Where to log in; default `settings.auth.loginUrl`. */
  loginUrl: string | undefined;
  /** The query parameter for the page to come back to. Default `next`. */
  redirectFieldName: string;
  /** Answer 403 even to an anonymous user, instead of redirecting. */
  raiseException: boolean;
  /** The 403's message. */
  permissionDeniedMessage: string;
}

/**
 * Django's `AccessMixin`: `testAccess(user)` (override it) decides; a failure is handled by
 * `handleNoPermission()`.
 */
export function AccessMixin<B extends ViewClass>(Base: B) {
  abstract class Access extends Base implements AccessMixinFields {
    loginUrl: string | undefined = undefined;
    redirectFieldName = 'next';
    raiseException = false;
    permissionDeniedMessage = '';

    /** Whether the user may see the view. */
    abstract testAccess(user: RequestUser): boolean | Promise<boolean>;

    /** 403 for a logged-in user (or with `raiseException`), else the login redirect. */
    handleNoPermission(request: HttpRequest, user: RequestUser): HttpResponseBase {
      if (this.raiseException || user.isAuthenticated)
        throw new PermissionDenied(this.permissionDeniedMessage);
      return redirectForLogin(request, {
        ...(this.loginUrl !== undefined ? { loginUrl: this.loginUrl } : {}),
        redirectFieldName: this.redirectFieldName,
      });
    }

    override dispatch(
      request: HttpRequest,
      params: Params,
      args: readonly string[],
    ): MaybePromise<HttpResponseBase> {
      return (async () => {
        const user = await requestUser(request);
        if (!(await this.testAccess(user))) return this.handleNoPermission(request, user);
        return super.dispatch(request, params, args);
      })();
    }
  }
  return Access;
}

/** Only logged-in users; others go to the login page. */
export function LoginRequiredMixin<B extends ViewClass>(Base: B) {
  abstract class LoginRequired extends AccessMixin(Base) {
    testAccess(user: RequestUser): boolean {
      return user.isAuthenticated;
    }
  }
  return LoginRequired;
}

/** Only users with every permission of `permissionRequired` (`'app.codename'` or a list). */
export function PermissionRequiredMixin<B extends ViewClass>(Base: B) {
  abstract class PermissionRequired extends AccessMixin(Base) {
    permissionRequired: string | readonly string[] = [];
    /** The permissions to check (override for per-request ones). */
    getPermissionRequired(): readonly string[] {
      const p = this.permissionRequired;
      return typeof p === 'string' ? [p] : p;
    }
    testAccess(user: RequestUser): Promise<boolean> {
      return hasPerms(user, this.getPermissionRequired());
    }
  }
  return PermissionRequired;
}

/** Only users for whom `testFunc(user)` holds (Django's `UserPassesTestMixin`). */
export function UserPassesTestMixin<B extends ViewClass>(Base: B) {
  abstract class UserPassesTest extends AccessMixin(Base) {
    abstract testFunc(user: RequestUser): boolean | Promise<boolean>;
    testAccess(user: RequestUser): boolean | Promise<boolean> {
      return this.testFunc(user);
    }
  }
  return UserPassesTest;
}
