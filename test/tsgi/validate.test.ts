import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type {
  Application,
  BodyChunk,
  Environ,
  ErrorStream,
  ExcInfo,
  FileLike,
  FileWrapperBody,
  Header,
  InputStream,
  ResponseBody,
  StartResponse,
} from '../../src/tsgi/types.ts';
import {
  type RuleId,
  TsgiViolationError,
  type Violation,
  validate,
  validationRules,
} from '../../src/tsgi/validate.ts';

// --- a tiny TSGI server for the tests -----------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function memoryErrors(): ErrorStream & { text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
    flush() {},
  };
}

function memoryInput(body: string): InputStream {
  let pending = encoder.encode(body);
  const take = (size: number) => {
    const out = pending.subarray(0, size);
    pending = pending.subarray(out.length);
    return out;
  };
  return {
    read: async (size?: number) => take(size === undefined || size < 0 ? pending.length : size),
    async readLine(size?: number) {
      const newline = pending.indexOf(10);
      const line = newline === -1 ? pending.length : newline + 1;
      return take(size === undefined || size < 0 ? line : Math.min(size, line));
    },
    async *[Symbol.asyncIterator]() {
      if (pending.length > 0) yield take(pending.length);
    },
  };
}

function simpleFileWrapper(file: FileLike, blockSize = 4): FileWrapperBody {
  return {
    async *[Symbol.asyncIterator]() {
      while (true) {
        const chunk = await file.read(blockSize);
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
    async close() {
      await file.close?.();
    },
  };
}

function makeEnviron(
  overrides: Record<string, unknown> = {},
  body = '',
): Environ & { 'tsgi.errors': { text: string } } {
  const environ: Record<string, unknown> = {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: '/',
    QUERY_STRING: '',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    HTTP_HOST: 'localhost',
    'tsgi.version': [1, 0],
    'tsgi.url_scheme': 'http',
    'tsgi.input': memoryInput(body),
    'tsgi.errors': memoryErrors(),
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.input_terminated': true,
    'tsgi.file_wrapper': simpleFileWrapper,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete environ[key];
    else environ[key] = value;
  }
  return environ as Environ & { 'tsgi.errors': { text: string } };
}

interface Served {
  status: string;
  headers: Header[];
  body: string;
  log: string;
}

/** Runs `app` the way a conforming server does, and what it sent. */
async function serve(app: Application, environ: Environ = makeEnviron()): Promise<Served> {
  let status = '';
  let headers: Header[] = [];
  let started = false;
  let headersSent = false;
  const parts: Uint8Array[] = [];
  const send = (chunk: BodyChunk) => {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    if (bytes.length > 0) headersSent = true;
    parts.push(bytes);
  };
  const startResponse: StartResponse = (s: string, h: Header[], excInfo?: ExcInfo) => {
    if (excInfo !== undefined && headersSent) throw excInfo;
    if (excInfo === undefined && started) throw new Error('headers already set');
    started = true;
    status = s;
    headers = h;
    return send;
  };
  // The validator swaps tsgi.errors for its wrapper: keep the server's own stream.
  const errors = environ['tsgi.errors'] as unknown as { text?: string };
  const body = await app(environ, startResponse);
  try {
    if (typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function') {
      for (const chunk of body as Iterable<BodyChunk>) send(chunk);
    } else {
      for await (const chunk of body as AsyncIterable<BodyChunk>) send(chunk);
    }
  } finally {
    await body.close?.();
  }
  const length = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return { status, headers, body: decoder.decode(all), log: errors.text ?? '' };
}

function violation(rule: RuleId) {
  return (error: unknown) => {
    assert.ok(error instanceof TsgiViolationError, `expected a TsgiViolationError, got ${String(error)}`);
    assert.equal(error.code, 'PORTICO_ERR_TSGI_VIOLATION');
    assert.equal(error.rule, rule, error.message);
    assert.ok(error.message.startsWith(`${rule}: `), error.message);
    return true;
  };
}

const ok: Application = (_environ, start) => {
  start('200 OK', [['Content-Type', 'text/plain']]);
  return ['ok'];
};

/** Runs the validated app on an environ that `mutate` broke, expecting `rule`. */
function environViolation(rule: RuleId, overrides: Record<string, unknown>) {
  const app = validate(ok);
  assert.throws(() => app(makeEnviron(overrides), () => () => {}), violation(rule));
}

// --- a good application passes untouched ----------------------------------------------------

test('good applications of every shape pass, with identical output and no report', async () => {
  const apps: Record<string, Application> = {
    array: (_e, start) => {
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '5'],
      ]);
      return ['hel', encoder.encode('lo')];
    },
    'lazy generator': (_e, start) =>
      (function* () {
        start('201 Created', [
          ['Content-Type', 'text/plain'],
          ['Set-Cookie', 'a=1'],
          ['Set-Cookie', 'b=2'],
        ]);
        yield '';
        yield 'caf\u00e9';
      })(),
    async: async (environ, start) => {
      const body = await environ['tsgi.input'].read();
      const line = await environ['tsgi.input'].readLine(10);
      environ['tsgi.errors'].write('reading\n');
      environ['tsgi.errors'].flush();
      start('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        yield `got ${decoder.decode(body)}${line.length}`;
      })();
    },
    'write then empty': (_e, start) => {
      const write = start('200 OK', [['Content-Type', 'text/plain']]);
      write('written ');
      write(encoder.encode('bytes'));
      return [];
    },
    'HEAD shorter than Content-Length': (_e, start) => {
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', '100'],
      ]);
      return [];
    },
    'error replaced before headers': (_e, start) => {
      start('200 OK', [['Content-Type', 'text/plain']]);
      try {
        throw new Error('boom');
      } catch (error) {
        start('500 Internal Server Error', [['Content-Type', 'text/plain']], error);
        return ['failed'];
      }
    },
    'file wrapper': (environ, start) => {
      start('200 OK', [['Content-Type', 'application/octet-stream']]);
      const data = encoder.encode('0123456789');
      let at = 0;
      const wrap = environ['tsgi.file_wrapper'] as NonNullable<Environ['tsgi.file_wrapper']>;
      return wrap({
        read: (size) => {
          const out = data.subarray(at, at + size);
          at += out.length;
          return out;
        },
      });
    },
    '204': (_e, start) => {
      start('204 No Content', []);
      return [];
    },
  };
  for (const [name, app] of Object.entries(apps)) {
    const environ = () =>
      makeEnviron(name.startsWith('HEAD') ? { REQUEST_METHOD: 'HEAD' } : {}, 'posted\nmore');
    const plain = await serve(app, environ());
    const violations: Violation[] = [];
    const checked = await serve(validate(app, { onViolation: (v) => violations.push(v) }), environ());
    assert.deepEqual(violations, [], name);
    assert.deepEqual(checked, plain, name);
    // Without onViolation, warnings would land in tsgi.errors: nothing did.
    const logged = await serve(validate(app), environ());
    assert.equal(logged.log.includes('TSGI-'), false, name);
  }
});

