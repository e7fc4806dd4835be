/**
 * The TSGI compliance validator: a middleware that sits between a server and an
 * application and checks both sides of that one hop against `docs/tsgi.md`, like Python's
 * `wsgiref.validate`. Put it around an application under test, or between two layers of a
 * middleware stack, to find out which side breaks the contract.
 *
 * It checks the environ the server built before the application runs; wraps `tsgi.input`
 * and `tsgi.errors` to check how the application uses them; wraps `startResponse` and
 * `write` to check the status, the headers and the order of calls; and wraps the returned
 * body to check its chunks, its length against `Content-Length`, and that the server
 * closes it exactly once and never iterates it after closing.
 *
 * Each rule has an id (`TSGI-E05` for errors, `TSGI-W01` for warnings) listed in
 * {@link validationRules} and in the rule table of `docs/tsgi.md`. An error throws a
 * {@link TsgiViolationError} (code `PORTICO_ERR_TSGI_VIOLATION`) at the point where the
 * rule broke, so the stack shows the culprit; a warning is written to `tsgi.errors`.
 *
 * This is a debugging aid: it allocates wrappers per request and is not meant for
 * production traffic.
 *
 * @module
 */
import { PorticoError } from './errors.ts';
import { isHeaderValue, isHopByHop, isToken } from './headers.ts';
import { parseStatus } from './status.ts';
import type {
  Application,
  BodyChunk,
  Environ,
  ErrorStream,
  FileLike,
  FileWrapper,
  Header,
  InputStream,
  ResponseBody,
  StartResponse,
  WriteFn,
} from './types.ts';

/** Every rule the validator checks, by id, with what it requires. */
export const validationRules = {
  'TSGI-E01': 'The application is called with exactly two arguments: environ and startResponse (a function).',
  'TSGI-E02': 'startResponse is called with two or three arguments.',
  'TSGI-E03':
    'The application returns (or its promise resolves to) a body, not undefined, null or a primitive.',
  'TSGI-E04':
    'The body is not a bare string or byte array (which would be sent one character or byte at a time).',
  'TSGI-E05': 'The body is iterable or async iterable.',
  'TSGI-E06': 'The environ is a plain object.',
  'TSGI-E07': 'The environ holds every required key.',
  'TSGI-E08':
    'The environ has no HTTP_CONTENT_TYPE or HTTP_CONTENT_LENGTH (they are CONTENT_TYPE and CONTENT_LENGTH).',
  'TSGI-E09': 'Every CGI key (a key without a dot) holds a string.',
  'TSGI-E10':
    'CGI values are latin-1 strings, except SCRIPT_NAME and PATH_INFO, which are well-formed Unicode.',
  'TSGI-E11': 'tsgi.version is the array [1, 0].',
  'TSGI-E12': 'tsgi.url_scheme is "http" or "https".',
  'TSGI-E13': 'tsgi.input has read(), readLine() and Symbol.asyncIterator.',
  'TSGI-E14': 'tsgi.errors has write() and flush().',
  'TSGI-E15':
    'tsgi.multithread, tsgi.multiprocess, tsgi.run_once (and tsgi.input_terminated if present) are booleans; tsgi.file_wrapper, if present, is a function.',
  'TSGI-E16': 'SCRIPT_NAME is empty, or starts with "/" and does not end with "/".',
  'TSGI-E17': 'PATH_INFO is empty or starts with "/" (or is "*" for OPTIONS *, at the root).',
  'TSGI-E18': 'CONTENT_LENGTH, when present, is a non-empty string of decimal digits.',
  'TSGI-E19': 'REQUEST_METHOD is an HTTP token.',
  'TSGI-E20': 'SERVER_NAME is not empty and SERVER_PORT is decimal digits.',
  'TSGI-E21': 'tsgi.input.read() and readLine() take at most one argument, an integer size or nothing.',
  'TSGI-E22':
    'tsgi.input (the server side) returns promises of Uint8Array from read() and readLine(), never more than asked for, and iterates Uint8Array chunks.',
  'TSGI-E23': 'The application never calls close() on tsgi.input or tsgi.errors.',
  'TSGI-E24': 'tsgi.errors.write() receives a string.',
  'TSGI-E25':
    'The status is a string: three digits forming a final code (200-599), one space, a reason phrase, no control characters.',
  'TSGI-E26': 'The headers are an array of [name, value] pairs of strings.',
  'TSGI-E27': 'Every header name is an HTTP token.',
  'TSGI-E28': 'No header is named "Status".',
  'TSGI-E29': 'No header value holds a control character (tab excepted) or a character outside latin-1.',
  'TSGI-E30': 'No header is hop-by-hop (Connection, Keep-Alive, Transfer-Encoding, Upgrade...).',
  'TSGI-E31': 'A 204 or 304 response has no Content-Type, and a 204 has no Content-Length.',
  'TSGI-E32': 'startResponse is called again only with excInfo.',
  'TSGI-E33':
    "The server's startResponse returns a write function, and throws when given excInfo after the headers were sent.",
  'TSGI-E34': 'write() receives a Uint8Array or a string.',
  'TSGI-E35':
    'write() is not called once the application has returned its body (in particular not from inside it).',
  'TSGI-E36': 'Every body chunk is a Uint8Array or a string.',
  'TSGI-E37': 'startResponse has been called by the time the body produces its first chunk or ends.',
  'TSGI-E38': 'The server does not iterate the body after closing it.',
  'TSGI-E39': "The server calls the body's close() only once.",
  'TSGI-E40':
    'The body is exactly as long as a declared Content-Length (it may be shorter for HEAD and 304, never longer).',
  'TSGI-E41': 'A 204 or 304 response has an empty body.',
  'TSGI-E42': 'Content-Length, if set, is decimal digits and set once.',
  'TSGI-E43':
    'tsgi.file_wrapper reads nothing from the file before the application has returned the wrapper.',
  'TSGI-W01': 'REQUEST_METHOD is a method the validator does not know (allowed, but often a typo).',
  'TSGI-W02': 'A response with a body has no Content-Type.',
  'TSGI-W03': 'The body was garbage-collected without the server calling its close().',
} as const;

