/**
 * `APIClient` (DRF's `rest_framework.test.APIClient`): the framework's test client with
 * JSON bodies by default, stored credentials, and forced authentication.
 *
 * @module
 */
import type { Settings } from '../../web/index.ts';
import type { Application } from '../../tsgi/types.ts';
import {
  Client,
  type ClientBodyOptions,
  type ClientOptions,
  type ClientRequestOptions,
  type FormData,
  type FormFiles,
  type TestResponse,
} from '../../web/test/index.ts';
import type { ApiUser } from '../user.ts';
import { type ForcedAuth, forcedAuth } from './force.ts';

/** How a body is encoded: JSON (the default), a url-encoded form, or multipart. */
export type RequestFormat = 'json' | 'form' | 'multipart';

/** Options of one request with a body. */
export interface APIRequestOptions extends ClientRequestOptions {
  /** The encoding of `data` (default: the client's `defaultFormat`). */
  format?: RequestFormat;
  /** Files, for multipart. */
  files?: FormFiles;
  /** A raw body instead of `data`, sent with `contentType`. */
  body?: string | Uint8Array;
  contentType?: string;
}

/** Options of {@link APIClient}. */
export interface APIClientOptions extends ClientOptions {
  /** The format of request bodies when a call does not say (default `json`). */
  defaultFormat?: RequestFormat;
}

/**
 * A test client for API views.
 *
 * @example
 * ```ts
 * const client = new APIClient(settings);
 * client.credentials({ Authorization: `Token ${key}` });
 * const created = await client.post('/api/notes/', { title: 'Hi' });
 * client.forceAuthenticate({ isAuthenticated: true, id: 1, isStaff: true });
 * ```
 */
export class APIClient {
  /** The framework's client underneath (cookies, `raiseRequestException`…). */
  readonly client: Client;
  /** The body format used when a call gives none. */
  defaultFormat: RequestFormat;
  #credentials: Record<string, string> = {};
  #forced: ForcedAuth | null = null;

  constructor(app: Settings | Application, options: APIClientOptions = {}) {
    this.client = new Client(app, options);
    this.defaultFormat = options.defaultFormat ?? 'json';
  }

  /** Headers sent with every later request (`{Authorization: 'Token …'}`); replaces the previous ones. */
  credentials(headers: Readonly<Record<string, string>> = {}): void {
    this.#credentials = { ...headers };
  }

  /**
   * Makes every later request authenticated as `user` (with `token` as `request.auth`),
   * skipping the authenticators. `null` stops forcing.
   */
  forceAuthenticate(user: ApiUser | null, token: unknown = null): void {
    this.#forced = user === null && token === null ? null : { user, token };
  }

  /** Forgets credentials, forced authentication and cookies. */
  logout(): void {
    this.#credentials = {};
    this.#forced = null;
    this.client.cookies.clear();
  }

  /** A GET; `data` becomes the query string. */
  get(url: string, data?: FormData, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.#send('GET', url, { ...options, ...(data === undefined ? {} : { query: data }) });
  }

  /** A HEAD; `data` becomes the query string. */
  head(url: string, data?: FormData, options: ClientRequestOptions = {}): Promise<TestResponse> {
    return this.#send('HEAD', url, { ...options, ...(data === undefined ? {} : { query: data }) });
  }

  options(url: string, data?: unknown, options?: APIRequestOptions): Promise<TestResponse> {
    return this.request('OPTIONS', url, data, options);
  }

  post(url: string, data?: unknown, options?: APIRequestOptions): Promise<TestResponse> {
    return this.request('POST', url, data, options);
  }

  put(url: string, data?: unknown, options?: APIRequestOptions): Promise<TestResponse> {
    return this.request('PUT', url, data, options);
  }

  patch(url: string, data?: unknown, options?: APIRequestOptions): Promise<TestResponse> {
    return this.request('PATCH', url, data, options);
  }

  delete(url: string, data?: unknown, options?: APIRequestOptions): Promise<TestResponse> {
    return this.request('DELETE', url, data, options);
  }

  /** Any request with a body encoded by `options.format`. */
  request(
    method: string,
    url: string,
    data?: unknown,
    options: APIRequestOptions = {},
  ): Promise<TestResponse> {
    const { format, files, body, contentType, ...rest } = options;
    const send: ClientBodyOptions = { ...rest };
    if (body !== undefined) Object.assign(send, { body, contentType });
    else if (data !== undefined || files !== undefined) {
      const chosen = files !== undefined ? 'multipart' : (format ?? this.defaultFormat);
      if (chosen === 'json') Object.assign(send, { json: data, contentType });
      else
        Object.assign(send, {
          data: (data ?? {}) as FormData,
          files,
          multipart: chosen === 'multipart',
        });
    }
    return this.#send(method, url, send);
  }

  #send(method: string, url: string, options: ClientBodyOptions): Promise<TestResponse> {
    const headers = { ...this.#credentials, ...options.headers };
    const run = () => this.client.request(method, url, { ...options, headers });
    return this.#forced === null ? run() : forcedAuth.run(this.#forced, run);
  }
}
