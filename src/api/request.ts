/**
 * The API request (DRF's `Request`): the framework's `HttpRequest` with what an API view
 * needs on top — `data` parsed by content type, `queryParams`, and `user`/`auth` from the
 * view's authenticators. The framework's request stays reachable as `httpRequest`.
 *
 * @module
 */
import {
  type HttpHeaders,
  type HttpRequest,
  MultiValueDict,
  type QueryDict,
  type TemporaryUploadedFile,
  type UploadedFile,
} from '../web/index.ts';
import type { Authentication } from './authentication.ts';
import { UnsupportedMediaType } from './exceptions.ts';
import type { ContentNegotiation } from './negotiation.ts';
import type { Parser } from './parsers.ts';
import type { Renderer } from './renderers.ts';
import type { ResolvedApiSettings } from './settings.ts';
import { forcedAuth } from './test/force.ts';
import type { ApiUser } from './user.ts';

/** What a request is built with (the view supplies it). */
export interface RequestInit {
  readonly parsers: readonly Parser[];
  readonly authenticators: readonly Authentication[];
  readonly negotiator: ContentNegotiation;
  readonly settings: ResolvedApiSettings;
}

/** The authenticator a request forced by the test client reports as successful. */
const FORCED: Authentication = Object.freeze({ authenticate: () => null });

function notAuthenticatedYet(): Error {
  return new Error(
    'request.user was read before authentication ran: await request.authenticate() first ' +
      '(APIView does it in initial(), before permissions).',
  );
}

/** The request an API view's handlers receive. */
export class Request {
  /** The framework's request (DRF's `request._request`). */
  readonly httpRequest: HttpRequest;
  /** The parsers the view allows. */
  readonly parsers: readonly Parser[];
  /** The authenticators the view uses, in order. */
  readonly authenticators: readonly Authentication[];
  readonly negotiator: ContentNegotiation;
  /** The resolved `api` settings. */
  readonly apiSettings: ResolvedApiSettings;
  /** The renderer content negotiation chose, and the media type it answers with. */
  acceptedRenderer: Renderer | null = null;
  acceptedMediaType: string | null = null;
  /** The authenticator that recognised the user, or null. */
  successfulAuthenticator: Authentication | null = null;
  /** The version the view determined (for versioning schemes), if any. */
  version: string | null = null;
  #user: ApiUser | undefined;
  #auth: unknown;
  #authenticating: Promise<void> | null = null;
  #data: unknown;
  #files: MultiValueDict<UploadedFile> | null = null;
  #dataError: { error: unknown } | null = null;
  #loaded: Promise<void> | null = null;
  #temporary: readonly TemporaryUploadedFile[] = [];

  constructor(httpRequest: HttpRequest, init: RequestInit) {
    this.httpRequest = httpRequest;
    this.parsers = init.parsers;
    this.authenticators = init.authenticators;
    this.negotiator = init.negotiator;
    this.apiSettings = init.settings;
  }

  /** The upper-cased method. */
  get method(): string {
    return this.httpRequest.method;
  }

  /** The request headers. */
  get headers(): HttpHeaders {
    return this.httpRequest.headers;
  }

  /** The TSGI environ. */
  get META(): HttpRequest['META'] {
    return this.httpRequest.META;
  }

  /** The full path. */
  get path(): string {
    return this.httpRequest.path;
  }

  /** The query string parameters (DRF's `query_params`; the same object as `GET`). */
  get queryParams(): QueryDict {
    return this.httpRequest.GET;
  }

  /** Cookies by name. */
  get COOKIES(): Readonly<Record<string, string>> {
    return this.httpRequest.COOKIES;
  }

  /** The media type of the body. */
  get contentType(): string {
    return this.httpRequest.contentType;
  }