/** The id of a validation rule: `TSGI-E…` for an error, `TSGI-W…` for a warning. */
export type RuleId = keyof typeof validationRules;

/** One broken rule, as reported to {@link ValidateOptions.onViolation}. */
export interface Violation {
  /** The rule, e.g. `TSGI-E05`. */
  readonly rule: RuleId;
  /** `error` rules throw; `warning` rules are only reported. */
  readonly severity: 'error' | 'warning';
  /** What went wrong in this request, prefixed with the rule id. */
  readonly message: string;
}

/** Options of {@link validate}. */
export interface ValidateOptions {
  /**
   * Called for every violation, before an error is thrown. Useful in tests, or when the
   * application might catch the thrown error. When given, warnings go here instead of to
   * `tsgi.errors`.
   */
  onViolation?(violation: Violation): void;
}

/** The error thrown for a broken `TSGI-E…` rule. */
export class TsgiViolationError extends PorticoError {
  /** The broken rule, e.g. `TSGI-E05`. */
  readonly rule: RuleId;

  constructor(rule: RuleId, message: string) {
    super('PORTICO_ERR_TSGI_VIOLATION', message);
    this.name = 'TsgiViolationError';
    this.rule = rule;
  }
}

const REQUIRED_KEYS = [
  'REQUEST_METHOD',
  'SCRIPT_NAME',
  'PATH_INFO',
  'QUERY_STRING',
  'SERVER_NAME',
  'SERVER_PORT',
  'SERVER_PROTOCOL',
  'tsgi.version',
  'tsgi.url_scheme',
  'tsgi.input',
  'tsgi.errors',
  'tsgi.multithread',
  'tsgi.multiprocess',
  'tsgi.run_once',
] as const;

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);

const encoder = new TextEncoder();

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value !== 'object' && typeof value !== 'function') return `${typeof value} ${String(value)}`;
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : `a ${typeof value}`;
}