test('rule ids are documented in docs/tsgi.md with their summaries, and every id is checked by a test', () => {
  const spec = readFileSync(new URL('../../docs/tsgi.md', import.meta.url), 'utf8');
  const self = readFileSync(new URL(import.meta.url), 'utf8');
  for (const rule of Object.keys(validationRules)) {
    assert.ok(spec.includes(`| ${rule} |`), `${rule} has no row in docs/tsgi.md`);
    assert.ok(
      self.includes(`test('${rule}`) || self.includes(`violation('${rule}')`),
      `${rule} is not tested`,
    );
  }
});

// --- call and return ------------------------------------------------------------------------

test('TSGI-E01: the application gets exactly environ and a startResponse function', () => {
  const app = validate(ok) as (...args: unknown[]) => unknown;
  assert.throws(() => app(makeEnviron()), violation('TSGI-E01'));
  assert.throws(() => app(makeEnviron(), () => () => {}, 'extra'), violation('TSGI-E01'));
  assert.throws(() => app(makeEnviron(), 'start'), violation('TSGI-E01'));
});

test('TSGI-E02: startResponse takes two or three arguments', async () => {
  const app = validate(((_e: Environ, start: (...a: unknown[]) => unknown) => {
    start('200 OK');
    return [];
  }) as unknown as Application);
  await assert.rejects(serve(app), violation('TSGI-E02'));
});

