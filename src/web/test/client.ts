/**
 * The test client (Django's `django.test.Client`): sends requests through the whole
 * application in-process, without a socket. Each request gets a real TSGI environ and
 * goes through the real handler, middleware, URL resolution, view and templates; the
 * client reads the body as a server would and then closes it (so `requestFinished` and
 * upload clean-up run). Cookies the application sets are kept and sent back.
 *
 * @module
 */
import { environFromParts } from '../../tsgi/environ.ts';
import { concatBytes } from '../../tsgi/input.ts';
import type { Application, BodyChunk, Environ, Header, InputStream } from '../../tsgi/types.ts';
import type { Settings } from '../conf/settings.ts';
import { TsgiHandler } from '../handlers/tsgi.ts';
import { HttpRequest } from '../http/request.ts';
import { gotRequestException, templateRendered } from '../signals.ts';
import type { ResolverMatch } from '../urls/match.ts';
import { encodeForm, encodeMultipart, type FormData, type FormFiles } from './encode.ts';

/** Options of one request. */
export interface ClientRequestOptions {
  /** Query parameters, added to those in the URL. */
  query?: FormData | string;
  /** Request headers (`{'Accept-Language': 'fr'}`). */
  headers?: Readonly<Record<string, string>>;
  /** Send over "HTTPS" (`tsgi.url_scheme` https, port 443). */
  secure?: boolean;
  /** Follow redirects, recording them in `redirectChain`. */
  followRedirects?: boolean;
}

/** Options of a request with a body. Give one of `data` (with `files`), `json` or `body`. */
export interface ClientBodyOptions extends ClientRequestOptions {
  /** Form fields: url-encoded, or multipart when `files` are given or `multipart` is true. */
  data?: FormData;
  /** Files to upload (multipart). */
  files?: FormFiles;
  /** Send `data` as multipart even without files. */
  multipart?: boolean;
  /** A value sent as `application/json`. */
  json?: unknown;
  /** A raw body, with `contentType`. */
  body?: string | Uint8Array;
  contentType?: string;
}

/** Options of {@link Client}. */
export interface ClientOptions {
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** The Host (default `testserver`; add it to `allowedHosts`, or use `debug`). */
  host?: string;
  /**
   * Rethrow the error behind a 500 (as Django's `raise_request_exception`), so a failing
   * test shows the view's stack rather than a status. Default true.
   */
  raiseRequestException?: boolean;
  /**
   * Run CSRF checks on the requests (Django's `enforce_csrf_checks`). Default false: a
   * CSRF middleware lets the client's requests through, as in Django, so tests of views
   * need no tokens; set it to test the protection itself.
   */
  enforceCsrfChecks?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What the application answered, with what the client saw of the request's handling. */
export class TestResponse {
  /** The status code. */
  readonly status: number;
  /** The reason phrase. */
  readonly reason: string;
  /** The response headers (`headers.getSetCookie()` lists the cookies). */
  readonly headers: Headers;
  /** The whole body. */
  readonly body: Uint8Array;
  /** The request as the application saw it (`undefined` when the client wraps a bare TSGI app). */
  readonly request: HttpRequest | undefined;
  /** The names of the templates rendered, in order. */
  readonly templates: readonly string[];
  /** The context of each template rendered, in order. */
  readonly contexts: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** The redirects followed to get here: `[url, status]`. */
  redirectChain: Array<[string, number]> = [];
  /** What the application wrote to `tsgi.errors` (its log of this request). */
  readonly errors: string;

  constructor(init: {
    status: string;
    headers: Header[];
    body: Uint8Array;
    request: HttpRequest | undefined;
    templates: string[];
    contexts: Array<Record<string, unknown>>;
    errors: string;
  }) {
    this.status = Number(init.status.slice(0, 3));
    this.reason = init.status.slice(4);
    this.headers = new Headers();
    for (const [name, value] of init.headers) this.headers.append(name, value);
    this.body = init.body;
    this.request = init.request;
    this.templates = init.templates;
    this.contexts = init.contexts;
    this.errors = init.errors;
  }

  /** What URL resolution found for the request (Django's `response.resolver_match`). */
  get resolverMatch(): ResolverMatch | null {
    return this.request?.resolverMatch ?? null;
  }

  /** The context of the first template rendered (the page's), or `undefined`. */
  get context(): Readonly<Record<string, unknown>> | undefined {
    return this.contexts[0];
  }

  /** The body as text. */
  text(): string {
    return decoder.decode(this.body);
  }

  /** The body parsed as JSON. */
  json(): unknown {
    return JSON.parse(this.text());
  }