function byteLength(chunk: BodyChunk): number {
  if (typeof chunk !== 'string') return chunk.byteLength;
  // ASCII strings, the usual case, need no encoding to be measured.
  let ascii = true;
  for (let i = 0; i < chunk.length; i++) {
    if (chunk.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? chunk.length : encoder.encode(chunk).length;
}

/** What the validator knows about one request. */
class RequestState {
  readonly options: ValidateOptions;
  readonly errors: ErrorStream | undefined;
  readonly method: string;
  startCalled = false;
  /** True once a non-empty chunk went to the server: the headers are out. */
  headersSent = false;
  /** True once the application has returned its body (or its promise resolved). */
  returned = false;
  status = 0;
  hasContentType = false;
  declaredLength = -1;
  bytes = 0;
  ended = false;
  closed = false;
  warnedContentType = false;

  constructor(options: ValidateOptions, environ: Environ) {
    this.options = options;
    const errors = environ['tsgi.errors'];
    this.errors = typeof errors?.write === 'function' ? errors : undefined;
    this.method = environ.REQUEST_METHOD;
  }

  fail(rule: RuleId, detail: string): never {
    const message = `${rule}: ${detail}`;
    this.options.onViolation?.({ rule, severity: 'error', message });
    throw new TsgiViolationError(rule, message);
  }

  warn(rule: RuleId, detail: string): void {
    const message = `${rule}: ${detail}`;
    if (this.options.onViolation) {
      this.options.onViolation({ rule, severity: 'warning', message });
      return;
    }
    if (this.errors) {
      this.errors.write(`portico validate warning: ${message}\n`);
      this.errors.flush();
    }
  }

  /** Accounts for one chunk on its way to the server (from the body or from write()). */
  chunk(chunk: BodyChunk, via: 'write' | 'body'): void {
    const length = byteLength(chunk);
    if (length === 0) return;
    if (this.status === 204 || this.status === 304) {
      this.fail('TSGI-E41', `a ${this.status} response got ${length} body bytes from ${via}()`);
    }
    this.bytes += length;
    if (this.declaredLength !== -1 && this.bytes > this.declaredLength) {
      this.fail(
        'TSGI-E40',
        `the body is longer than the declared Content-Length ${this.declaredLength} (${this.bytes} bytes so far)`,
      );
    }
    if (!this.hasContentType && !this.warnedContentType) {
      this.warnedContentType = true;
      this.warn('TSGI-W02', `a ${this.status} response has a body but no Content-Type`);
    }
    this.headersSent = true;
  }

  /** The body ended normally. */
  end(): void {
    this.ended = true;
    if (!this.startCalled) this.fail('TSGI-E37', 'the body ended but startResponse was never called');
    if (
      this.declaredLength !== -1 &&
      this.bytes < this.declaredLength &&
      this.method !== 'HEAD' &&
      this.status !== 304
    ) {
      this.fail(
        'TSGI-E40',
        `the body ended after ${this.bytes} bytes, short of the declared Content-Length ${this.declaredLength}`,
      );
    }
  }
}

/** Reports a body collected without close() (the check wsgiref does in `__del__`). */
const unclosedBodies = new FinalizationRegistry<RequestState>((state) => {
  if (!state.closed) {
    try {
      state.warn('TSGI-W03', 'the response body was garbage-collected without the server calling close()');
    } catch {
      // A finalizer must not throw.
    }
  }
});

function checkEnviron(
  environ: unknown,
  fail: (rule: RuleId, detail: string) => never,
  warn: (rule: RuleId, detail: string) => void,
): asserts environ is Environ {
  if (environ === null || typeof environ !== 'object')
    fail('TSGI-E06', `the environ is ${describe(environ)}`);
  const proto = Object.getPrototypeOf(environ);
  if (proto !== Object.prototype && proto !== null) {
    fail('TSGI-E06', `the environ is ${describe(environ)}, not a plain object`);
  }
  const env = environ as Record<string, unknown>;
  for (const key of REQUIRED_KEYS) {
    if (env[key] === undefined) fail('TSGI-E07', `the environ lacks ${key}`);
  }
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in env) fail('TSGI-E08', `the environ has ${key}; the header belongs in ${key.slice(5)}`);
  }
  for (const key of Object.keys(env)) {
    if (key.indexOf('.') !== -1) continue;
    const value = env[key];
    if (typeof value !== 'string') {
      fail(
        'TSGI-E09',
        `CGI key ${key} holds ${describe(value)}; CGI keys hold strings (omit a key that has no value)`,
      );
    }
    if (key === 'PATH_INFO' || key === 'SCRIPT_NAME') {
      if (!isWellFormed(value)) fail('TSGI-E10', `${key} holds a lone UTF-16 surrogate`);
    } else if (!isLatin1(value)) {
      fail(
        'TSGI-E10',
        `${key} holds a character outside latin-1; header and target text is one character per octet`,
      );
    }
  }
  const version = env['tsgi.version'];
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    fail('TSGI-E11', `tsgi.version is ${describe(version)}, not [1, 0]`);
  }
  const scheme = env['tsgi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https') fail('TSGI-E12', `tsgi.url_scheme is ${describe(scheme)}`);
  const input = env['tsgi.input'] as Partial<InputStream> | null;
  if (
    typeof input !== 'object' ||
    input === null ||
    typeof input.read !== 'function' ||
    typeof input.readLine !== 'function' ||
    typeof input[Symbol.asyncIterator] !== 'function'
  ) {
    fail('TSGI-E13', `tsgi.input is ${describe(input)} without read(), readLine() and Symbol.asyncIterator`);
  }
  const errors = env['tsgi.errors'] as Partial<ErrorStream> | null;
  if (
    typeof errors !== 'object' ||
    errors === null ||
    typeof errors.write !== 'function' ||
    typeof errors.flush !== 'function'
  ) {
    fail('TSGI-E14', `tsgi.errors is ${describe(errors)} without write() and flush()`);
  }
  for (const key of ['tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once']) {
    if (typeof env[key] !== 'boolean') fail('TSGI-E15', `${key} is ${describe(env[key])}, not a boolean`);
  }
  const terminated = env['tsgi.input_terminated'];
  if (terminated !== undefined && typeof terminated !== 'boolean') {
    fail('TSGI-E15', `tsgi.input_terminated is ${describe(terminated)}, not a boolean`);
  }
  const wrapper = env['tsgi.file_wrapper'];
  if (wrapper !== undefined && typeof wrapper !== 'function') {
    fail('TSGI-E15', `tsgi.file_wrapper is ${describe(wrapper)}, not a function`);
  }
  const scriptName = env.SCRIPT_NAME as string;
  if (scriptName !== '' && (!scriptName.startsWith('/') || scriptName.endsWith('/'))) {
    fail(
      'TSGI-E16',
      `SCRIPT_NAME is ${JSON.stringify(scriptName)}; it must be "" (the root) or start with "/" and not end with "/"`,
    );
  }
  const pathInfo = env.PATH_INFO as string;
  const asterisk = pathInfo === '*' && env.REQUEST_METHOD === 'OPTIONS' && scriptName === '';
  if (pathInfo !== '' && !pathInfo.startsWith('/') && !asterisk) {
    fail(
      'TSGI-E17',
      `PATH_INFO is ${JSON.stringify(pathInfo)}; it must be empty or start with "/" ("*" only for OPTIONS *)`,
    );
  }
  const contentLength = env.CONTENT_LENGTH;
  if (contentLength !== undefined && !isDigits(contentLength as string)) {
    fail('TSGI-E18', `CONTENT_LENGTH is ${JSON.stringify(contentLength)}, not decimal digits`);
  }
  const method = env.REQUEST_METHOD as string;
  if (!isToken(method)) fail('TSGI-E19', `REQUEST_METHOD ${JSON.stringify(method)} is not an HTTP token`);
  if (env.SERVER_NAME === '') fail('TSGI-E20', 'SERVER_NAME is empty');
  if (!isDigits(env.SERVER_PORT as string)) {
    fail('TSGI-E20', `SERVER_PORT is ${JSON.stringify(env.SERVER_PORT)}, not decimal digits`);
  }
  if (!KNOWN_METHODS.has(method)) warn('TSGI-W01', `unusual REQUEST_METHOD ${JSON.stringify(method)}`);
}