test('TSGI-E03: the application must return a body, also when async', async () => {
  await assert.rejects(serve(validate((() => undefined) as unknown as Application)), violation('TSGI-E03'));
  await assert.rejects(serve(validate((async () => null) as unknown as Application)), violation('TSGI-E03'));
  await assert.rejects(serve(validate((() => 42) as unknown as Application)), violation('TSGI-E03'));
});

test('TSGI-E04: a bare string or Uint8Array body is refused', async () => {
  const stringApp = ((_e: Environ, start: StartResponse) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return 'hello';
  }) as unknown as Application;
  await assert.rejects(serve(validate(stringApp)), violation('TSGI-E04'));
  const bytesApp = (async () => encoder.encode('x')) as unknown as Application;
  await assert.rejects(serve(validate(bytesApp)), violation('TSGI-E04'));
});

test('TSGI-E05: the body must be iterable or async iterable', async () => {
  let closed = 0;
  const app = (() => ({ close: () => void closed++ })) as unknown as Application;
  await assert.rejects(serve(validate(app)), violation('TSGI-E05'));
  assert.equal(closed, 1, 'the rejected body is still closed');
});

// --- the environ ----------------------------------------------------------------------------

test('TSGI-E06: the environ is a plain object', () => {
  const app = validate(ok);
  assert.throws(() => app(new Map() as unknown as Environ, () => () => {}), violation('TSGI-E06'));
  class Env {}
  const environ = Object.assign(new Env(), makeEnviron()) as unknown as Environ;
  assert.throws(() => app(environ, () => () => {}), violation('TSGI-E06'));
  assert.throws(() => app(null as unknown as Environ, () => () => {}), violation('TSGI-E06'));
  // A null-prototype object is plain enough.
  const bare = Object.assign(Object.create(null), makeEnviron()) as Environ;
  app(bare, () => () => {});
});

test('TSGI-E07: every required key is present', () => {
  for (const key of [
    'REQUEST_METHOD',
    'PATH_INFO',
    'QUERY_STRING',
    'SERVER_PROTOCOL',
    'tsgi.input',
    'tsgi.run_once',
  ]) {
    environViolation('TSGI-E07', { [key]: undefined });
  }
});

test('TSGI-E08: no HTTP_CONTENT_TYPE or HTTP_CONTENT_LENGTH', () => {
  environViolation('TSGI-E08', { HTTP_CONTENT_TYPE: 'text/plain' });
  environViolation('TSGI-E08', { HTTP_CONTENT_LENGTH: '3' });
});

test('TSGI-E09: CGI keys hold strings', () => {
  environViolation('TSGI-E09', { SERVER_PORT: 80 });
  environViolation('TSGI-E09', { REMOTE_USER: null });
  // Dotted keys may hold anything.
  validate(ok)(makeEnviron({ 'portico.thing': 42 }), () => () => {});
});

test('TSGI-E10: latin-1 CGI text, well-formed Unicode paths', () => {
  environViolation('TSGI-E10', { HTTP_X_PRICE: '\u20ac5' });
  environViolation('TSGI-E10', { QUERY_STRING: 'q=\u20ac' });
  environViolation('TSGI-E10', { PATH_INFO: '/a\ud800b' });
  validate(ok)(makeEnviron({ PATH_INFO: '/\u20ac/\u{1f600}', HTTP_X: 'caf\u00e9' }), () => () => {});
});

