/**
 * Error reporting to `tsgi.errors`, shared by every server and bridge: one line with the
 * time, the request line and the error's code, then its cause chain.
 *
 * @module
 */
import type { Environ, ErrorStream } from './types.ts';

/** `GET /path?q HTTP/1.1`, as received (the raw target when the server kept it). */
export function requestLine(environ: Environ): string {
  const target = environ.REQUEST_URI ?? `${environ.SCRIPT_NAME}${environ.PATH_INFO}`;
  return `${environ.REQUEST_METHOD} ${target} ${environ.SERVER_PROTOCOL}`;
}

/**
 * An error as log text. Portico's own errors say what broke in their message (their stack
 * would only show server internals); anything else keeps its stack. Causes follow.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  let text =
    typeof code === 'string' && code.startsWith('PORTICO_ERR_')
      ? `${code}: ${error.message}`
      : (error.stack ?? `${error.name}: ${error.message}`);
  if (error.cause !== undefined) text += `\n  caused by: ${describeError(error.cause)}`;
  return text;
}

/**
 * Writes one error to `errors`, with the request line when there is a request. Never
 * throws: an error stream that fails has nowhere left to report to.
 */
export function logError(errors: ErrorStream, error: unknown, environ?: Environ): void {
  const where = environ ? ` "${requestLine(environ)}"` : '';
  try {
    errors.write(`${new Date().toISOString()} portico error${where}: ${describeError(error)}\n`);
    errors.flush();
  } catch {
    // Nothing more can be done.
  }
}

/**
 * A `tsgi.errors` stream on `console.error`, the one error sink every runtime has. Text is
 * buffered to whole lines, since each `console.error` call ends a line.
 */
export function consoleErrorStream(): ErrorStream {
  let buffer = '';
  return {
    write(text: string): void {
      buffer += text;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        console.error(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    },
    flush(): void {
      if (buffer !== '') console.error(buffer);
      buffer = '';
    },
  };
}