  /**
   * The parsed body: JSON as objects without a prototype, forms as a `QueryDict`, multipart
   * as a `MultiValueDict` of fields and files; `{}` for an empty body. Typed `unknown`:
   * a serializer (or a check) narrows it.
   *
   * @throws ParseError (400) for a malformed body, UnsupportedMediaType (415) when no
   * parser reads its Content-Type, RequestDataTooBig (413) beyond `dataUploadMaxMemorySize`.
   */
  get data(): unknown {
    if (this.#dataError !== null) throw this.#dataError.error;
    if (this.#loaded === null)
      throw new Error('request.data was read before the body was loaded: await request.loadData() first.');
    return this.#data;
  }

  /** The uploaded files of a multipart body (empty otherwise); same rule as {@link Request.data}. */
  get FILES(): MultiValueDict<UploadedFile> {
    if (this.#dataError !== null) throw this.#dataError.error;
    this.#files ??= new MultiValueDict<UploadedFile>();
    return this.#files;
  }

  /**
   * Reads and parses the body once (APIView awaits it before the handler). A parse error is
   * kept and thrown where `data` is read, as in DRF, so a handler that never reads the data
   * never fails on it.
   */
  loadData(): Promise<void> {
    this.#loaded ??= this.#load().catch((error: unknown) => {
      this.#data = Object.create(null);
      this.#dataError = { error };
    });
    return this.#loaded;
  }

  /** Uploads a parser kept in temporary files (removed by the view after the response). */
  get temporaryFiles(): readonly TemporaryUploadedFile[] {
    return this.#temporary;
  }

  async #load(): Promise<void> {
    const http = this.httpRequest;
    const meta = http.META;
    const length = meta.CONTENT_LENGTH;
    const hasBody =
      (length !== undefined && length !== '' && length !== '0') ||
      (meta.HTTP_TRANSFER_ENCODING !== undefined && meta['tsgi.input_terminated'] === true);
    if (!hasBody) {
      this.#data = Object.create(null);
      return;
    }
    const parser = this.negotiator.selectParser(this, this.parsers);
    if (parser === null) throw new UnsupportedMediaType(http.contentType || 'none');
    const parsed = await parser.parse(this);
    this.#data = parsed.data;
    this.#files = parsed.files ?? null;
    this.#temporary = parsed.temporary ?? [];
  }

  /**
   * Runs the authenticators once, in order: the first to return a user wins; one that
   * throws ends it (AuthenticationFailed → 401/403). None: the unauthenticated user.
   */
  authenticate(): Promise<void> {
    this.#authenticating ??= this.#authenticate();
    return this.#authenticating;
  }

  async #authenticate(): Promise<void> {
    const forced = forcedAuth.getStore();
    if (forced !== undefined) {
      if (forced.user === null) this.#notAuthenticated();
      else {
        this.successfulAuthenticator = FORCED;
        this.#setAuth(forced.user, forced.token);
      }
      return;
    }
    for (const authenticator of this.authenticators) {
      let result;
      try {
        result = await authenticator.authenticate(this);
      } catch (error) {
        // As DRF: a failed authentication leaves the request anonymous for the error page.
        this.#notAuthenticated();
        throw error;
      }
      if (result !== null && result !== undefined) {
        this.successfulAuthenticator = authenticator;
        this.#setAuth(result[0], result[1]);
        return;
      }
    }
    this.#notAuthenticated();
  }

  #notAuthenticated(): void {
    this.successfulAuthenticator = null;
    this.#setAuth(this.apiSettings.unauthenticatedUser(), this.apiSettings.unauthenticatedToken());
  }

  #setAuth(user: ApiUser, auth: unknown): void {
    this.#user = user;
    this.#auth = auth;
    // As DRF, the framework's request sees the user too (middleware logging it, say).
    Reflect.set(this.httpRequest, 'user', user);
  }

  /**
   * The user the authenticators found (or the unauthenticated user). Available once
   * {@link Request.authenticate} resolved, which APIView awaits before permissions.
   */
  get user(): ApiUser {
    if (this.#user === undefined) throw notAuthenticatedYet();
    return this.#user;
  }

  set user(value: ApiUser) {
    this.#authenticating ??= Promise.resolve();
    this.#setAuth(value, this.#auth);
  }

  /** What the successful authenticator returned besides the user (a token record…), else null. */
  get auth(): unknown {
    if (this.#user === undefined) throw notAuthenticatedYet();
    return this.#auth;
  }

  set auth(value: unknown) {
    this.#auth = value;
  }

  /** The user, authenticating first if needed. */
  async getUser(): Promise<ApiUser> {
    await this.authenticate();
    return this.user;
  }

  /** `location` as an absolute URI on this request's host. */
  buildAbsoluteUri(location?: string): string {
    return this.httpRequest.buildAbsoluteUri(location);
  }
}