test('TSGI-E11: tsgi.version is [1, 0]', () => {
  environViolation('TSGI-E11', { 'tsgi.version': [1, 1] });
  environViolation('TSGI-E11', { 'tsgi.version': '1.0' });
});

test('TSGI-E12: tsgi.url_scheme is http or https', () => {
  environViolation('TSGI-E12', { 'tsgi.url_scheme': 'ftp' });
  environViolation('TSGI-E12', { 'tsgi.url_scheme': 'HTTP' });
});

test('TSGI-E13: tsgi.input has the stream methods', () => {
  environViolation('TSGI-E13', { 'tsgi.input': { read: async () => new Uint8Array() } });
  environViolation('TSGI-E13', { 'tsgi.input': 'body' });
});

test('TSGI-E14: tsgi.errors has write and flush', () => {
  environViolation('TSGI-E14', { 'tsgi.errors': { write() {} } });
});

test('TSGI-E15: the flags are booleans, file_wrapper a function', () => {
  environViolation('TSGI-E15', { 'tsgi.multithread': 0 });
  environViolation('TSGI-E15', { 'tsgi.input_terminated': 'yes' });
  environViolation('TSGI-E15', { 'tsgi.file_wrapper': {} });
});

test('TSGI-E16: SCRIPT_NAME is "" or a path without a trailing slash', () => {
  environViolation('TSGI-E16', { SCRIPT_NAME: '/' });
  environViolation('TSGI-E16', { SCRIPT_NAME: 'app' });
  environViolation('TSGI-E16', { SCRIPT_NAME: '/app/' });
  validate(ok)(makeEnviron({ SCRIPT_NAME: '/app', PATH_INFO: '' }), () => () => {});
});

test('TSGI-E17: PATH_INFO is empty or starts with a slash', () => {
  environViolation('TSGI-E17', { PATH_INFO: 'x' });
  environViolation('TSGI-E17', { PATH_INFO: '*' });
  environViolation('TSGI-E17', { PATH_INFO: '*', REQUEST_METHOD: 'OPTIONS', SCRIPT_NAME: '/app' });
  // OPTIONS * is the one exception.
  validate(ok)(makeEnviron({ PATH_INFO: '*', REQUEST_METHOD: 'OPTIONS' }), () => () => {});
});

test('TSGI-E18: CONTENT_LENGTH is digits', () => {
  environViolation('TSGI-E18', { CONTENT_LENGTH: '' });
  environViolation('TSGI-E18', { CONTENT_LENGTH: '-1' });
  environViolation('TSGI-E18', { CONTENT_LENGTH: '1e3' });
  validate(ok)(makeEnviron({ CONTENT_LENGTH: '0' }), () => () => {});
});

test('TSGI-E19: REQUEST_METHOD is a token', () => {
  environViolation('TSGI-E19', { REQUEST_METHOD: 'GE T' });
  environViolation('TSGI-E19', { REQUEST_METHOD: '' });
});

test('TSGI-E20: SERVER_NAME is set and SERVER_PORT is digits', () => {
  environViolation('TSGI-E20', { SERVER_NAME: '' });
  environViolation('TSGI-E20', { SERVER_PORT: 'http' });
});

test('TSGI-W01: an unknown method is a warning in tsgi.errors, not an error', async () => {
  const environ = makeEnviron({ REQUEST_METHOD: 'PROPFIND' });
  const served = await serve(validate(ok), environ);
  assert.equal(served.status, '200 OK');
  assert.match(served.log, /TSGI-W01: unusual REQUEST_METHOD "PROPFIND"/);
  const seen: Violation[] = [];
  await serve(
    validate(ok, { onViolation: (v) => seen.push(v) }),
    makeEnviron({ REQUEST_METHOD: 'PROPFIND' }),
  );
  assert.deepEqual(
    seen.map((v) => [v.rule, v.severity]),
    [['TSGI-W01', 'warning']],
  );
});