function checkSize(state: RequestState, name: string, args: unknown[]): number | undefined {
  if (args.length > 1) state.fail('TSGI-E21', `tsgi.input.${name}() called with ${args.length} arguments`);
  const size = args[0];
  if (size !== undefined && !Number.isInteger(size)) {
    state.fail('TSGI-E21', `tsgi.input.${name}() size is ${describe(size)}, not an integer`);
  }
  return size as number | undefined;
}

async function checkedRead(
  state: RequestState,
  name: string,
  result: Promise<Uint8Array>,
  size: number | undefined,
): Promise<Uint8Array> {
  if (!isPromiseLike(result)) state.fail('TSGI-E22', `tsgi.input.${name}() did not return a promise`);
  const bytes: unknown = await result;
  if (!(bytes instanceof Uint8Array))
    state.fail('TSGI-E22', `tsgi.input.${name}() resolved to ${describe(bytes)}`);
  if (size !== undefined && size >= 0 && bytes.length > size) {
    state.fail('TSGI-E22', `tsgi.input.${name}(${size}) returned ${bytes.length} bytes`);
  }
  return bytes;
}

function wrapInput(state: RequestState, input: InputStream): InputStream & { close(): never } {
  const readNow = input.readNow?.bind(input);
  return {
    // Offered only when the server offers it (the application falls back to read()).
    ...(readNow === undefined
      ? {}
      : {
          readNow(...args: unknown[]): Uint8Array | null {
            const size = checkSize(state, 'readNow', args);
            if (size === undefined) state.fail('TSGI-E21', 'tsgi.input.readNow() needs a size');
            const bytes: unknown = readNow(size as number);
            if (bytes !== null && !(bytes instanceof Uint8Array))
              state.fail('TSGI-E22', `tsgi.input.readNow() returned ${describe(bytes)}`);
            if (bytes !== null && (size as number) >= 0 && bytes.length > (size as number)) {
              state.fail('TSGI-E22', `tsgi.input.readNow(${size}) returned ${bytes.length} bytes`);
            }
            return bytes;
          },
        }),
    read(...args: unknown[]): Promise<Uint8Array> {
      const size = checkSize(state, 'read', args);
      return checkedRead(state, 'read', input.read(size), size);
    },
    readLine(...args: unknown[]): Promise<Uint8Array> {
      const size = checkSize(state, 'readLine', args);
      return checkedRead(state, 'readLine', input.readLine(size), size);
    },
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      const inner = input[Symbol.asyncIterator]();
      return {
        async next(): Promise<IteratorResult<Uint8Array>> {
          const step = await inner.next();
          if (!step.done && !(step.value instanceof Uint8Array)) {
            state.fail('TSGI-E22', `iterating tsgi.input produced ${describe(step.value)}`);
          }
          return step;
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          await inner.return?.();
          return { done: true, value: undefined };
        },
      };
    },
    close(): never {
      return state.fail(
        'TSGI-E23',
        'the application called tsgi.input.close(); the input belongs to the server',
      );
    },
  };
}

