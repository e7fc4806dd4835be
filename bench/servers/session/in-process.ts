/**
 * The `session` workloads' page in one process, through the TSGI application of
 * `portico-app.ts` (no sockets, no server): CPU microseconds per logged-in `GET /`, for one
 * engine per run. What the framework's session and auth path costs, apart from the
 * server's share and from the machine's other tenants (CPU time, not wall time).
 *
 * With `--base DIR` (another checkout of Portico, e.g. `git worktree add DIR main`), the
 * same page of that tree's `portico-app.ts` is loaded into the same process too, and the
 * rounds alternate between the two: a before/after comparison that the machine's load
 * changes far less than two separate runs (the ratio of each pair of rounds, median).
 *
 * For the `cache` engine, Redis at `BENCH_REDIS_URL` or `TEST_REDIS_URL` (its CPU is not
 * counted here). A script run by hand (`--cpu-prof` to profile); not a test.
 *
 * Usage: node [--cpu-prof] bench/servers/session/in-process.ts --engine signedCookies|db|cache
 *        [--requests N] [--rounds R] [--base DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { environFromParts } from '../../../src/tsgi/environ.ts';
import { StreamInput } from '../../../src/tsgi/input.ts';
import type { Application, Environ, ErrorStream } from '../../../src/tsgi/types.ts';
import { BENCH_PASSWORD, BENCH_USERNAME, isSessionEngine, PAGE_BODY } from './spec.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'signedCookies' },
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '15' },
    base: { type: 'string' },
  },
});
if (!isSessionEngine(values.engine)) throw new Error(`--engine: signedCookies, db or cache`);
const dir = mkdtempSync(path.join(tmpdir(), 'portico-session-inprocess-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
process.env.BENCH_SESSION_ENGINE = values.engine;
if (values.engine === 'cache') {
  const url = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (url === undefined) throw new Error('the cache engine needs BENCH_REDIS_URL or TEST_REDIS_URL');
  process.env.BENCH_REDIS_URL = url;
}

const errors = { write() {}, flush() {} } as unknown as ErrorStream;

function environ(
  method: string,
  pathInfo: string,
  headers: Array<[string, string]>,
  body?: Uint8Array<ArrayBuffer>,
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
    input: new StreamInput(body === undefined ? null : new Blob([body]).stream()),
    errors,
  });
}

/** One request: its status line, headers and body text. */
async function send(
  application: Application,
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

/**
 * Loads `root`'s session app (a database file of its own), logs in once through its view,
 * as the harness does, and returns the page request with the session cookie.
 */
async function pageOf(root: string, name: string): Promise<() => Promise<unknown>> {
  process.env.BENCH_SESSION_DB = path.join(dir, `${name}.sqlite3`);
  const module = path.join(root, 'bench/servers/session/portico-app.ts');
  const { application } = (await import(module)) as { application: Application };
  const form = new TextEncoder().encode(`username=${BENCH_USERNAME}&password=${BENCH_PASSWORD}`);
  const formHeaders: Array<[string, string]> = [
    ['Content-Type', 'application/x-www-form-urlencoded'],
    ['Content-Length', String(form.length)],
  ];
  const loggedIn = await send(application, environ('POST', '/login/', formHeaders, form));
  const setCookie = loggedIn.headers.find(
    ([n, v]) => n.toLowerCase() === 'set-cookie' && v.startsWith('sessionid='),
  );
  if (setCookie === undefined) throw new Error(`${name}: login failed: ${loggedIn.status} ${loggedIn.body}`);
  const cookie = setCookie[1].slice(0, setCookie[1].indexOf(';'));
  const page = () => send(application, environ('GET', '/', [['Cookie', cookie]]));
  const first = await page();
  if (first.body !== PAGE_BODY) throw new Error(`${name}: the page answered ${first.status} ${first.body}`);
  return page;
}

const requests = Number(values.requests);

/** CPU µs per request over one round. */
async function round(page: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) await page();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pages: Array<[string, () => Promise<unknown>]> = [];
if (values.base !== undefined) pages.push(['base', await pageOf(path.resolve(values.base), 'base')]);
pages.push(['this', await pageOf(path.resolve(import.meta.dirname, '../../..'), 'this')]);
const samples = new Map<string, number[]>(pages.map(([name]) => [name, []]));
for (const [, page] of pages) await round(page); // warm-up
for (let r = 0; r < Number(values.rounds); r++) {
  // Alternate which goes first, so neither always follows the other's garbage.
  const order = r % 2 === 0 ? pages : [...pages].reverse();
  for (const [name, page] of order) samples.get(name)!.push(await round(page));
}
const line = [...samples]
  .map(([name, xs]) => `${name} ${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)})`)
  .join(', ');
const base = samples.get('base');
const ratio =
  base === undefined
    ? ''
    : `; this/base ${median(samples.get('this')!.map((x, i) => x / (base[i] as number))).toFixed(3)} (median of the rounds' ratios)`;
process.stdout.write(
  `${values.engine}: CPU µs/request ${line} (medians of ${values.rounds} rounds of ${requests})${ratio}\n`,
);
process.exit(0);
