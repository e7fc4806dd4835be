/**
 * The default error views, used when neither the root URLconf nor the settings name one.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.ts';
import {
  HttpResponseBadRequest,
  HttpResponseForbidden,
  HttpResponseNotFound,
  HttpResponseServerError,
} from '../http/response.ts';
import type { HttpResponseBase } from '../http/response-base.ts';
import { escapeHtml } from '../utils/html.ts';

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en">\n<head><title>${title}</title></head>\n<body>\n  <h1>${title}</h1>\n${body}</body>\n</html>\n`;
}

/** 404: the resource was not found. The path is shown, escaped; the error message is not. */
export function pageNotFound(request: HttpRequest, _error?: unknown): HttpResponseBase {
  return new HttpResponseNotFound(
    page(
      'Not Found',
      `  <p>The requested resource <code>${escapeHtml(request.path)}</code> was not found on this server.</p>\n`,
    ),
  );
}

/** 403: the request was refused. */
export function permissionDenied(_request: HttpRequest, _error?: unknown): HttpResponseBase {
  return new HttpResponseForbidden(page('403 Forbidden', ''));
}

/** 400: the request was malformed. */
export function badRequest(_request: HttpRequest, _error?: unknown): HttpResponseBase {
  return new HttpResponseBadRequest(page('Bad Request (400)', ''));
}

/** 500: something went wrong; deliberately says nothing about what. */
export function serverError(_request: HttpRequest): HttpResponseBase {
  return new HttpResponseServerError(page('Server Error (500)', ''));
}