function wrapErrors(state: RequestState, errors: ErrorStream): ErrorStream & { close(): never } {
  return {
    write(text: string): void {
      if (typeof text !== 'string') state.fail('TSGI-E24', `tsgi.errors.write() got ${describe(text)}`);
      errors.write(text);
    },
    flush(): void {
      errors.flush();
    },
    close(): never {
      return state.fail(
        'TSGI-E23',
        'the application called tsgi.errors.close(); the stream belongs to the server',
      );
    },
  };
}

function wrapFileWrapper(state: RequestState, fileWrapper: FileWrapper): FileWrapper {
  return (file: FileLike, blockSize?: number) => {
    // A Node FileHandle may get the server's fast path, which the proxy below would hide.
    if (typeof file !== 'object' || file === null || 'fd' in file) return fileWrapper(file, blockSize);
    const watched: FileLike = {
      read(size: number) {
        if (!state.returned) {
          state.fail(
            'TSGI-E43',
            'tsgi.file_wrapper read the file before the application returned the wrapper',
          );
        }
        return file.read(size);
      },
    };
    if (typeof file.close === 'function') watched.close = () => file.close?.();
    return fileWrapper(watched, blockSize);
  };
}

function checkHeaders(state: RequestState, status: number, headers: unknown): void {
  if (!Array.isArray(headers)) state.fail('TSGI-E26', `the headers are ${describe(headers)}, not an array`);
  let contentType = false;
  let contentLength: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const pair: unknown = headers[i];
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string'
    ) {
      state.fail('TSGI-E26', `header #${i} is ${describe(pair)}, not a [name, value] pair of strings`);
    }
    const [name, value] = pair as Header;
    if (!isToken(name)) state.fail('TSGI-E27', `header name ${JSON.stringify(name)} is not an HTTP token`);
    const lower = name.toLowerCase();
    if (lower === 'status')
      state.fail('TSGI-E28', "a header is named Status; the status is startResponse's first argument");
    if (!isHeaderValue(value)) {
      state.fail(
        'TSGI-E29',
        `header ${name} has a control character or a non-latin-1 character in its value`,
      );
    }
    if (isHopByHop(name)) state.fail('TSGI-E30', `header ${name} is hop-by-hop; only the server may set it`);
    if (lower === 'content-type') contentType = true;
    if (lower === 'content-length') {
      if (!isDigits(value))
        state.fail('TSGI-E42', `Content-Length ${JSON.stringify(value)} is not decimal digits`);
      if (contentLength !== undefined && contentLength !== value) {
        state.fail('TSGI-E42', `Content-Length is set twice (${contentLength} and ${value})`);
      }
      contentLength = value;
    }
  }
  if ((status === 204 || status === 304) && contentType) {
    state.fail('TSGI-E31', `a ${status} response must not have a Content-Type`);
  }
  if (status === 204 && contentLength !== undefined)
    state.fail('TSGI-E31', 'a 204 response must not have a Content-Length');
  state.status = status;
  state.hasContentType = contentType;
  state.declaredLength = contentLength === undefined ? -1 : Number(contentLength);
}

