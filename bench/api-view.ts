/**
 * What an API view costs next to a plain function view, in one process, through the TSGI
 * application (settings, resolver, handler, response; no sockets): requests per second of
 *
 * - `plain-get`: a function view returning `JsonResponse({hello: 'world'})`;
 * - `api-get`: an `APIView` GET returning `new Response({hello: 'world'})`;
 * - `plain-post`: a function view doing `JSON.parse(await request.text())`, answering it;
 * - `api-post`: an `APIView` POST echoing `request.data`;
 * - `plain-post-ser` / `api-post-ser`: the same, validated by the 10-field serializer of
 *   `bench/serializers.ts` and answered with its `data` (201).
 *
 * Requests per CPU-second of the process; interleaved rounds, medians. A script run by hand (`--cpu-prof` to profile); not a test.
 * V8's allocation-site pretenuring weighs on this loop (bench/README.md, "The POST path"):
 * compare with `node --no-allocation-site-pretenuring bench/api-view.ts`.
 *
 * Usage: node [--cpu-prof] bench/api-view.ts [--requests N] [--rounds R] [--only NAME,…] [--json]
 */
import { parseArgs } from 'node:util';
import { APIView, Response, type Request } from '../src/api/index.ts';
import { environFromParts } from '../src/tsgi/environ.ts';
import { BufferedInput } from '../src/tsgi/input.ts';
import type { Application, Environ, ErrorStream } from '../src/tsgi/types.ts';
import { getTsgiApplication, type HttpRequest, JsonResponse, path } from '../src/web/index.ts';
import { ApiBenchSerializer, API_BODY } from './servers/api/spec.ts';

/**
 * A request body handed over in one chunk, at hand at once (`pullNow`), as the HTTP engine
 * has a small body that arrived with its head.
 */
class BytesInput extends BufferedInput {
  #bytes: Uint8Array | undefined;
  constructor(bytes: Uint8Array | undefined) {
    super();
    this.#bytes = bytes;
  }
  protected async pull(): Promise<Uint8Array | undefined> {
    return this.pullNow();
  }
  protected override pullNow(): Uint8Array | undefined {
    const bytes = this.#bytes;
    this.#bytes = undefined;
    return bytes;
  }
}

const errors: ErrorStream = { write() {}, flush() {} } as unknown as ErrorStream;

class Hello extends APIView {
  get() {
    return new Response({ hello: 'world' });
  }
}

class Echo extends APIView {
  post(request: Request) {
    return new Response(request.data);
  }
}

class Create extends APIView {
  async post(request: Request) {
    const serializer = new ApiBenchSerializer({ data: request.data });
    await serializer.isValid({ raiseException: true });
    return new Response(serializer.data, { status: 201 });
  }
}

async function plainPost(request: HttpRequest) {
  return new JsonResponse(JSON.parse(await request.text()));
}

async function plainPostSer(request: HttpRequest) {
  const serializer = new ApiBenchSerializer({ data: JSON.parse(await request.text()) });
  await serializer.isValid({ raiseException: true });
  return new JsonResponse(serializer.data, { status: 201 });
}

const app: Application = getTsgiApplication({
  rootUrlconf: [
    path('plain/', () => new JsonResponse({ hello: 'world' })),
    path('plain-post/', plainPost),
    path('plain-post-ser/', plainPostSer),
    path('api/', Hello.asView()),
    path('api-post/', Echo.asView()),
    path('api-post-ser/', Create.asView()),
  ],
  allowedHosts: ['127.0.0.1'],
  middleware: [],
});

const bodyBytes = new TextEncoder().encode(API_BODY);
const CASES = {
  'plain-get': { method: 'GET', path: '/plain/', status: '200' },
  'api-get': { method: 'GET', path: '/api/', status: '200' },
  'plain-post': { method: 'POST', path: '/plain-post/', status: '200' },
  'api-post': { method: 'POST', path: '/api-post/', status: '200' },
  'plain-post-ser': { method: 'POST', path: '/plain-post-ser/', status: '201' },
  'api-post-ser': { method: 'POST', path: '/api-post-ser/', status: '201' },
} as const;
type CaseName = keyof typeof CASES;

function environ(name: CaseName): Environ {
  const c = CASES[name];
  const post = c.method === 'POST';
  const headers: Array<[string, string]> = [['Host', '127.0.0.1']];
  if (post) headers.push(['Content-Type', 'application/json'], ['Content-Length', String(bodyBytes.length)]);
  return environFromParts({
    method: c.method,
    pathInfo: c.path,
    query: '',
    requestUri: c.path,
    serverName: '127.0.0.1',
    serverPort: '80',
    scheme: 'http',
    headers,
    input: new BytesInput(post ? bodyBytes : undefined),
    errors,
  });
}

/** One request through the application; returns the status line and the body's length. */
async function once(name: CaseName): Promise<[string, number]> {
  let status = '';
  const body = await app(environ(name), (s) => {
    status = s;
    return () => {};
  });
  let length = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) length += chunk.length;
  await body.close?.();
  return [status, length];
}

/**
 * Requests per second of this process's CPU time (user + system), not of wall time: other
 * tenants of a loaded machine take the CPU away between samples, which changes wall time
 * several-fold and CPU time far less.
 */
async function run(name: CaseName, requests: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) await once(name);
  const used = process.cpuUsage(start);
  return requests / ((used.user + used.system) / 1e6);
}

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const names = (values.only?.split(',') ?? Object.keys(CASES)) as CaseName[];
for (const name of names) {
  if (!(name in CASES)) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES).join(', ')}`);
  const [status] = await once(name);
  if (!status.startsWith(CASES[name].status)) throw new Error(`${name}: answered ${status}`);
}
const results = new Map<CaseName, number[]>(names.map((n) => [n, []]));
for (let round = 0; round < rounds; round++) {
  for (const name of names) results.get(name)!.push(await run(name, requests));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const medians = Object.fromEntries(names.map((n) => [n, median(results.get(n)!)]));
if (values.json) process.stdout.write(`${JSON.stringify(medians)}\n`);
else {
  for (const name of names) {
    const rps = medians[name] as number;
    const base = name.startsWith('api') ? medians[name.replace('api', 'plain')] : undefined;
    const ratio = base === undefined ? '' : `  plain/api ${(base / rps).toFixed(2)}x`;
    process.stdout.write(
      `${name.padEnd(16)} ${Math.round(rps).toLocaleString('en').padStart(9)} req/s${ratio}\n`,
    );
  }
}
