/**
 * Portico's auth app (Django's `django.contrib.auth`): users, groups and permissions on
 * Django's tables, password hashing in Django's formats, the password validators,
 * authentication backends, `login`/`logout` on the session, `AuthenticationMiddleware`,
 * access decorators and mixins, and the login, logout and sign-up views. See
 * `docs/contrib/auth.md`.
 *
 * @module
 */
export { AnonymousUser } from './anonymous.ts';
export { checkAuth, checkLoginThrottleShared } from './checks.ts';
export { authTemplatesDir } from './assets.ts';
export {
  AllowAllUsersModelBackend,
  type AuthBackend,
  BACKENDS_BY_NAME,
  type Credentials,
  getBackends,
  loadBackend,
  ModelBackend,
} from './backends.ts';
export { authContextProcessor } from './context-processors.ts';
export { constantTimeCompare, getRandomString, saltedHmac } from './crypto.ts';
export {
  type AccessOptions,
  loginRequired,
  permissionRequired,
  type PermissionOptions,
  redirectToLogin,
  requestUser,
  resolveUrl,
  userPassesTest,
} from './decorators.ts';
export { AuthenticationForm, Form, UserCreationForm } from './forms.ts';
export {
  checkPassword,
  type DecodedPassword,
  getHasher,
  getHashers,
  HASHERS_BY_NAME,
  identifyHasher,
  isPasswordUsable,
  makePassword,
  MD5PasswordHasher,
  PasswordHasher,
  PBKDF2PasswordHasher,
  PBKDF2SHA1PasswordHasher,
  ScryptPasswordHasher,
  UNUSABLE_PASSWORD_PREFIX,
  UnsaltedMD5PasswordHasher,
  verifyPassword,
} from './hashers.ts';
export {
  authenticate,
  BACKEND_SESSION_KEY,
  cleanCredentials,
  getUser,
  HASH_SESSION_KEY,
  login,
  logout,
  type RequestUser,
  SESSION_KEY,
  updateSessionAuthHash,
} from './login.ts';
export { AuthenticationMiddleware } from './middleware.ts';
export {
  AccessMixin,
  type AccessMixinFields,
  LoginRequiredMixin,
  PermissionRequiredMixin,
  UserPassesTestMixin,
} from './mixins.ts';
export {
  authApp,
  type BaseUser,
  type DefaultUser,
  Group,
  type GroupInstance,
  Permission,
  type PermissionInstance,
  User,
  type UserModel,
  type UserTypes,
  validateUsername,
} from './models.ts';
export {
  CommonPasswordValidator,
  getPasswordValidators,
  MinimumLengthValidator,
  NumericPasswordValidator,
  passwordChanged,
  type PasswordProblem,
  PasswordValidationError,
  type PasswordValidator,
  passwordValidatorsHelpTexts,
  UserAttributeSimilarityValidator,
  validatePassword,
  VALIDATORS_BY_NAME,
} from './password-validation.ts';
export { getAllPermissions, hasModulePerms, hasPerm, hasPerms } from './access.ts';
export {
  clearPermissionCache,
  createPermissions,
  DEFAULT_PERMISSIONS,
  getGroupPermissions,
  getUserPermissions,
  modelHasPerm,
} from './permissions.ts';
export {
  AUTH_DEFAULTS,
  type AuthSettings,
  authSettings,
  authSettingsSection,
  type BackendSpec,
  configureAuth,
  type HasherSpec,
  type ValidatorSpec,
} from './settings.ts';
export { userLoggedIn, userLoggedOut, userLoginFailed } from './signals.ts';
export { defaultLoginThrottle, LoginThrottle, type LoginThrottleStore } from './throttle.ts';
export {
  CacheLoginThrottle,
  LOGIN_THROTTLE_KEY_PREFIX,
  loginThrottleCacheAlias,
  loginThrottleFor,
} from './throttle-cache.ts';
export { urlHasAllowedHostAndScheme } from './url-safety.ts';
export { authUrls } from './urls.ts';
export {
  type AuthUser,
  checkUserPassword,
  createSuperuser,
  createUser,
  getByNaturalKey,
  getSessionAuthHash,
  getUserModel,
  getUsername,
  hasUsablePassword,
  normalizeEmail,
  normalizeUsername,
  setPassword,
  setUnusablePassword,
  usernameField,
} from './users.ts';
export { LoginView, LogoutView, SignupView } from './views.ts';
