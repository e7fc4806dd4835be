/**
 * The sessions' deploy checks (Django's `security.W010`–`W015`): the session cookie should
 * be `Secure` and `HttpOnly` in production. W010/W013 when the sessions app is installed,
 * W011/W014 when the middleware is listed, W012/W015 when both.
 *
 * @module
 */
import { type CheckContext, type CheckMessage, registerCheck } from '../../web/core/checks/index.ts';
import { SessionMiddleware } from './middleware.ts';
import { sessionsApp } from './models.ts';
import { sessionSettingsOf } from './engines.ts';

function uses(context: CheckContext): { app: boolean; middleware: boolean } {
  const settings = context.settings as {
    installedApps?: readonly unknown[];
    middleware?: readonly unknown[];
  };
  return {
    app: (settings.installedApps ?? []).includes(sessionsApp),
    middleware: (settings.middleware ?? []).includes(SessionMiddleware),
  };
}

function id(base: number, app: boolean, middleware: boolean): string {
  return `security.W0${base + (app && middleware ? 2 : middleware ? 1 : 0)}`;
}

/** `sessions.cookieSecure` and `sessions.cookieHttpOnly`, with `--deploy`. */
export function checkSessionCookies(context: CheckContext): CheckMessage[] {
  const { app, middleware } = uses(context);
  if (!app && !middleware) return [];
  const s = sessionSettingsOf(context.settings);
  const out: CheckMessage[] = [];
  if (!s.cookieSecure) {
    out.push({
      level: 'warning',
      id: id(10, app, middleware),
      message:
        'sessions.cookieSecure is not true: the session cookie is sent over plain HTTP too, where anyone on the path can steal the session.',
      hint: 'Set sessions.cookieSecure to true in production (the site is served over HTTPS).',
    });
  }
  if (!s.cookieHttpOnly) {
    out.push({
      level: 'warning',
      id: id(13, app, middleware),
      message:
        'sessions.cookieHttpOnly is not true: JavaScript on the page (an XSS) can read the session cookie.',
      hint: 'Set sessions.cookieHttpOnly to true (the default).',
    });
  }
  return out;
}

registerCheck(checkSessionCookies, { tags: ['security', 'sessions'], deploy: true });