  /** The Location of a redirect. */
  get url(): string | undefined {
    return this.headers.get('location') ?? undefined;
  }
}

/** `tsgi.errors` that keeps what the application logged. */
class MemoryErrors {
  text = '';

  write(text: string): void {
    this.text += text;
  }

  flush(): void {}
}

/** Keeps the request of each environ, so the client can report it. */
class ClientHandler extends TsgiHandler {
  readonly requests = new WeakMap<Environ, HttpRequest>();

  protected override createRequest(environ: Environ, scriptName: string): HttpRequest {
    const request = super.createRequest(environ, scriptName);
    this.requests.set(environ, request);
    return request;
  }
}

function bytesInput(body: Uint8Array): InputStream {
  let rest = body;
  const take = (size?: number): Uint8Array => {
    const n = size === undefined || size < 0 ? rest.length : Math.min(size, rest.length);
    const out = rest.subarray(0, n);
    rest = rest.subarray(n);
    return out;
  };
  return {
    read: async (size) => take(size),
    // The whole body is in memory, as a server has one that came with its head.
    readNow: (size) => take(size),
    readLine: async (size) => {
      const nl = rest.indexOf(10);
      return take(nl === -1 ? size : Math.min(nl + 1, size ?? Number.POSITIVE_INFINITY));
    },
    async *[Symbol.asyncIterator]() {
      while (rest.length > 0) yield take(64 * 1024);
    },
  };
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * An in-process browser for tests.
 *
 * @example
 * ```ts
 * const client = new Client(settings);
 * const page = await client.get('/articles/', { query: { page: 2 } });
 * assert.equal(page.status, 200);
 * assert.deepEqual(page.templates, ['articles/list.html']);
 * const created = await client.post('/api/articles/', { json: { title: 'Hi' } });
 * ```
 */
export class Client {
  /** The cookies kept between requests, by name. */
  readonly cookies = new Map<string, string>();
  readonly #app: Application;
  readonly #handler: ClientHandler | null;
  readonly #options: ClientOptions;

  /** @param app - the project's settings (preferred: the client then sees the request), or a TSGI application. */
  constructor(app: Settings | Application, options: ClientOptions = {}) {
    this.#options = options;
    if (typeof app === 'function') {
      this.#app = app;
      this.#handler = null;
    } else {
      this.#handler = new ClientHandler(app);
      this.#app = this.#handler.application;
    }
  }

  /** A GET request. */
  get(url: string, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('GET', url, options);
  }

  /** A HEAD request. */
  head(url: string, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('HEAD', url, options);
  }

  /** An OPTIONS request. */
  options(url: string, options?: ClientBodyOptions): Promise<TestResponse> {
    return this.request('OPTIONS', url, options);
  }

  /** A POST request: a form (`data`, `files`), JSON (`json`) or a raw `body`. */
  post(url: string, options?: ClientBodyOptions): Promise<TestResponse> {
    return this.request('POST', url, options);
  }

  /** A PUT request. */
  put(url: string, options?: ClientBodyOptions): Promise<TestResponse> {
    return this.request('PUT', url, options);
  }

  /** A PATCH request. */
  patch(url: string, options?: ClientBodyOptions): Promise<TestResponse> {
    return this.request('PATCH', url, options);
  }

  /** A DELETE request. */
  delete(url: string, options?: ClientBodyOptions): Promise<TestResponse> {
    return this.request('DELETE', url, options);
  }

  /** Any request; follows redirects when asked. */
  async request(method: string, url: string, options: ClientBodyOptions = {}): Promise<TestResponse> {
    let response = await this.#send(method, url, options);
    if (!options.followRedirects) return response;
    const chain: Array<[string, number]> = [];
    let current = url;
    while (REDIRECTS.has(response.status) && response.url !== undefined) {
      if (chain.length >= 20) throw new Error(`Redirect loop: ${chain.map(([u]) => u).join(' -> ')}`);
      const target = new URL(response.url, new URL(current, 'http://testserver'));
      chain.push([response.url, response.status]);
      const keep = response.status === 307 || response.status === 308;
      current = `${target.pathname}${target.search}`;
      response = await this.#send(keep ? method : method === 'HEAD' ? 'HEAD' : 'GET', current, {
        headers: options.headers,
        secure: target.protocol === 'https:',
        ...(keep ? options : {}),
        query: undefined,
      });
    }
    response.redirectChain = chain;
    return response;
  }

