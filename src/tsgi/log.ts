/**
 * Error reporting to `tsgi.errors`, shared by every server and bridge: one line with the
 * time, the request line and the error's code, then its cause chain.
 *
 * @module
 */
import type { Environ, ErrorStream } from './types.ts';

const hex = (code: number): string => `\\x${code.toString(16).padStart(2, '0')}`;

/**
 * A value from the wire made safe for one log line, as nginx escapes its access log:
 * control characters (CR and LF above all), `"`, `\` and everything past 0x7E become
 * `\xHH` (`\u{H…}` past 0xFF), so a value can neither start a new line nor close the
 * quotes around it and forge a field.
 */
export function escapeLogValue(text: string): string {
  if (!/[^\x20\x21\x23-\x5b\x5d-\x7e]/.test(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) out += char;
    else out += code <= 0xff ? hex(code) : `\\u{${code.toString(16)}}`;
  }
  return out;
}

/** Text made one line: control characters become `\xHH` (quotes and the rest stay). */
export function escapeLogLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? hex(code) : `\\u{${code.toString(16)}}`;
  });
}

/** `GET /path?q HTTP/1.1`, as received (the raw target when the server kept it), escaped for a log line. */
export function requestLine(environ: Environ): string {
  const target = environ.REQUEST_URI ?? `${environ.SCRIPT_NAME}${environ.PATH_INFO}`;
  return escapeLogValue(`${environ.REQUEST_METHOD} ${target} ${environ.SERVER_PROTOCOL}`);
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
      ? // Portico's messages are one line, and may quote the wire: never let them start another.
        `${code}: ${escapeLogLine(error.message)}`
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
