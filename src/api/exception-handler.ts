/**
 * The one exception handler (DRF's `exception_handler`): every error an API view raises
 * goes through the `api.exceptionHandler` setting, which this is by default.
 *
 * @module
 */
import { getRollback, inAtomicBlock, setRollback } from '../db/index.ts';
import { Http404, PermissionDenied as DjangoPermissionDenied } from '../web/index.ts';
import { APIException, ErrorDetail, NotFound, PermissionDenied, ValidationError } from './exceptions.ts';
import type { Request } from './request.ts';
import { Response } from './response.ts';
import type { ResolvedApiSettings } from './settings.ts';

/** What the handler is told besides the error. */
export interface ExceptionContext {
  readonly view: object;
  readonly request: Request;
  readonly params: Readonly<Record<string, unknown>>;
  readonly args: readonly string[];
  readonly settings: ResolvedApiSettings;
}

/** Turns an error into a response, or returns null to let it through (it becomes a 500). */
export type ExceptionHandler = (
  error: unknown,
  context: ExceptionContext,
) => Response | null | Promise<Response | null>;

/**
 * The default handler: the framework's `Http404` and `PermissionDenied` become the API's
 * `NotFound` and `PermissionDenied`; an `APIException` answers its status with
 * `{"detail": …}` (a validation tree as it is), `WWW-Authenticate` and `Retry-After` when
 * they apply; the request's transaction is marked to roll back. Anything else: null.
 *
 * With `api.validationErrorStatus: 422`, a validation error answers 422 as an RFC 9457
 * problem (`application/problem+json`) whose `errors` member holds the tree.
 */
export function exceptionHandler(error: unknown, context: ExceptionContext): Response | null {
  let exc = error;
  if (exc instanceof Http404) exc = new NotFound(undefined, { cause: error });
  else if (exc instanceof DjangoPermissionDenied) exc = new PermissionDenied(undefined, { cause: error });
  if (!(exc instanceof APIException)) return null;
  const headers: Record<string, string> = {};
  if (exc.authenticateHeader !== undefined) headers['WWW-Authenticate'] = exc.authenticateHeader;
  const wait = (exc as { wait?: number | null }).wait;
  if (typeof wait === 'number') headers['Retry-After'] = String(Math.ceil(wait));
  setRollbackForRequest(context.request);
  if (exc instanceof ValidationError && context.settings.validationErrorStatus === 422) {
    return new Response(
      {
        type: 'about:blank',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'The request data did not pass validation.',
        errors: exc.detail,
      },
      { status: 422, headers, contentType: 'application/problem+json' },
    );
  }
  const detail = exc.detail;
  const data = detail instanceof ErrorDetail ? { detail } : detail;
  return new Response(data, { status: exc.status, headers });
}

/**
 * Marks the transaction of every database with `atomicRequests` that has one open, so the
 * request's changes are rolled back although the view answers normally (DRF's
 * `set_rollback()`).
 */
export function setRollbackForRequest(request: Request): void {
  const databases = (
    request.httpRequest.settings as { databases?: Record<string, { atomicRequests?: boolean }> }
  ).databases;
  if (databases === undefined) return;
  for (const [alias, db] of Object.entries(databases)) {
    if (db.atomicRequests === true && inAtomicBlock(alias) && !getRollback(alias)) setRollback(true, alias);
  }
}