// --- tsgi.input and tsgi.errors ------------------------------------------------------------

test('TSGI-E21: read sizes are integers or nothing', async () => {
  const bad = async (environ: Environ) => {
    await environ['tsgi.input'].read('10' as unknown as number);
    return [];
  };
  await assert.rejects(serve(validate(bad)), violation('TSGI-E21'));
  const twoArgs = async (environ: Environ) => {
    await (environ['tsgi.input'].readLine as (...a: unknown[]) => Promise<Uint8Array>)(1, 2);
    return [];
  };
  await assert.rejects(serve(validate(twoArgs)), violation('TSGI-E21'));
});

test('TSGI-E22: the server input returns Uint8Array, no longer than asked', async () => {
  const reader: Application = async (environ, start) => {
    await environ['tsgi.input'].read(2);
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [];
  };
  const strings = { ...memoryInput(''), read: async () => 'text' } as unknown as InputStream;
  await assert.rejects(
    serve(validate(reader), makeEnviron({ 'tsgi.input': strings })),
    violation('TSGI-E22'),
  );
  const greedy = { ...memoryInput(''), read: async () => new Uint8Array(5) };
  await assert.rejects(serve(validate(reader), makeEnviron({ 'tsgi.input': greedy })), violation('TSGI-E22'));
  const iterating: Application = async (environ, start) => {
    for await (const _ of environ['tsgi.input']) {
      // drain
    }
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [];
  };
  const weird = {
    ...memoryInput(''),
    async *[Symbol.asyncIterator]() {
      yield 'not bytes';
    },
  };
  await assert.rejects(
    serve(validate(iterating), makeEnviron({ 'tsgi.input': weird })),
    violation('TSGI-E22'),
  );
});

test('tsgi.input.readNow: offered through the validator only when the server offers it, and checked', async () => {
  let seen: unknown = 'unset';
  const now: Application = (environ, start) => {
    const input = environ['tsgi.input'];
    seen = input.readNow === undefined ? 'absent' : input.readNow(2);
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [];
  };
  await serve(validate(now), makeEnviron({ 'tsgi.input': memoryInput('') }));
  assert.equal(seen, 'absent');
  const atHand = { ...memoryInput(''), readNow: () => new Uint8Array([1, 2]) };
  await serve(validate(now), makeEnviron({ 'tsgi.input': atHand }));
  assert.deepEqual(seen, new Uint8Array([1, 2]));
  const waiting = { ...memoryInput(''), readNow: () => null };
  await serve(validate(now), makeEnviron({ 'tsgi.input': waiting }));
  assert.equal(seen, null);
  const greedy = { ...memoryInput(''), readNow: () => new Uint8Array(5) };
  await assert.rejects(serve(validate(now), makeEnviron({ 'tsgi.input': greedy })), violation('TSGI-E22'));
  const text = { ...memoryInput(''), readNow: () => 'text' } as unknown as InputStream;
  await assert.rejects(serve(validate(now), makeEnviron({ 'tsgi.input': text })), violation('TSGI-E22'));
  const noSize: Application = (environ) => {
    (environ['tsgi.input'].readNow as () => unknown)();
    return [];
  };
  await assert.rejects(serve(validate(noSize), makeEnviron({ 'tsgi.input': atHand })), violation('TSGI-E21'));
});

test('TSGI-E23: the application never closes tsgi.input or tsgi.errors', async () => {
  const closeInput = (environ: Environ) => {
    (environ['tsgi.input'] as unknown as { close(): void }).close();
    return [];
  };
  await assert.rejects(serve(validate(closeInput)), violation('TSGI-E23'));
  const closeErrors = (environ: Environ) => {
    (environ['tsgi.errors'] as unknown as { close(): void }).close();
    return [];
  };
  await assert.rejects(serve(validate(closeErrors)), violation('TSGI-E23'));
});

