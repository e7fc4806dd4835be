/**
 * The login, logout and sign-up pages (`django/contrib/auth/views.py`): `LoginView`,
 * `LogoutView` (POST only, as since Django 5.0) and `SignupView`, rendering
 * `registration/login.html`, `registration/logged_out.html` and `registration/signup.html`
 * (defaults in this app's `templates/`: add `authTemplatesDir` to `templates.dirs`).
 *
 * @module
 */
import {
  type HttpRequest,
  type HttpResponseBase,
  HttpResponseRedirect,
  type Params,
  render,
  View,
} from '../../web/index.ts';
import { getBackends } from './backends.ts';
import { requestUser, resolveUrl } from './decorators.ts';
import { AuthenticationForm, type Form, UserCreationForm } from './forms.ts';
import { login, logout } from './login.ts';
import { authSettings } from './settings.ts';
import type { LoginThrottleStore } from './throttle.ts';
import { loginThrottleFor } from './throttle-cache.ts';
import { urlHasAllowedHostAndScheme } from './url-safety.ts';

/** What the views share: the safe `next` handling (Django's `RedirectURLMixin`). */
abstract class RedirectView extends View {
  /** The query or form field naming the page to go to after. */
  redirectFieldName = 'next';
  /** Hosts besides the request's that `next` may point to. */
  successUrlAllowedHosts: readonly string[] = [];
  /** Where to go by default (else the setting). */
  nextPage: string | null = null;

  /** The `next` of the POST (else the query), when it is safe to redirect to; else ''. */
  getRedirectUrl(request: HttpRequest): string {
    const fromPost = request.method === 'POST' ? request.POST.get(this.redirectFieldName) : undefined;
    const to = fromPost ?? request.GET.get(this.redirectFieldName) ?? '';
    let host: string;
    try {
      host = request.getHost();
    } catch {
      return '';
    }
    const safe = urlHasAllowedHostAndScheme(to, [host, ...this.successUrlAllowedHosts], request.isSecure());
    return safe ? to : '';
  }

  abstract getDefaultRedirectUrl(request: HttpRequest): string;

  getSuccessUrl(request: HttpRequest): string {
    return this.getRedirectUrl(request) || this.getDefaultRedirectUrl(request);
  }
}

/**
 * A page with a form that logs someone in when it succeeds (login, sign-up): its template,
 * and a default destination of `settings.auth.loginRedirectUrl`.
 */
abstract class LoginFormView extends RedirectView {
  abstract templateName: string;
  /** Extra template context. */
  extraContext: Readonly<Record<string, unknown>> = {};

  getDefaultRedirectUrl(request: HttpRequest): string {
    return resolveUrl(request, this.nextPage ?? authSettings(request.settings).loginRedirectUrl);
  }

  /** The page with `form` (its values and errors), `next` and the redirect field's name. */
  renderForm(request: HttpRequest, form: Form, status = 200): HttpResponseBase {
    const context = {
      ...this.extraContext,
      form,
      next: this.getRedirectUrl(request),
      redirectFieldName: this.redirectFieldName,
    };
    return render(request, this.templateName, context, { status });
  }
}

/**
 * The login page: GET shows the form; POST authenticates, logs in and redirects to a safe
 * `next` or `settings.auth.loginRedirectUrl`. Failed attempts are limited per account and
 * per client address (`loginThrottleAttempts` in `loginThrottleWindow` seconds): past the
 * limit the page answers 429 with a form error and `Retry-After`.
 */
export class LoginView extends LoginFormView {
  templateName = 'registration/login.html';
  /** Send an already logged-in user straight on (Django's `redirect_authenticated_user`). */
  redirectAuthenticatedUser = false;
  /**
   * The failed-login limiter; null (the default): the settings' (`loginThrottleFor`), in the
   * project's cache when it has one, else in this process's memory.
   */
  throttle: LoginThrottleStore | null = null;

  async get(request: HttpRequest): Promise<HttpResponseBase> {
    if (this.redirectAuthenticatedUser && (await requestUser(request)).isAuthenticated) {
      const to = this.getSuccessUrl(request);
      if (to === request.path)
        throw new Error(
          'Redirection loop for authenticated user detected. Check that your loginRedirectUrl doesn’t point to a login page.',
        );
      return new HttpResponseRedirect(to);
    }
    return this.renderForm(request, new AuthenticationForm(request));
  }

  async post(request: HttpRequest): Promise<HttpResponseBase> {
    const settings = authSettings(request.settings);
    const form = new AuthenticationForm(request, request.POST);
    const account = `user:${(form.data.username ?? '').trim().toLowerCase()}`;
    const address = `addr:${String(request.META.REMOTE_ADDR ?? '')}`;
    const attempts = settings.loginThrottleAttempts;
    const window = settings.loginThrottleWindow;
    const throttle = attempts > 0 ? (this.throttle ?? loginThrottleFor(request.settings)) : null;
    const wait =
      throttle === null
        ? 0
        : Math.max(
            ...(await Promise.all([
              throttle.retryAfter(account, attempts, window),
              throttle.retryAfter(address, attempts, window),
            ])),
          );
    if (wait > 0) {
      form.nonFieldErrors.push('Too many failed login attempts. Please try again later.');
      const response = this.renderForm(request, form, 429);
      response.headers.set('Retry-After', String(wait));
      return response;
    }
    if (!(await form.isValid()) || form.user === null) {
      // Only a refused username/password counts, not an empty field.
      if (throttle !== null && form.nonFieldErrors.length > 0)
        await Promise.all([throttle.fail(account, window), throttle.fail(address, window)]);
      return this.renderForm(request, form);
    }
    await throttle?.reset(account);
    await login(request, form.user);
    return new HttpResponseRedirect(this.getSuccessUrl(request));
  }
}

/**
 * Logs out on POST (a GET answers 405, as since Django 5.0: a link or an image must not log
 * anyone out), then redirects to a safe `next`, `nextPage`, or `settings.auth.logoutRedirectUrl`;
 * with none, renders `registration/logged_out.html`.
 */
export class LogoutView extends RedirectView {
  static override httpMethodNames: readonly string[] = ['post', 'options'];
  templateName = 'registration/logged_out.html';
  extraContext: Readonly<Record<string, unknown>> = {};

  getDefaultRedirectUrl(request: HttpRequest): string {
    const to = this.nextPage ?? authSettings(request.settings).logoutRedirectUrl;
    return to === null ? request.path : resolveUrl(request, to);
  }

  async post(request: HttpRequest, _params: Params): Promise<HttpResponseBase> {
    await logout(request);
    const to = this.getSuccessUrl(request);
    if (to !== request.getFullPath()) return new HttpResponseRedirect(to);
    return render(request, this.templateName, { ...this.extraContext });
  }
}

/**
 * A sign-up page (`UserCreationForm` with the password validators): on success the new user
 * is logged in and redirected to a safe `next` or `settings.auth.loginRedirectUrl`.
 */
export class SignupView extends LoginFormView {
  templateName = 'registration/signup.html';
  /** Log the new user in (default true). */
  loginAfterSignup = true;

  get(request: HttpRequest): HttpResponseBase {
    return this.renderForm(request, new UserCreationForm());
  }

  async post(request: HttpRequest): Promise<HttpResponseBase> {
    const form = new UserCreationForm(request.POST);
    if (!(await form.isValid())) return this.renderForm(request, form);
    const user = await form.save();
    if (this.loginAfterSignup) await login(request, user, getBackends()[0]);
    return new HttpResponseRedirect(this.getSuccessUrl(request));
  }
}
