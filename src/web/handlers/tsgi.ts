/**
 * The TSGI entry point: `getTsgiApplication(settings)`.
 *
 * @module
 */
import type { Application, Environ, ResponseBody, StartResponse } from '../../tsgi/types.ts';
import type { Settings } from '../conf/settings.ts';
import { BadRequest, ContentNotRenderedError } from '../exceptions.ts';
import { HttpRequest } from '../http/request.ts';
import { type HttpResponseBase, isResponsePromise } from '../http/response-base.ts';
import { FileResponse } from '../http/fileresponse.ts';
import { requestStarted } from '../signals.ts';
import { setDefaultTemplateSettings } from '../template/engine.ts';
import { hasRender } from '../template/response.ts';
import { setDefaultUrlconf } from '../urls/base.ts';
import { isPromise, type MaybePromise } from '../utils/promise.ts';
import { BaseHandler } from './base.ts';

const ABSOLUTE_FORM = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/;

/**
 * Why the request path cannot be decoded, or `null` when it can. The server hands over
 * PATH_INFO already decoded (undecodable bytes left as `%XX`), so the raw target in
 * REQUEST_URI is what tells a literal `%ED` apart from a broken byte. Without
 * REQUEST_URI the path is accepted as given.
 */
export function invalidPathReason(environ: Environ): string | null {
  const target = environ.REQUEST_URI;
  // The common case, no escape at all, costs one indexOf.
  if (typeof target !== 'string' || target.indexOf('%') === -1) return null;
  let path = target;
  const query = path.search(/[?#]/);
  if (query !== -1) path = path.slice(0, query);
  path = path.replace(ABSOLUTE_FORM, '');
  if (path.indexOf('%') === -1) return null;
  try {
    decodeURIComponent(path);
    return null;
  } catch {
    return /%(?![0-9A-Fa-f]{2})/.test(path)
      ? `The request path ${JSON.stringify(path)} has a malformed percent-escape.`
      : `The request path ${JSON.stringify(path)} is not valid UTF-8 once percent-decoded.`;
  }
}

/**
 * Serves TSGI requests with the middleware chain and URLconf of a project. Prefer
 * {@link getTsgiApplication}; subclass to customize.
 */
export class TsgiHandler extends BaseHandler {
  /** The TSGI application (bound, ready to give to a server). */
  readonly application: Application;

  constructor(settings: Settings) {
    super(settings);
    this.application = (environ, startResponse) => this.call(environ, startResponse);
  }

  /**
   * Handles one request: `requestStarted`, the request, the chain, then `startResponse`
   * with the status line, the headers and one `Set-Cookie` per cookie. Returns the body
   * directly when everything was synchronous. `requestFinished` is sent when the server
   * closes the body.
   */
  call(environ: Environ, startResponse: StartResponse): MaybePromise<ResponseBody> {
    // Django's order: the script prefix, then requestStarted, then the request. There is no
    // process-wide prefix to set (concurrent requests would share it): the prefix travels
    // with the signal and the request.
    const scriptName = this.settings.forceScriptName ?? environ.SCRIPT_NAME;
    if (requestStarted.hasListeners()) requestStarted.send(this.constructor, { environ, scriptName });
    const request = this.createRequest(environ, scriptName);
    const pathError = invalidPathReason(environ);
    // A path that cannot be decoded never reaches middleware or URL resolution: it is a 400.
    if (pathError !== null) {
      const refused = this.responseForException(request, new BadRequest(pathError));
      if (isResponsePromise(refused))
        return refused.then((r) => this.#respond(r, request, environ, startResponse));
      return this.#respond(refused, request, environ, startResponse);
    }
    // getResponse(), with its logging step in the same continuation as the response's.
    const response = this.chainResponse(request);
    if (isResponsePromise(response)) {
      return response.then((r) =>
        this.#respond(this.loggedResponse(request, r), request, environ, startResponse),
      );
    }
    return this.#respond(this.loggedResponse(request, response), request, environ, startResponse);
  }

  /** Builds the request for an environ (the test client overrides it to keep the request). */
  protected createRequest(environ: Environ, scriptName: string): HttpRequest {
    return new HttpRequest(environ, {
      scriptName,
      settings: this.settings,
      resolver: this.resolver,
    });
  }

  #respond(
    response: HttpResponseBase,
    request: HttpRequest,
    environ: Environ,
    startResponse: StartResponse,
  ): MaybePromise<ResponseBody> {
    if (hasRender(response) && !response.isRendered) {
      // Only responses from the view are rendered; one a middleware returned early is not.
      const replaced = this.responseForException(
        request,
        new ContentNotRenderedError('A template response was returned by a middleware and never rendered.'),
      );
      if (isPromise(replaced)) return replaced.then((r) => this.#respond(r, request, environ, startResponse));
      response = replaced;
    }
    response.handlerClass = this.constructor;
    // Temporary upload files live until the server closes the body.
    if (request.needsClose) response.addCloser(() => request.close());
    if (response instanceof FileResponse) response.applyRange(request);
    startResponse(response.statusLine, response.headerList(this.settings));
    const fileWrapper = environ['tsgi.file_wrapper'];
    if (fileWrapper !== undefined && response instanceof FileResponse) {
      const file = response.fileToStream;
      // The wrapper closes "the file" when the server closes the body: make that close the response.
      return fileWrapper(
        { read: (size) => file.read(size), close: () => response.close() },
        response.blockSize,
      );
    }
    return response.tsgiBody();
  }
}

/**
 * The TSGI application of a project: builds everything now (settings, URLconf, middleware)
 * so configuration errors surface at startup, and makes the URLconf the default one for
 * the module-level `reverse()`.
 *
 * @example
 * ```ts
 * export const application = getTsgiApplication({ rootUrlconf: urlpatterns, allowedHosts: ['example.com'] });
 * ```
 * @throws ImproperlyConfigured for bad settings, URLconf or middleware.
 */
export function getTsgiApplication(settings: Settings): Application {
  const handler = new TsgiHandler(settings);
  setDefaultUrlconf(handler.settings.rootUrlconf);
  setDefaultTemplateSettings(handler.settings);
  // Marked so that `portico serve` can warn when debug pages are served on every interface.
  if (handler.settings.debug)
    Object.defineProperty(handler.application, Symbol.for('portico.debug'), { value: true });
  return handler.application;
}