test('TSGI-E24: tsgi.errors takes text', async () => {
  const app = (environ: Environ) => {
    environ['tsgi.errors'].write(encoder.encode('bytes') as unknown as string);
    return [];
  };
  await assert.rejects(serve(validate(app)), violation('TSGI-E24'));
});

// --- startResponse -------------------------------------------------------------------------

function withStatus(status: unknown, headers: unknown = [['Content-Type', 'text/plain']]): Application {
  return (_e, start) => {
    start(status as string, headers as Header[]);
    return [];
  };
}

test('TSGI-E25: the status is "NNN Reason" with a final code', async () => {
  for (const status of ['200OK', 'OK 200', '200', '099 Low', '100 Continue', '200 OK\r\n', 200]) {
    await assert.rejects(serve(validate(withStatus(status))), violation('TSGI-E25'), String(status));
  }
});

test('TSGI-E26: headers are an array of [name, value] string pairs', async () => {
  await assert.rejects(serve(validate(withStatus('200 OK', { 'Content-Type': 'x' }))), violation('TSGI-E26'));
  await assert.rejects(serve(validate(withStatus('200 OK', [['A', 'b', 'c']]))), violation('TSGI-E26'));
  await assert.rejects(serve(validate(withStatus('200 OK', [['A', 1]]))), violation('TSGI-E26'));
});

test('TSGI-E27: header names are tokens', async () => {
  await assert.rejects(serve(validate(withStatus('200 OK', [['Bad Name', 'x']]))), violation('TSGI-E27'));
  await assert.rejects(serve(validate(withStatus('200 OK', [['X-A:', 'x']]))), violation('TSGI-E27'));
});

test('TSGI-E28: no Status header', async () => {
  await assert.rejects(serve(validate(withStatus('200 OK', [['status', '200']]))), violation('TSGI-E28'));
});

test('TSGI-E29: no control characters or non-latin-1 in values', async () => {
  await assert.rejects(
    serve(validate(withStatus('200 OK', [['X-A', 'a\r\nSet-Cookie: evil=1']]))),
    violation('TSGI-E29'),
  );
  await assert.rejects(serve(validate(withStatus('200 OK', [['X-A', '\u20ac']]))), violation('TSGI-E29'));
});

test('TSGI-E30: no hop-by-hop headers', async () => {
  for (const name of ['Connection', 'transfer-encoding', 'Keep-Alive', 'Upgrade', 'TE', 'Trailer']) {
    await assert.rejects(serve(validate(withStatus('200 OK', [[name, 'x']]))), violation('TSGI-E30'), name);
  }
});

test('TSGI-E31: 204 and 304 carry no Content-Type; 204 no Content-Length', async () => {
  await assert.rejects(serve(validate(withStatus('204 No Content'))), violation('TSGI-E31'));
  await assert.rejects(serve(validate(withStatus('304 Not Modified'))), violation('TSGI-E31'));
  await assert.rejects(
    serve(validate(withStatus('204 No Content', [['Content-Length', '0']]))),
    violation('TSGI-E31'),
  );
  await serve(validate(withStatus('304 Not Modified', [['ETag', '"x"']])));
});

test('TSGI-E32: a second startResponse needs excInfo, even when the first one failed', async () => {
  const twice: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    start('404 Not Found', [['Content-Type', 'text/plain']]);
    return [];
  };
  await assert.rejects(serve(validate(twice)), violation('TSGI-E32'));
  const retry: Application = (_e, start) => {
    try {
      start('200 OK', [['Bad Name', 'x']]);
    } catch {
      start('200 OK', [['Content-Type', 'text/plain']]);
    }
    return [];
  };
  await assert.rejects(serve(validate(retry)), violation('TSGI-E32'));
});