function wrapStartResponse(state: RequestState, startResponse: StartResponse): StartResponse {
  return (...args: unknown[]): WriteFn => {
    if (args.length < 2 || args.length > 3) {
      state.fail('TSGI-E02', `startResponse called with ${args.length} arguments`);
    }
    const [status, headers, excInfo] = args as [string, Header[], unknown];
    const replacing = excInfo !== undefined && excInfo !== null;
    if (!replacing && state.startCalled) {
      state.fail('TSGI-E32', 'startResponse called a second time without excInfo');
    }
    if (replacing && state.headersSent) {
      // The server must refuse: the status line is already on the wire.
      startResponse(status, headers, excInfo);
      state.fail(
        'TSGI-E33',
        'startResponse accepted excInfo after the headers were sent instead of throwing it',
      );
    }
    // Counted before the checks: a second call is wrong even when the first one threw.
    state.startCalled = true;
    if (typeof status !== 'string') state.fail('TSGI-E25', `the status is ${describe(status)}, not a string`);
    let code: number;
    try {
      code = parseStatus(status);
    } catch (error) {
      return state.fail('TSGI-E25', (error as Error).message);
    }
    checkHeaders(state, code, headers);
    const write: unknown = startResponse(status, headers, excInfo);
    if (typeof write !== 'function')
      state.fail('TSGI-E33', `startResponse returned ${describe(write)}, not write()`);
    return (...chunks: unknown[]): void => {
      const chunk = chunks[0];
      if (chunks.length !== 1 || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) {
        state.fail(
          'TSGI-E34',
          `write() got ${chunks.length === 1 ? describe(chunk) : `${chunks.length} arguments`}`,
        );
      }
      if (state.returned) {
        state.fail(
          'TSGI-E35',
          'write() called after the application returned its body; yield the chunk instead',
        );
      }
      state.chunk(chunk, 'write');
      (write as WriteFn)(chunk);
    };
  };
}

function checkChunk(state: RequestState, step: IteratorResult<unknown>): void {
  if (step.done) {
    state.end();
    return;
  }
  const chunk = step.value;
  if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
    state.fail('TSGI-E36', `the body produced ${describe(chunk)}; chunks are Uint8Array or string`);
  }
  if (!state.startCalled) state.fail('TSGI-E37', 'the body produced a chunk before startResponse was called');
  state.chunk(chunk, 'body');
}

function beforeNext(state: RequestState): void {
  if (state.closed) state.fail('TSGI-E38', 'the server iterated the body after closing it');
}

function closeBody(state: RequestState, body: ResponseBody, wrapper: object): void | Promise<void> {
  if (state.closed) state.fail('TSGI-E39', 'the server called close() on the body a second time');
  state.closed = true;
  unclosedBodies.unregister(wrapper);
  return body.close?.();
}

