/**
 * The server's error log: every error goes to `tsgi.errors` with its code and the
 * request line, so one grep finds both the failure and the request that caused it.
 */
import type { Environ, ErrorStream } from '../tsgi/types.ts';

/** `GET /path?q HTTP/1.1`, as received. */
export function requestLine(environ: Environ): string {
  const target = environ.REQUEST_URI ?? `${environ.SCRIPT_NAME}${environ.PATH_INFO}`;
  return `${environ.REQUEST_METHOD} ${target} ${environ.SERVER_PROTOCOL}`;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // Our own errors say what broke in their message; their stack would only show server internals.
  const ours = typeof code === 'string' && code.startsWith('PORTICO_ERR_');
  let text = ours ? `${code}: ${error.message}` : (error.stack ?? `${error.name}: ${error.message}`);
  if (error.cause !== undefined) text += `\n  caused by: ${describe(error.cause)}`;
  return text;
}

/** Writes one error, with its code, cause and the request line when there is one. */
export function logError(errors: ErrorStream, error: unknown, environ?: Environ): void {
  const where = environ ? ` "${requestLine(environ)}"` : '';
  errors.write(`${new Date().toISOString()} portico error${where}: ${describe(error)}\n`);
  errors.flush();
}