test('TSGI-E33: the server throws excInfo back once the headers are sent', async () => {
  const boom = new Error('late failure');
  let caught: unknown;
  const late: Application = (_e, start) =>
    (function* () {
      start('200 OK', [['Content-Type', 'text/plain']]);
      yield 'partial';
      try {
        start('500 Internal Server Error', [['Content-Type', 'text/plain']], boom);
      } catch (error) {
        caught = error;
      }
    })();
  // A conforming server throws the application's own error back.
  await serve(validate(late));
  assert.equal(caught, boom);
  // A server that accepts it is caught by the validator.
  const lenient: StartResponse = () => () => {};
  const app = validate(late);
  const body = app(makeEnviron(), lenient) as Iterable<BodyChunk>;
  const iterator = body[Symbol.iterator]();
  iterator.next();
  iterator.next();
  assert.ok(caught instanceof TsgiViolationError);
  assert.equal((caught as TsgiViolationError).rule, 'TSGI-E33');
  // So is a server whose startResponse returns no write().
  assert.throws(
    () => validate(ok)(makeEnviron(), (() => undefined) as unknown as StartResponse),
    violation('TSGI-E33'),
  );
});

// --- write() -------------------------------------------------------------------------------

test('TSGI-E34: write() takes bytes or a string', async () => {
  const app: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']])(42 as unknown as string);
    return [];
  };
  await assert.rejects(serve(validate(app)), violation('TSGI-E34'));
});

test('TSGI-E35: write() is not called from inside the body', async () => {
  const app: Application = (_e, start) => {
    const write = start('200 OK', [['Content-Type', 'text/plain']]);
    return (function* () {
      write('inside');
      yield '';
    })();
  };
  await assert.rejects(serve(validate(app)), violation('TSGI-E35'));
});

// --- the body ------------------------------------------------------------------------------

test('TSGI-E36: chunks are Uint8Array or string', async () => {
  const app: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [42 as unknown as string];
  };
  await assert.rejects(serve(validate(app)), violation('TSGI-E36'));
  const buffers: Application = async (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return [new ArrayBuffer(2) as unknown as Uint8Array];
  };
  await assert.rejects(serve(validate(buffers)), violation('TSGI-E36'));
});

test('TSGI-E37: startResponse comes before the first chunk (or the end of the body)', async () => {
  const early: Application = (_e, start) =>
    (function* () {
      yield 'too soon';
      start('200 OK', [['Content-Type', 'text/plain']]);
    })();
  await assert.rejects(serve(validate(early)), violation('TSGI-E37'));
  const never: Application = () => [];
  await assert.rejects(serve(validate(never)), violation('TSGI-E37'));
  const neverAsync: Application = () =>
    (async function* () {
      yield '';
    })();
  await assert.rejects(serve(validate(neverAsync)), violation('TSGI-E37'));
});

test('TSGI-E38 and TSGI-E39: the server closes once and stops iterating', () => {
  let closes = 0;
  const app: Application = (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return Object.assign(['a', 'b'], { close: () => void closes++ });
  };
  const body = validate(app)(makeEnviron(), () => () => {}) as ResponseBody & Iterable<BodyChunk>;
  const iterator = body[Symbol.iterator]();
  assert.deepEqual(iterator.next(), { done: false, value: 'a' });
  body.close?.();
  assert.equal(closes, 1);
  assert.throws(() => iterator.next(), violation('TSGI-E38'));
  assert.throws(() => body.close?.(), violation('TSGI-E39'));
  assert.equal(closes, 1, 'close is forwarded exactly once');
});

test('the validator always gives the server a close() and forwards it to an async body', async () => {
  let closed = 0;
  const app: Application = async (_e, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    return Object.assign(
      (async function* () {
        yield 'x';
      })(),
      { close: async () => void closed++ },
    );
  };
  const served = await serve(validate(app));
  assert.equal(served.body, 'x');
  assert.equal(closed, 1);
  const plain = validate(ok)(makeEnviron(), () => () => {}) as ResponseBody;
  assert.equal(typeof plain.close, 'function');
});

