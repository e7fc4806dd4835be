/**
 * Portico's web framework: Django's request lifecycle (handler, middleware onion, URL
 * dispatch, views, signals) in TypeScript, on top of TSGI. See `docs/web/`.
 *
 * @module
 */

export {
  type ResolvedSettings,
  type ResolveOptions,
  resolveSettings,
  type Settings,
} from './conf/settings.ts';
export {
  defineSettingsSection,
  type SectionInput,
  type SectionOutput,
  type SettingsSection,
  type SettingsSections,
} from './conf/sections.ts';
export { settingsSchema, type SettingsSchemaOptions } from './conf/settings-schema.ts';
export type { StandardSchemaV1 } from './conf/standard-schema.ts';
export type { ContextProcessor, TemplateSettings } from './template/settings.ts';
export {
  BadSignature,
  SignatureExpired,
  Signer,
  type SignerOptions,
  type SigningKeys,
  TimestampSigner,
} from './core/signing.ts';
export { type ConnectOptions, type Receiver, Signal, type SignalEvent } from './dispatch/signal.ts';
export { webErrors, type WebErrorCodes } from './errors.ts';
export {
  BadRequest,
  ContentNotRenderedError,
  DisallowedHost,
  DisallowedRedirect,
  FileTooBig,
  Http404,
  ImproperlyConfigured,
  InvalidJson,
  MiddlewareNotUsed,
  MultiPartParserError,
  PermissionDenied,
  RequestDataTooBig,
  SuspiciousOperation,
  TooManyFieldsSent,
  TooManyFilesSent,
} from './exceptions.ts';
export {
  InMemoryUploadedFile,
  TemporaryUploadedFile,
  UploadedFile,
  type UploadInfo,
} from './files/uploadedfile.ts';
export {
  type ExceptionResponder,
  registerExceptionResponder,
  unregisterExceptionResponder,
} from './handlers/exception-responders.ts';
export { getTsgiApplication } from './handlers/tsgi.ts';
export {
  registerViewWrapper,
  unregisterViewWrapper,
  type ViewWrapper,
  type ViewWrapperFactory,
} from './handlers/view-wrappers.ts';
export type { CookieOptions } from './http/cookie.ts';
export { HttpHeaders, ResponseHeaders } from './http/headers.ts';
export { JsonResponse, type JsonResponseOptions } from './http/json.ts';
export { QueryDict, type QueryDictOptions } from './http/querydict.ts';
export {
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  HttpResponseRedirectBase,
  type RedirectOptions,
} from './http/redirect.ts';
export {
  HttpRequest,
  type RequestOptions,
  type RequestReverseOptions,
  type RequestSettings,
  type SignedCookieOptions,
  type UrlReverser,
} from './http/request.ts';
export type { RequestState, RequestStateKey } from './http/state.ts';
export {
  HttpResponse,
  HttpResponseBadRequest,
  HttpResponseForbidden,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponseNotFound,
  HttpResponseNotModified,
  HttpResponseServerError,
  type ResponseContent,
} from './http/response.ts';
export { HttpResponseBase, type ResponseOptions } from './http/response-base.ts';
export { FileResponse, type FileResponseOptions, type FileSource } from './http/fileresponse.ts';
export { type StreamingContent, StreamingHttpResponse } from './http/streaming.ts';
export { defaultLogger, type LogContext, type WebLogger } from './logging/logger.ts';
export {
  type PinoWebLogger,
  pinoLogger,
  REQUEST_ID_KEY,
  requestIdOf,
  requestLogging,
  type RequestLoggingOptions,
} from './logging/pino.ts';
export { CommonMiddleware, noAppendSlash } from './middleware/common.ts';
export { MiddlewareMixin } from './middleware/mixin.ts';
export type { MiddlewareRequirements } from './core/checks/middleware.ts';
export type {
  GetResponse,
  MaybeResponse,
  Middleware,
  MiddlewareContext,
  MiddlewareFactory,
  MiddlewareFunction,
  MiddlewareHooks,
  MiddlewareObject,
} from './middleware/types.ts';
export { render } from './shortcuts.ts';
export { gotRequestException, requestFinished, requestStarted, templateRendered } from './signals.ts';
export {
  getEngine,
  type LoadedTemplate,
  renderToString,
  TemplateDoesNotExist,
  TemplateEngine,
  TemplateError,
} from './template/engine.ts';
export {
  type Context,
  type PostRenderCallback,
  SimpleTemplateResponse,
  type Template,
  type TemplateName,
  TemplateResponse,
} from './template/response.ts';
export {
  createReverse,
  type ReverseOptions,
  resolve,
  reverse,
  reverseUnchecked,
  type UncheckedReverseOptions,
} from './urls/base.ts';
export {
  type ExtraKwargs,
  Included,
  include,
  type PathOptions,
  path,
  rePath,
  type URLconf,
  type URLconfModule,
  type URLEntry,
  URLPattern,
  URLResolver,
} from './urls/conf.ts';
export {
  type Converter,
  intConverter,
  pathConverter,
  registerConverter,
  slugConverter,
  stringConverter,
  uuidConverter,
} from './urls/converters.ts';
export { NoReverseMatch, Resolver404 } from './urls/exceptions.ts';
export { ResolverMatch } from './urls/match.ts';
export { type RouteRow, routeTable } from './urls/table.ts';
export type {
  ConverterTypes,
  RegexParams,
  Register,
  RouteArgs,
  RouteParams,
  TypedReverse,
  UrlEntries,
  UrlName,
} from './urls/types.ts';
export type {
  AnyViewFunction,
  ErrorHandlerView,
  ServerErrorHandlerView,
  ViewFunction,
} from './views/types.ts';
export {
  addNeverCacheHeaders,
  type CacheControlValue,
  getMaxAge,
  hasVaryHeader,
  parseCacheControl,
  patchCacheControl,
  patchResponseHeaders,
  patchVaryHeaders,
  varyHeaders,
} from './utils/cache.ts';
export { MultiValueDict } from './utils/datastructures.ts';
export { andThen, type MaybePromise } from './utils/promise.ts';
export { lazyBody } from './views/decorators/body.ts';
export { cacheControl, neverCache } from './views/decorators/cache.ts';
export { badRequest, pageNotFound, permissionDenied, serverError } from './views/defaults.ts';
export { type ClassView, type Params, RedirectView, View } from './views/generic/base.ts';
