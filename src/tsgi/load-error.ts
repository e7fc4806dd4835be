/**
 * Describing why a module failed to load — a syntax error, or an exception while it was
 * evaluated — with the place Node gives: file, line and column, and the source line with
 * a caret under the column. Used by every loader (the app server's `MODULE:ATTR`, the
 * project commands' settings file) so a load failure reads the same everywhere.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ErrorCode, PorticoError } from './errors.ts';

/** Where a load failure happened, as far as Node says. */
export interface LoadFailure {
  /** One line: `FILE:LINE:COLUMN: MESSAGE`, or just the message when no place is known. */
  readonly summary: string;
  /** The source line and a caret under the column (two lines), or `''`. */
  readonly detail: string;
  /** A one-line hint when the cause is a package without `"type": "module"`, or `''`. */
  readonly hint: string;
}

// A module's frames under these folders are Portico's or a dependency's, not the user's.
const OWN_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOT_USER = [join(OWN_ROOT, 'src') + sep, join(OWN_ROOT, 'dist') + sep, `${sep}node_modules${sep}`];

/**
 * Node's own header on syntax errors: `FILE:LINE`, then source lines (type stripping shows
 * some context) with a caret line under the line in error, then a blank line.
 */
const ARROW = /^(.+):(\d+)\n(?:.*\n){1,8}?( *)\^+ *\n/;
/** A stack frame's location: `file:///…:LINE:COL`, bare or in parentheses. */
const FRAME = /(file:\/\/[^\s)]+):(\d+):(\d+)/g;

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}

/** The line's text and a caret under `column` (1-based), read from the file on disk. */
function sourceLines(file: string, line: number, column: number): string {
  try {
    const text = readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
    if (text === undefined) return '';
    // Tabs stay tabs under the caret so it lines up in a terminal.
    const pad = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
    return `  ${text}\n  ${pad}^`;
  } catch {
    return '';
  }
}

/** The nearest package.json above `file` that says its type, or none. */
function packageType(file: string): { path: string; type: string } | undefined {
  let dir = dirname(file);
  for (let i = 0; i < 64; i++) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      try {
        const type = (JSON.parse(readFileSync(path, 'utf8')) as { type?: unknown }).type;
        return { path, type: typeof type === 'string' ? type : 'commonjs (no "type")' };
      } catch {
        return undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/**
 * Describes what `import(file)` threw. `file` is the module that was asked for; the place
 * given is where Node says the failure is, which may be a module it imports.
 */
export function describeLoadFailure(error: unknown, file: string, cwd = process.cwd()): LoadFailure {
  if (!(error instanceof Error)) return { summary: String(error), detail: '', hint: '' };
  const message = error.message.split('\n')[0] ?? '';
  const stack = error.stack ?? '';
  let place: { file: string; line: number; column: number } | undefined;
  const arrow = ARROW.exec(stack);
  if (arrow !== null) {
    const where = (arrow[1] as string).replace(/^file:\/\//, '');
    place = { file: where, line: Number(arrow[2]), column: (arrow[3] as string).length + 1 };
  } else if (!(error instanceof SyntaxError)) {
    // Thrown while evaluating: the first frame in the user's code (not Portico's, not a
    // dependency's); a URLconf that throws through path() is reported at its own line.
    for (const match of stack.matchAll(FRAME)) {
      const where = fileURLToPath(match[1] as string);
      if (NOT_USER.some((prefix) => where.includes(prefix))) continue;
      place = { file: where, line: Number(match[2]), column: Number(match[3]) };
      break;
    }
  }
  let hint = '';
  if (
    error instanceof SyntaxError &&
    /Cannot use import statement outside a module|Unexpected token 'export'/.test(message)
  ) {
    const pkg = packageType(place?.file ?? file);
    if (pkg?.type !== 'module') {
      hint =
        pkg === undefined
          ? 'hint: add a package.json with "type": "module" (Portico projects are ES modules)'
          : `hint: ${shown(pkg.path, cwd)} needs "type": "module" (it is ${pkg.type}); Portico projects are ES modules`;
    }
  }
  if (place === undefined) return { summary: `${error.name}: ${message}`, detail: '', hint };
  return {
    summary: `${shown(place.file, cwd)}:${place.line}:${place.column}: ${error.name}: ${message}`,
    detail: sourceLines(place.file, place.line, place.column),
    hint,
  };
}

/** The lines printed under an error's one-line message: source, caret, hint. */
export function loadFailureDetail(failure: LoadFailure): string {
  return [failure.detail, failure.hint].filter((part) => part !== '').join('\n');
}

/**
 * A module that exists but failed to load. The message is one line (`WHAT failed to load:
 * FILE:LINE:COLUMN: …`); `detail` holds the source line, the caret and any hint, printed
 * under it; `cause` is what Node threw.
 */
export class ModuleLoadError extends PorticoError {
  /** The source line with a caret, and a hint; may be empty. */
  readonly detail: string;

  constructor(what: string, file: string, cause: unknown, code: ErrorCode = 'PORTICO_ERR_LOAD_FAILED') {
    const failure = describeLoadFailure(cause, file);
    super(code, `${what} failed to load: ${failure.summary}`, { cause });
    this.name = 'ModuleLoadError';
    this.detail = loadFailureDetail(failure);
  }
}