test('TSGI-E40: the body matches the declared Content-Length', async () => {
  const declared =
    (length: string, ...chunks: string[]): Application =>
    (_e, start) => {
      start('200 OK', [
        ['Content-Type', 'text/plain'],
        ['Content-Length', length],
      ]);
      return chunks;
    };
  await assert.rejects(serve(validate(declared('3', 'ab', 'cd'))), violation('TSGI-E40'));
  await assert.rejects(serve(validate(declared('5', 'ab'))), violation('TSGI-E40'));
  // Multi-byte characters count as their UTF-8 length.
  await assert.rejects(serve(validate(declared('4', 'caf\u00e9!'))), violation('TSGI-E40'));
  await serve(validate(declared('5', 'caf\u00e9')));
  // HEAD may leave the body out.
  await serve(validate(declared('5')), makeEnviron({ REQUEST_METHOD: 'HEAD' }));
  // write() counts too.
  const writer: Application = (_e, start) => {
    start('200 OK', [
      ['Content-Type', 'text/plain'],
      ['Content-Length', '2'],
    ])('abc');
    return [];
  };
  await assert.rejects(serve(validate(writer)), violation('TSGI-E40'));
});

test('TSGI-E41: 204 and 304 have empty bodies', async () => {
  const app: Application = (_e, start) => {
    start('204 No Content', []);
    return ['', 'oops'];
  };
  await assert.rejects(serve(validate(app)), violation('TSGI-E41'));
});

test('TSGI-E42: Content-Length is digits and set once', async () => {
  await assert.rejects(
    serve(validate(withStatus('200 OK', [['Content-Length', 'ten']]))),
    violation('TSGI-E42'),
  );
  await assert.rejects(
    serve(
      validate(
        withStatus('200 OK', [
          ['Content-Length', '1'],
          ['content-length', '2'],
        ]),
      ),
    ),
    violation('TSGI-E42'),
  );
});

test('TSGI-E43: tsgi.file_wrapper reads nothing before the wrapper is returned', async () => {
  const eager = (file: FileLike, blockSize?: number): FileWrapperBody => {
    void file.read(blockSize ?? 4);
    return simpleFileWrapper(file, blockSize);
  };
  const app: Application = (environ, start) => {
    start('200 OK', [['Content-Type', 'text/plain']]);
    const wrap = environ['tsgi.file_wrapper'] as NonNullable<Environ['tsgi.file_wrapper']>;
    return wrap({ read: () => new Uint8Array() });
  };
  await assert.rejects(
    serve(validate(app), makeEnviron({ 'tsgi.file_wrapper': eager })),
    violation('TSGI-E43'),
  );
});

test('TSGI-W02: a body without Content-Type is a warning', async () => {
  const app: Application = (_e, start) => {
    start('200 OK', []);
    return ['untyped'];
  };
  const served = await serve(validate(app));
  assert.equal(served.body, 'untyped');
  assert.match(served.log, /TSGI-W02/);
  const empty: Application = (_e, start) => {
    start('302 Found', [['Location', '/']]);
    return [];
  };
  assert.doesNotMatch((await serve(validate(empty))).log, /TSGI-W02/);
});

test('TSGI-W03: a body the server never closed is reported when collected', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const seen: Violation[] = [];
  const app = validate(ok, { onViolation: (v) => seen.push(v) });
  (() => {
    const body = app(makeEnviron(), () => () => {}) as Iterable<BodyChunk>;
    for (const _ of body) {
      // iterated, never closed
    }
  })();
  (() => {
    const body = app(makeEnviron(), () => () => {}) as ResponseBody;
    body.close?.();
  })();
  for (let i = 0; i < 20 && seen.length === 0; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(
    seen.map((v) => v.rule),
    ['TSGI-W03'],
  );
});
