/**
 * Stack frames with the source lines around them, for the technical 500 page (Django's
 * traceback with "context lines"). Node's type stripping keeps line and column numbers,
 * so a frame in a `.ts` file points at the right line of the file on disk.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line of source around a frame. */
export interface SourceLine {
  /** 1-based line number. */
  readonly number: number;
  readonly text: string;
}

/** A parsed stack frame. */
export interface Frame {
  /** The function (`Object.view`, `async handler`), or null for top-level code. */
  readonly functionName: string | null;
  /** The file path (or URL / `node:` specifier when not a local file). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Lines around `line` (context before and after), empty when the source is unreadable. */
  readonly context: readonly SourceLine[];
  /** True for Node internals and dependencies, which a page may show collapsed. */
  readonly library: boolean;
}

/** Lines of context shown before and after the frame's line (Django shows 7). */
export const CONTEXT_LINES = 5;

// `    at name (location)` or `    at location`, where location is `file:line:column`.
const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

/** Parses `stack` (V8's format) into frames; lines that are not frames are skipped. */
export function parseStack(stack: string, readSource: (file: string) => string | null = readLocal): Frame[] {
  const sources = new Map<string, string[] | null>();
  const frames: Frame[] = [];
  for (const raw of stack.split('\n')) {
    const match = FRAME.exec(raw);
    if (match === null) continue;
    const [, fn, location, line, column] = match as unknown as [
      string,
      string | undefined,
      string,
      string,
      string,
    ];
    const file = toPath(location.replace(/^async /, ''));
    const lineNo = Number(line);
    let lines = sources.get(file);
    if (lines === undefined) {
      const text = readSource(file);
      lines = text === null ? null : text.split(/\r?\n/);
      sources.set(file, lines);
    }
    frames.push({
      functionName: fn === undefined ? null : fn.replace(/^async /, ''),
      file,
      line: lineNo,
      column: Number(column),
      context: lines === null ? [] : around(lines, lineNo),
      library: file.includes('/node_modules/') || !isAbsolute(file),
    });
  }
  return frames;
}

function around(lines: readonly string[], line: number): SourceLine[] {
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(lines.length, line + CONTEXT_LINES);
  const out: SourceLine[] = [];
  for (let n = first; n <= last; n++) out.push({ number: n, text: lines[n - 1] ?? '' });
  return out;
}

function toPath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

/** Reads a local source file; null for anything else (`node:` internals, `eval` code) or on failure. */
function readLocal(file: string): string | null {
  if (!isAbsolute(file)) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
