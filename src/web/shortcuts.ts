/**
 * Shortcuts for views (Django's `django/shortcuts.py`).
 *
 * @module
 */
import type { HttpRequest } from './http/request.ts';
import { HttpResponse } from './http/response.ts';
import type { ResponseOptions } from './http/response-base.ts';
import { getEngine } from './template/engine.ts';
import type { Context, TemplateName } from './template/response.ts';

/**
 * Renders a template with the request now and returns the page (Django's `render`). Use
 * `TemplateResponse` instead when middleware should be able to change the template or
 * context before rendering.
 *
 * @example
 * ```ts
 * export const index = (request: HttpRequest) => render(request, 'blog/index.html', { posts });
 * ```
 * @throws TemplateDoesNotExist naming the places searched; TemplateError.
 */
export function render(
  request: HttpRequest,
  template: TemplateName,
  context: Context = {},
  options?: ResponseOptions,
): HttpResponse {
  return new HttpResponse(getEngine(request).getTemplate(template).render(context, request), options);
}
