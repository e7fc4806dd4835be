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
import type { Authentication, AuthResult } from './authentication.ts';
import { isPromise, type MaybePromise } from '../web/utils/promise.ts';
import { UnsupportedMediaType } from './exceptions.ts';
import type { ContentNegotiation } from './negotiation.ts';
import type { ParsedBody, Parser } from './parsers.ts';
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

/** A settled step (body loaded, authentication run) with nothing left to wait for. */
const DONE: Promise<void> = Promise.resolve();

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
  /** null: not run; DONE: ran synchronously; else the run (which may reject). */
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
    const loaded = this.dataLoaded();
    return isPromise(loaded) ? loaded : DONE;
  }

  /**
   * {@link Request.loadData} without a promise when nothing is left to wait for (no body, or
   * the body already parsed): the view's synchronous path. `await` it either way.
   */
  dataLoaded(): MaybePromise<void> {
    const loaded = this.#loaded;
    if (loaded === DONE) return undefined;
    if (loaded !== null) return loaded;
    if (!this.#hasBody()) {
      this.#data = Object.create(null);
      this.#loaded = DONE;
      return undefined;
    }
    let parsed: MaybePromise<ParsedBody>;
    try {
      parsed = this.#parse();
    } catch (error) {
      this.#parseFailed(error);
      this.#loaded = DONE;
      return undefined;
    }
    if (!isPromise(parsed)) {
      this.#parsed(parsed);
      this.#loaded = DONE;
      return undefined;
    }
    this.#loaded = parsed.then(
      (later) => this.#parsed(later),
      (error: unknown) => this.#parseFailed(error),
    );
    return this.#loaded;
  }

  /** Uploads a parser kept in temporary files (removed by the view after the response). */
  get temporaryFiles(): readonly TemporaryUploadedFile[] {
    return this.#temporary;
  }

  #hasBody(): boolean {
    const meta = this.httpRequest.META;
    const length = meta.CONTENT_LENGTH;
    return (
      (length !== undefined && length !== '' && length !== '0') ||
      (meta.HTTP_TRANSFER_ENCODING !== undefined && meta['tsgi.input_terminated'] === true)
    );
  }

  /** The body through the parser of its media type (synchronous when the body is at hand). */
  #parse(): MaybePromise<ParsedBody> {
    const parser = this.negotiator.selectParser(this, this.parsers);
    if (parser === null) throw new UnsupportedMediaType(this.httpRequest.contentType || 'none');
    return parser.parse(this);
  }

  #parsed(parsed: ParsedBody): void {
    this.#data = parsed.data;
    this.#files = parsed.files ?? null;
    this.#temporary = parsed.temporary ?? [];
  }

  /** Kept, and thrown where `data` is read. */
  #parseFailed(error: unknown): void {
    this.#data = Object.create(null);
    this.#dataError = { error };
  }

  /**
   * Runs the authenticators once, in order: the first to return a user wins; one that
   * throws ends it (AuthenticationFailed → 401/403). None: the unauthenticated user.
   */
  authenticate(): Promise<void> {
    const done = this.authenticated();
    return isPromise(done) ? done : DONE;
  }

  /**
   * {@link Request.authenticate} without a promise when the authenticators answered
   * synchronously (or already ran): the view's synchronous path. `await` it either way.
   */
  authenticated(): MaybePromise<void> {
    const running = this.#authenticating;
    if (running === DONE) return undefined;
    if (running !== null) return running;
    let result: MaybePromise<void>;
    try {
      result = this.#authenticate();
    } catch (error) {
      const rejected = Promise.reject(error);
      rejected.catch(() => {});
      this.#authenticating = rejected;
      throw error;
    }
    this.#authenticating = isPromise(result) ? result : DONE;
    return result;
  }

  #authenticate(): MaybePromise<void> {
    const forced = forcedAuth.getStore();
    if (forced !== undefined) {
      if (forced.user === null) this.#notAuthenticated();
      else {
        this.successfulAuthenticator = FORCED;
        this.#setAuth(forced.user, forced.token);
      }
      return;
    }
    return this.#authenticateFrom(0);
  }

  /** The authenticators from `start`, synchronously until one answers with a promise. */
  #authenticateFrom(start: number): MaybePromise<void> {
    const authenticators = this.authenticators;
    for (let i = start; i < authenticators.length; i++) {
      const authenticator = authenticators[i] as Authentication;
      let result;
      try {
        result = authenticator.authenticate(this);
      } catch (error) {
        // As DRF: a failed authentication leaves the request anonymous for the error page.
        this.#notAuthenticated();
        throw error;
      }
      if (isPromise(result)) {
        return result.then(
          (answer) => (this.#recognised(authenticator, answer) ? undefined : this.#authenticateFrom(i + 1)),
          (error: unknown) => {
            this.#notAuthenticated();
            throw error;
          },
        );
      }
      if (this.#recognised(authenticator, result)) return;
    }
    this.#notAuthenticated();
  }

  /** Takes an authenticator's answer: true when it recognised a user. */
  #recognised(authenticator: Authentication, result: AuthResult | null | undefined): boolean {
    if (result === null || result === undefined) return false;
    this.successfulAuthenticator = authenticator;
    this.#setAuth(result[0], result[1]);
    return true;
  }

  #notAuthenticated(): void {
    this.successfulAuthenticator = null;
    this.#setAuth(this.apiSettings.unauthenticatedUser(), this.apiSettings.unauthenticatedToken());
  }

  #setAuth(user: ApiUser, auth: unknown): void {
    this.#user = user;
    this.#auth = auth;
    // As DRF, the framework's request sees the user too (middleware logging it, say). A plain
    // assignment (a lazy `user` a middleware defined takes it through its setter).
    (this.httpRequest as { user?: unknown }).user = user;
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
    this.#authenticating ??= DONE;
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
