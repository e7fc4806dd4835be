/**
 * The auth URLs (Django's `django.contrib.auth.urls`, the pages this app has):
 * `include(authUrls)` under `accounts/` gives `accounts/login/`, `accounts/logout/` and
 * `accounts/signup/`, named `login`, `logout` and `signup`.
 *
 * @module
 */
import { path } from '../../web/index.ts';
import { LoginView, LogoutView, SignupView } from './views.ts';

/** `login/`, `logout/`, `signup/`. */
export const authUrls = [
  path('login/', LoginView.asView(), { name: 'login' }),
  path('logout/', LogoutView.asView(), { name: 'logout' }),
  path('signup/', SignupView.asView(), { name: 'signup' }),
];
