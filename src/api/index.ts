/**
 * `portico/api`: Django REST framework's request flow — API views, requests and responses,
 * content negotiation, parsers, renderers (JSON and the browsable API), authentication,
 * permissions and throttles.
 *
 * @module
 */
import './checks.ts';
export { type ApiUser, AnonymousUser } from './user.ts';
/** URL parameters as handlers receive them (the framework's type). */
export type { Params } from '../web/index.ts';
export {
  type Authentication,
  type AuthenticationClass,
  type AuthResult,
  BasicAuthentication,
  type CredentialsChecker,
  SessionAuthentication,
  TokenAuthentication,
  type TokenStore,
} from './authentication.ts';
export { BrowsableAPIRenderer } from './browsable.ts';
export { apiErrors, type ApiErrorCodes } from './errors.ts';
export {
  APIException,
  AuthenticationFailed,
  Conflict,
  ErrorDetail,
  errorCodes,
  type ErrorTree,
  MethodNotAllowed,
  NotAcceptable,
  NotAuthenticated,
  NotFound,
  ParseError,
  PermissionDenied,
  Throttled,
  toErrorTree,
  UnsupportedMediaType,
  ValidationError,
} from './exceptions.ts';
export {
  type ExceptionContext,
  type ExceptionHandler,
  exceptionHandler,
  setRollbackForRequest,
} from './exception-handler.ts';
export {
  type ContentNegotiation,
  DefaultContentNegotiation,
  mediaTypeMatches,
  parseAccept,
} from './negotiation.ts';
export {
  FormParser,
  JSONParser,
  MultiPartParser,
  nullPrototypeJson,
  type ParsedBody,
  type Parser,
  type ParserClass,
} from './parsers.ts';
export {
  AllowAny,
  and,
  BasePermission,
  IsAdminUser,
  IsAuthenticated,
  IsAuthenticatedOrReadOnly,
  not,
  or,
  type Permission,
  type PermissionClass,
  SAFE_METHODS,
} from './permissions.ts';
export { JSONRenderer, type Renderer, type RendererClass, type RendererContext } from './renderers.ts';
export { Request } from './request.ts';
export { type ApiResponseOptions, Response } from './response.ts';
export { type ApiSettings, apiSettings, apiSettingsOf, type ResolvedApiSettings } from './settings.ts';
export {
  AnonRateThrottle,
  clientIdent,
  defaultThrottleStore,
  MemoryThrottleStore,
  parseRate,
  ScopedRateThrottle,
  SimpleRateThrottle,
  type Throttle,
  type ThrottleClass,
  type ThrottleHit,
  type ThrottleStore,
  throttleStoreOf,
  UserRateThrottle,
} from './throttling.ts';
export { CacheThrottleStore } from './throttling-cache.ts';
export {
  type ApiClassView,
  type ApiHandler,
  type ApiHandlerResult,
  APIView,
  apiView,
  type ApiViewOptions,
} from './views.ts';
export {
  type FieldInfo,
  labelOf,
  type Metadata,
  type MetadataClass,
  metadataResponse,
  schemaFieldInfo,
  SimpleMetadata,
} from './metadata.ts';
export { type ActionMap, type ActionOptions, action, type ExtraAction, ViewSet } from './viewsets.ts';
export {
  type Constructor,
  CreateAPIView,
  CreateModelMixin,
  DestroyAPIView,
  DestroyModelMixin,
  type FilterBackendClass,
  Generic,
  GenericAPIView,
  type GenericQuerySet,
  type GenericSerializerClass,
  type GenericView,
  ListAPIView,
  ListCreateAPIView,
  ListModelMixin,
  type PaginatorClass,
  RetrieveAPIView,
  RetrieveDestroyAPIView,
  RetrieveModelMixin,
  RetrieveUpdateAPIView,
  RetrieveUpdateDestroyAPIView,
  UpdateAPIView,
  UpdateModelMixin,
} from './generics.ts';
export { GenericViewSet, ModelViewSet, ReadOnlyModelViewSet } from './generic-viewsets.ts';
export { DefaultRouter, type RouterOptions, SimpleRouter, type ViewSetClass } from './routers.ts';
/** The serializers, also as one namespace (`serializers.CharField`, as DRF's `serializers` module). */
export * from './serializers/index.ts';
export * as serializers from './serializers/index.ts';
export {
  CursorPagination,
  type CursorQuerySet,
  LimitOffsetPagination,
  type PageableQuerySet,
  type PaginatedBody,
  PageNumberPagination,
  type Paginator,
} from './pagination/index.ts';
export {
  FieldFilter,
  type FilterableQuerySet,
  type FilterBackend,
  type FilterView,
  OrderingFilter,
  SearchFilter,
} from './filters/index.ts';
export {
  type Endpoint,
  getSchemaView,
  OPENAPI_VERSION,
  type OpenAPIDocument,
  type OpenAPIOperation,
  SchemaGenerator,
  type SchemaGeneratorOptions,
  type SchemaObject,
  SchemaView,
  type SchemaViewOptions,
  securitySchemeOf,
  type SwaggerUiOptions,
  swaggerUiUrls,
} from './schemas/index.ts';
