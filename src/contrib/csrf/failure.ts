/**
 * Why a request was refused (Django's `REASON_*` strings, word for word, so log searches
 * and tests written for Django carry over) and the default 403 page
 * (Django's `csrf_failure`): in debug mode it explains the usual causes.
 *
 * @module
 */
import type { HttpRequest } from '../../web/http/request.ts';
import { HttpResponseForbidden } from '../../web/http/response.ts';
import { escapeHtml } from '../../web/utils/html.ts';

export const REASON_BAD_ORIGIN = 'Origin checking failed - %s does not match any trusted origins.';
export const REASON_NO_REFERER = 'Referer checking failed - no Referer.';
export const REASON_BAD_REFERER = 'Referer checking failed - %s does not match any trusted origins.';
export const REASON_NO_CSRF_COOKIE = 'CSRF cookie not set.';
export const REASON_CSRF_TOKEN_MISSING = 'CSRF token missing.';
export const REASON_MALFORMED_REFERER = 'Referer checking failed - Referer is malformed.';
export const REASON_INSECURE_REFERER = 'Referer checking failed - Referer is insecure while host is secure.';
/** The word of a token that does not carry the secret: `CSRF token from POST incorrect.` */
export const REASON_BAD_TOKEN = 'incorrect';

/** Fills the `%s` of a reason. */
export function reasonWith(reason: string, value: string): string {
  return reason.replace('%s', value);
}

const STYLE =
  'html *{padding:0;margin:0}body *{padding:10px 20px}body{font:small sans-serif;background:#eee;color:#000}' +
  'body>div{border-bottom:1px solid #ddd}h1{font-weight:normal;margin-bottom:.4em}#info{background:#f6f6f6}' +
  '#info ul{margin:0.5em 4em}#info p,#summary p{padding-top:10px}#summary{background:#ffc}#explanation{background:#eee;border-bottom:0}';

/**
 * The built-in failure view: 403, with the reason and, in debug mode, what usually causes
 * it and how to fix it. Replace it with `csrf.failureView`.
 */
export function csrfFailure(request: HttpRequest, reason: string): HttpResponseForbidden {
  const noReferer = reason === REASON_NO_REFERER;
  const noCookie = reason === REASON_NO_CSRF_COOKIE;
  let body = `<div id="summary"><h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p>`;
  if (noReferer) {
    body +=
      '<p>You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your web browser, but none was sent. ' +
      'This header is required for security reasons, to ensure that your browser is not being hijacked by third parties.</p>' +
      '<p>If you have configured your browser to disable “Referer” headers, please re-enable them, at least for this site, or for HTTPS connections, or for “same-origin” requests.</p>';
  }
  if (noCookie) {
    body +=
      '<p>You are seeing this message because this site requires a CSRF cookie when submitting forms. ' +
      'This cookie is required for security reasons, to ensure that your browser is not being hijacked by third parties.</p>' +
      '<p>If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for “same-origin” requests.</p>';
  }
  body += '</div>';
  if (request.settings.debug) {
    body +=
      `<div id="info"><h2>Help</h2><p>Reason given for failure:</p><pre>    ${escapeHtml(reason)}\n    </pre>` +
      '<p>In general, this can occur when there is a genuine Cross Site Request Forgery, or when Portico’s CSRF mechanism has not been used correctly. For POST forms, you need to ensure:</p><ul>' +
      '<li>Your browser is accepting cookies.</li>' +
      '<li>The view passes a <code>request</code> to the template’s render method (<code>render(request, …)</code> or <code>TemplateResponse</code>).</li>' +
      '<li>In the template, there is a <code>{{ csrfInput() }}</code> inside each POST form that targets an internal URL.</li>' +
      '<li>If you are not using <code>CsrfViewMiddleware</code>, then you must use <code>csrfProtect</code> on any views that use <code>csrfInput()</code>, as well as those that accept the POST data.</li>' +
      '<li>The form has a valid CSRF token. After logging in in another browser tab or hitting the back button after a login, you may need to reload the page with the form, because the token is rotated after a login.</li>' +
      '</ul><p>You’re seeing the help section of this page because you have <code>debug: true</code> in your settings. Change that to <code>false</code>, and only the initial error message will be displayed.</p>' +
      '<p>You can customize this page using the <code>csrf.failureView</code> setting.</p></div>';
  } else {
    body +=
      '<div id="explanation"><p><small>More information is available with <code>debug: true</code>.</small></p></div>';
  }
  const html = `<!DOCTYPE html><html lang="en"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"><meta name="robots" content="NONE,NOARCHIVE"><title>403 Forbidden</title><style>${STYLE}</style></head><body>${body}</body></html>`;
  return new HttpResponseForbidden(html, { contentType: 'text/html; charset=utf-8' });
}
