/**
 * The login and sign-up forms (`django/contrib/auth/forms.py`'s `AuthenticationForm` and
 * `UserCreationForm`), as small classes: bound to the POST data, `await form.isValid()`,
 * then `errors` (per field) and `nonFieldErrors`, with Django's messages.
 *
 * @module
 */
import type { HttpRequest, QueryDict } from '../../web/index.ts';
import { authenticate } from './login.ts';
import { validateUsername } from './models.ts';
import {
  PasswordValidationError,
  passwordValidatorsHelpTexts,
  validatePassword,
} from './password-validation.ts';
import { type AuthUser, createUser, getUserModel, normalizeUsername, usernameField } from './users.ts';

const REQUIRED = 'This field is required.';

/** What both forms share: the bound values and the errors. */
export abstract class Form {
  /** The submitted values (passwords are never echoed back into the page). */
  readonly data: Record<string, string> = {};
  /** Messages per field. */
  readonly errors: Record<string, string[]> = {};
  /** Messages about the whole form. */
  readonly nonFieldErrors: string[] = [];
  readonly isBound: boolean;

  constructor(data: QueryDict | Record<string, string> | null, fields: readonly string[]) {
    this.isBound = data !== null;
    for (const name of fields) {
      const value =
        data === null
          ? undefined
          : typeof data.get === 'function'
            ? (data as QueryDict).get(name)
            : (data as Record<string, string>)[name];
      this.data[name] = typeof value === 'string' ? value : '';
    }
  }

  protected addError(field: string | null, message: string): void {
    if (field === null) this.nonFieldErrors.push(message);
    else (this.errors[field] ??= []).push(message);
  }

  /** True when there is no error. */
  get valid(): boolean {
    return this.nonFieldErrors.length === 0 && Object.keys(this.errors).length === 0;
  }

  /** Validates; true when bound and valid. */
  abstract isValid(): Promise<boolean>;
}

/** Username and password, checked with `authenticate()` (Django's `AuthenticationForm`). */
export class AuthenticationForm extends Form {
  readonly request: HttpRequest | null;
  /** The authenticated user, once valid. */
  user: (AuthUser & { backend: string }) | null = null;

  constructor(request: HttpRequest | null, data: QueryDict | Record<string, string> | null = null) {
    super(data, ['username', 'password']);
    this.request = request;
  }

  /** Django's `invalid_login` message. */
  static invalidLoginMessage(): string {
    const field = usernameField();
    return `Please enter a correct ${field === 'username' ? 'username' : field} and password. Note that both fields may be case-sensitive.`;
  }

  async isValid(): Promise<boolean> {
    if (!this.isBound) return false;
    // Django strips the username but never the password.
    const username = this.data.username?.trim() ?? '';
    const password = this.data.password ?? '';
    this.data.username = username;
    if (username === '') this.addError('username', REQUIRED);
    if (password === '') this.addError('password', REQUIRED);
    if (username.length > 150) this.addError('username', 'Ensure this value has at most 150 characters.');
    if (!this.valid) return false;
    const user = await authenticate(this.request, { username, password });
    if (user === null) {
      this.addError(null, AuthenticationForm.invalidLoginMessage());
      return false;
    }
    if ((user as { isActive?: boolean }).isActive === false) {
      this.addError(null, 'This account is inactive.');
      return false;
    }
    this.user = user;
    return true;
  }
}

/** A username and the password twice, checked by the validators (Django's `UserCreationForm`). */
export class UserCreationForm extends Form {
  /** The validators' help texts, for the page. */
  readonly passwordHelpTexts: string[] = passwordValidatorsHelpTexts();

  constructor(data: QueryDict | Record<string, string> | null = null) {
    super(data, ['username', 'email', 'password1', 'password2']);
  }

  async isValid(): Promise<boolean> {
    if (!this.isBound) return false;
    const model = getUserModel();
    const field = usernameField(model);
    const username = normalizeUsername(this.data.username?.trim() ?? '');
    this.data.username = username;
    this.data.email = this.data.email?.trim() ?? '';
    const { password1 = '', password2 = '' } = this.data;
    if (username === '') this.addError('username', REQUIRED);
    else {
      if ([...username].length > 150)
        this.addError(
          'username',
          `Ensure this value has at most 150 characters (it has ${[...username].length}).`,
        );
      const problem = field === 'username' ? validateUsername(username) : undefined;
      if (problem !== undefined) this.addError('username', problem);
      else if (await model.objects.filter({ [`${field}__iexact`]: username } as never).exists())
        this.addError('username', 'A user with that username already exists.');
    }
    if (this.data.email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(this.data.email))
      this.addError('email', 'Enter a valid email address.');
    if (password1 === '') this.addError('password1', REQUIRED);
    if (password2 === '') this.addError('password2', REQUIRED);
    if (password1 !== '' && password2 !== '' && password1 !== password2)
      this.addError('password2', 'The two password fields didn’t match.');
    if (password2 !== '' && this.errors.password2 === undefined) {
      try {
        await validatePassword(password2, { [field]: username, username, email: this.data.email });
      } catch (error) {
        if (!(error instanceof PasswordValidationError)) throw error;
        for (const message of error.messages) this.addError('password2', message);
      }
    }
    return this.valid;
  }

  /** Creates the user (call after `isValid()`). */
  async save(): Promise<AuthUser> {
    const field = usernameField();
    return createUser({
      [field]: this.data.username,
      email: this.data.email,
      password: this.data.password1 ?? '',
    });
  }
}