  #body(options: ClientBodyOptions): { body: Uint8Array; contentType: string | undefined } {
    if (options.json !== undefined) {
      return {
        body: encoder.encode(JSON.stringify(options.json)),
        contentType: options.contentType ?? 'application/json',
      };
    }
    if (options.body !== undefined) {
      const body = typeof options.body === 'string' ? encoder.encode(options.body) : options.body;
      return { body, contentType: options.contentType ?? 'application/octet-stream' };
    }
    if (options.files !== undefined || options.multipart) {
      return encodeMultipart(options.data ?? {}, options.files ?? {});
    }
    if (options.data !== undefined) {
      return {
        body: encoder.encode(encodeForm(options.data)),
        contentType: 'application/x-www-form-urlencoded',
      };
    }
    return { body: new Uint8Array(0), contentType: options.contentType };
  }

  #environ(method: string, url: string, options: ClientBodyOptions): Environ {
    const target = new URL(url, 'http://testserver');
    const extra =
      typeof options.query === 'string' ? options.query : options.query ? encodeForm(options.query) : '';
    const query = [target.search.slice(1), extra].filter(Boolean).join('&');
    const secure = options.secure ?? target.protocol === 'https:';
    const host = this.#options.host ?? (url.includes('://') ? target.host : 'testserver');
    const { body, contentType } = this.#body(options);
    // The client's own fields first; headers given to the client, then to the call, replace them.
    const fields = new Map<string, readonly [string, string]>([['host', ['Host', host]]]);
    if (body.length > 0) fields.set('content-length', ['Content-Length', String(body.length)]);
    if (contentType !== undefined) fields.set('content-type', ['Content-Type', contentType]);
    if (this.cookies.size > 0) {
      const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      fields.set('cookie', ['Cookie', cookie]);
    }
    for (const [name, value] of Object.entries({ ...this.#options.headers, ...options.headers })) {
      fields.set(name.toLowerCase(), [name, value]);
    }
    const environ = environFromParts({
      method: method.toUpperCase(),
      pathInfo: decodePath(target.pathname),
      query,
      requestUri: `${target.pathname}${query ? `?${query}` : ''}`,
      serverName: 'testserver',
      serverPort: secure ? '443' : '80',
      scheme: secure ? 'https' : 'http',
      remoteAddr: '127.0.0.1',
      headers: fields.values(),
      input: bytesInput(body),
      errors: new MemoryErrors(),
    });
    // Read by a CSRF middleware (contrib/csrf), which the framework does not know.
    if (this.#options.enforceCsrfChecks !== true) environ['portico.dont_enforce_csrf_checks'] = true;
    return environ;
  }

  async #send(method: string, url: string, options: ClientBodyOptions): Promise<TestResponse> {
    const environ = this.#environ(method, url, options);
    const templates: string[] = [];
    const contexts: Array<Record<string, unknown>> = [];
    let failure: { error: unknown } | null = null;
    const mine = (request: HttpRequest | null) => request !== null && request.META === environ;
    const onTemplate = ({
      name,
      context,
      request,
    }: {
      name: string;
      context: Record<string, unknown>;
      request: HttpRequest | null;
    }) => {
      if (!mine(request)) return;
      templates.push(name);
      contexts.push(context);
    };
    const onError = ({ request, error }: { request: HttpRequest; error: unknown }) => {
      if (mine(request)) failure ??= { error };
    };
    templateRendered.connect(onTemplate);
    gotRequestException.connect(onError);
    let started: { status: string; headers: Header[] } | undefined;
    const chunks: Uint8Array[] = [];
    try {
      const body = await this.#app(environ, (status, headers) => {
        started = { status, headers };
        return () => {
          throw new Error('The test client does not support write().');
        };
      });
      try {
        const add = (chunk: BodyChunk) =>
          chunks.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        if (typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function') {
          for (const chunk of body as Iterable<BodyChunk>) add(chunk);
        } else {
          for await (const chunk of body as AsyncIterable<BodyChunk>) add(chunk);
        }
      } finally {
        await body.close?.();
      }
    } finally {
      templateRendered.disconnect(onTemplate);
      gotRequestException.disconnect(onError);
    }
    if (failure !== null && this.#options.raiseRequestException !== false)
      throw (failure as { error: unknown }).error;
    if (started === undefined) throw new Error('The application did not call startResponse.');
    const response = new TestResponse({
      status: started.status,
      headers: started.headers,
      body: concatBytes(
        chunks,
        chunks.reduce((n, c) => n + c.length, 0),
      ),
      request: this.#handler?.requests.get(environ),
      templates,
      contexts,
      errors: (environ['tsgi.errors'] as MemoryErrors).text,
    });
    this.#keepCookies(response.headers.getSetCookie());
    return response;
  }

  #keepCookies(setCookies: readonly string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq === -1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