function wrapBody(state: RequestState, body: unknown): ResponseBody {
  state.returned = true;
  if (typeof body === 'string' || body instanceof Uint8Array || ArrayBuffer.isView(body)) {
    state.fail('TSGI-E04', `the application returned ${describe(body)}; return an array of chunks instead`);
  }
  if (body === null || (typeof body !== 'object' && typeof body !== 'function')) {
    state.fail('TSGI-E03', `the application returned ${describe(body)}, not a body`);
  }
  const inner = body as ResponseBody;
  const sync = (inner as Partial<Iterable<BodyChunk>>)[Symbol.iterator];
  const async = (inner as Partial<AsyncIterable<BodyChunk>>)[Symbol.asyncIterator];
  let wrapper: ResponseBody & { close(): void | Promise<void> };
  // Iterated the way a server would: synchronously when it can be.
  if (typeof sync === 'function') {
    wrapper = {
      [Symbol.iterator](): Iterator<BodyChunk> {
        const iterator = sync.call(inner);
        return {
          next(): IteratorResult<BodyChunk> {
            beforeNext(state);
            const step = iterator.next();
            checkChunk(state, step);
            return step;
          },
          return(): IteratorResult<BodyChunk> {
            iterator.return?.();
            return { done: true, value: undefined };
          },
        };
      },
      close: () => closeBody(state, inner, wrapper),
    };
  } else if (typeof async === 'function') {
    wrapper = {
      [Symbol.asyncIterator](): AsyncIterator<BodyChunk> {
        const iterator = async.call(inner);
        return {
          async next(): Promise<IteratorResult<BodyChunk>> {
            beforeNext(state);
            const step = await iterator.next();
            checkChunk(state, step);
            return step;
          },
          async return(): Promise<IteratorResult<BodyChunk>> {
            await iterator.return?.();
            return { done: true, value: undefined };
          },
        };
      },
      close: () => closeBody(state, inner, wrapper),
    };
  } else {
    // No server will ever see this object, so nothing else would release it.
    try {
      void Promise.resolve(inner.close?.()).catch(() => undefined);
    } catch {
      // The violation below is the report that matters.
    }
    return state.fail(
      'TSGI-E05',
      `the application returned ${describe(body)}, which is neither iterable nor async iterable`,
    );
  }
  unclosedBodies.register(wrapper, state, wrapper);
  return wrapper;
}

/**
 * Wraps `app` in the TSGI validator (Python's `wsgiref.validate`, for TSGI).
 *
 * The result is an application: hand it to any server, or call it from a test. A broken
 * error rule throws {@link TsgiViolationError} (`PORTICO_ERR_TSGI_VIOLATION`, with the
 * rule id in `rule` and at the start of the message) where it happens: in the validated
 * call for environ rules, in `startResponse`, `write` or the input stream for the
 * application's mistakes, in the body's `next()` or `close()` for the server's. A broken
 * warning rule is written to `tsgi.errors` (or given to `options.onViolation`).
 *
 * The validator replaces `tsgi.input`, `tsgi.errors` and `tsgi.file_wrapper` in the
 * environ with checking wrappers, and returns a wrapped body, so a server's fast paths
 * for its own body types do not apply behind it.
 *
 * @param app - the application to check.
 * @param options - `onViolation` sees every violation.
 * @returns the validating application.
 */
export function validate(app: Application, options: ValidateOptions = {}): Application {
  return function validated(...args: unknown[]): ResponseBody | Promise<ResponseBody> {
    const bootstrap = new RequestState(options, (args[0] ?? {}) as Environ);
    const fail = (rule: RuleId, detail: string): never => bootstrap.fail(rule, detail);
    if (args.length !== 2) fail('TSGI-E01', `the application was called with ${args.length} arguments`);
    const [environ, startResponse] = args;
    if (typeof startResponse !== 'function')
      fail('TSGI-E01', `startResponse is ${describe(startResponse)}, not a function`);
    checkEnviron(environ, fail, (rule, detail) => bootstrap.warn(rule, detail));
    const state = new RequestState(options, environ);
    environ['tsgi.input'] = wrapInput(state, environ['tsgi.input']);
    environ['tsgi.errors'] = wrapErrors(state, environ['tsgi.errors']);
    const fileWrapper = environ['tsgi.file_wrapper'];
    if (fileWrapper !== undefined) environ['tsgi.file_wrapper'] = wrapFileWrapper(state, fileWrapper);
    const result = app(environ, wrapStartResponse(state, startResponse as StartResponse));
    if (isPromiseLike(result)) return Promise.resolve(result).then((body) => wrapBody(state, body));
    return wrapBody(state, result);
  };
}
