/**
 * The `session` workloads' page in one process, through the TSGI application of
 * `portico-app.ts` (no sockets, no server): CPU microseconds per logged-in `GET /`, for one
 * engine per run. What the framework's session and auth path costs, apart from the
 * server's share and from the machine's other tenants (CPU time, not wall time).
 * For the `cache` engine, Redis at `BENCH_REDIS_URL` or `TEST_REDIS_URL` (its CPU is not
 * counted here). A script run by hand (`--cpu-prof` to profile); not a test.
 *
 * Usage: node [--cpu-prof] bench/servers/session/in-process.ts --engine signedCookies|db|cache
 *        [--requests N] [--rounds R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { environFromParts } from '../../../src/tsgi/environ.ts';
import { BufferedInput } from '../../../src/tsgi/input.ts';
import type { Application, Environ, ErrorStream } from '../../../src/tsgi/types.ts';
import { BENCH_PASSWORD, BENCH_USERNAME, isSessionEngine, PAGE_BODY } from './spec.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'signedCookies' },
    requests: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
  },
});
if (!isSessionEngine(values.engine)) throw new Error(`--engine: signedCookies, db or cache`);
const dir = mkdtempSync(path.join(tmpdir(), 'portico-session-inprocess-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
process.env.BENCH_SESSION_ENGINE = values.engine;
process.env.BENCH_SESSION_DB = path.join(dir, 'db.sqlite3');
if (values.engine === 'cache') {
  const url = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (url === undefined) throw new Error('the cache engine needs BENCH_REDIS_URL or TEST_REDIS_URL');
  process.env.BENCH_REDIS_URL = url;
}
const { application } = (await import('./portico-app.ts')) as { application: Application };

/** A request body handed over in one chunk. */
class BytesInput extends BufferedInput {
  #bytes: Uint8Array | undefined;
  constructor(bytes: Uint8Array | undefined) {
    super();
    this.#bytes = bytes;
  }
  protected async pull(): Promise<Uint8Array | undefined> {
    const bytes = this.#bytes;
    this.#bytes = undefined;
    return bytes;
  }
}

const errors = { write() {}, flush() {} } as unknown as ErrorStream;

function environ(
  method: string,
  pathInfo: string,
  headers: Array<[string, string]>,
  body?: Uint8Array,
): Environ {
  return environFromParts({
    method,
    pathInfo,
    query: '',
    requestUri: pathInfo,
    serverName: '127.0.0.1',
    serverPort: '80',
    scheme: 'http',
    remoteAddr: '127.0.0.1',
    headers: [['Host', '127.0.0.1'], ...headers],
    input: new BytesInput(body),
    errors,
  });
}

/** One request: its status line, headers and body text. */
async function send(
  env: Environ,
): Promise<{ status: string; headers: Array<[string, string]>; body: string }> {
  let status = '';
  let headers: Array<[string, string]> = [];
  const iterable = await application(env, (s, h) => {
    status = s;
    headers = [...h];
    return () => {};
  });
  let body = '';
  for await (const chunk of iterable as AsyncIterable<Uint8Array | string>)
    body += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  await iterable.close?.();
  return { status, headers, body };
}

// Log in once through the view, as the harness does, and keep the session cookie.
const form = new TextEncoder().encode(`username=${BENCH_USERNAME}&password=${BENCH_PASSWORD}`);
const loggedIn = await send(
  environ(
    'POST',
    '/login/',
    [
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['Content-Length', String(form.length)],
    ],
    form,
  ),
);
const setCookie = loggedIn.headers.find(
  ([n, v]) => n.toLowerCase() === 'set-cookie' && v.startsWith('sessionid='),
);
if (setCookie === undefined) throw new Error(`login failed: ${loggedIn.status} ${loggedIn.body}`);
const cookie = setCookie[1].slice(0, setCookie[1].indexOf(';'));
const page = () => environ('GET', '/', [['Cookie', cookie]]);
const first = await send(page());
if (first.body !== PAGE_BODY) throw new Error(`the page answered ${first.status} ${first.body}`);

const requests = Number(values.requests);
const samples: number[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) await send(page());
  const used = process.cpuUsage(start);
  samples.push((used.user + used.system) / requests);
}
const inOrder = samples.map((s) => s.toFixed(1)).join(' ');
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)] as number;
process.stdout.write(
  `${values.engine}: ${median.toFixed(1)} CPU µs/request (median of ${samples.length} rounds of ${requests}; in order: ${inOrder})\n`,
);
process.exit(0);
