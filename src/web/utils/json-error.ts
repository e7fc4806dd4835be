/**
 * Where a JSON text breaks, for a 400 that tells the client what to fix. V8 gives a
 * position for most errors but not for "Unexpected token", and its message quotes the
 * body; this finds the offset itself and words the message without echoing the input.
 *
 * @module
 */

/** Where and why a JSON text is invalid. */
export interface JsonErrorLocation {
  /** The offset (in UTF-16 units) of the first character that cannot be part of valid JSON. */
  readonly position: number;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

class Scan {
  i = 0;
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  fail(reason: string): never {
    throw Object.assign(new Error(reason), { position: this.i });
  }

  ws(): void {
    while (/[ \t\n\r]/.test(this.text[this.i] ?? '')) this.i++;
  }

  value(): void {
    this.ws();
    const c = this.text[this.i];
    if (c === undefined) this.fail('unexpected end of input');
    if (c === '{') return this.container('}', true);
    if (c === '[') return this.container(']', false);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  container(close: string, object: boolean): void {
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (object) {
        this.ws();
        if (this.text[this.i] !== '"') this.fail('expected a double-quoted property name');
        this.string();
        this.ws();
        if (this.text[this.i] !== ':') this.fail("expected ':' after a property name");
        this.i++;
      }
      this.value();
      this.ws();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === close) {
        this.i++;
        return;
      }
      this.fail(c === undefined ? 'unexpected end of input' : `expected ',' or '${close}'`);
    }
  }

  string(): void {
    this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') {
        this.i++;
        return;
      }
      if (c < ' ') this.fail('control character in a string');
      if (c === '\\') {
        const e = this.text[this.i + 1] ?? '';
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.fail('bad \\u escape');
          this.i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === '') this.fail('bad escape');
        this.i += 2;
        continue;
      }
      this.i++;
    }
  }

  number(): void {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.i));
    if (m === null || m[0] === '-') this.fail('bad number');
    this.i += m[0].length;
  }
}

/** Locates the first error in `text`, or returns `null` when it is valid JSON. */
export function locateJsonError(text: string): JsonErrorLocation | null {
  const scan = new Scan(text);
  let position: number;
  let reason: string;
  try {
    scan.value();
    scan.ws();
    if (scan.i === text.length) return null;
    position = scan.i;
    reason = 'unexpected data after the JSON value';
  } catch (error) {
    position = (error as { position: number }).position;
    reason = (error as Error).message;
  }
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return { position, line, column, reason };
}

/** The sentence a 400 gives for an invalid JSON body: where it broke, when that can be found. */
export function describeJsonError(text: string): string {
  const where = locateJsonError(text);
  return where === null
    ? 'The request body is not valid JSON.'
    : `The request body is not valid JSON: ${where.reason} at line ${where.line}, column ${where.column} (character ${where.position}).`;
}
