/**
 * The OpenAPI 3.1 document of a project's API, generated from what already describes it:
 * the URL patterns (paths and their parameters), the views (methods, viewset actions),
 * the serializers (one JSON Schema component each), the authenticators (security
 * schemes), the paginators (the list bodies) and the filter backends (query parameters).
 * Nothing is declared twice.
 *
 * @module
 */
import {
  intConverter,
  pathConverter,
  slugConverter,
  type URLconf,
  type URLEntry,
  URLPattern,
  URLResolver,
  uuidConverter,
} from '../../web/index.ts';
import { BasicAuthentication, TokenAuthentication } from '../authentication.ts';
import type { GenericSerializerClass, GenericView } from '../generics.ts';
import type { Paginator } from '../pagination/base.ts';
import { apiSettingsOf, type ResolvedApiSettings } from '../settings.ts';
import { APIView } from '../views.ts';
import { OPENAPI_VERSION, type OpenAPIDocument, type OpenAPIOperation, type SchemaObject } from './types.ts';

/** Options of {@link SchemaGenerator}. */
export interface SchemaGeneratorOptions {
  /** The URL patterns to describe (the project's root URLconf). */
  readonly urlconf: URLconf;
  /** `info.title` (default "API"). */
  readonly title?: string;
  /** `info.version` (default "1.0.0"). */
  readonly version?: string;
  readonly description?: string;
  /** `servers[].url`: where the API is (default: none, the document's own origin). */
  readonly servers?: ReadonlyArray<{ readonly url: string; readonly description?: string }>;
  /** The project's settings (the `api` section's defaults apply to views that name none). */
  readonly settings?: object;
  /** Only paths starting with this (after the leading slash), e.g. `'api/'`. */
  readonly prefix?: string;
}

/** An authenticator may describe itself; the built-in ones are known. */
interface DescribedAuthentication {
  securityScheme?(): { name: string; scheme: SchemaObject };
}

type AnyView = APIView & Partial<GenericView> & Record<string, unknown>;
interface ViewFunction {
  readonly viewClass?: new () => APIView;
  readonly viewInitkwargs?: Readonly<Record<string, unknown>>;
  readonly actions?: Readonly<Record<string, string>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const CONVERTER_SCHEMAS = new Map<unknown, SchemaObject>([
  [intConverter, { type: 'integer', minimum: 0 }],
  [slugConverter, { type: 'string', pattern: '^[-a-zA-Z0-9_]+$' }],
  [uuidConverter, { type: 'string', format: 'uuid' }],
  [pathConverter, { type: 'string' }],
]);

/** `notes-detail` / `OrganizationViewSet` → `Organization`. */
function baseName(cls: { name: string }): string {
  return cls.name.replace(/(Serializer|ViewSet|APIView|View)$/, '') || cls.name;
}

function camel(s: string): string {
  return s.replace(/[-_\s]+(\w)/g, (_, c: string) => c.toUpperCase());
}

/** Walks the URL patterns and builds the OpenAPI document. */
export class SchemaGenerator {
  readonly options: SchemaGeneratorOptions;
  readonly settings: ResolvedApiSettings;
  #components = new Map<GenericSerializerClass, string>();
  #schemas: Record<string, SchemaObject> = {};
  #security: Record<string, SchemaObject> = {};
  #operationIds = new Set<string>();

  constructor(options: SchemaGeneratorOptions) {
    this.options = options;
    this.settings = apiSettingsOf(options.settings ?? {});
  }

  /** The document. Each call walks the patterns afresh. */
  getSchema(): OpenAPIDocument {
    this.#components = new Map();
    this.#schemas = {};
    this.#security = {};
    this.#operationIds = new Set();
    const paths: Record<string, Record<string, OpenAPIOperation>> = {};
    for (const endpoint of this.endpoints()) {
      if (this.options.prefix !== undefined && !endpoint.path.startsWith(`/${this.options.prefix}`)) continue;
      const item = (paths[endpoint.path] ??= {});
      for (const [method, action] of endpoint.methods) {
        item[method] = this.operation(endpoint, method, action);
      }
    }
    const doc: OpenAPIDocument = {
      openapi: OPENAPI_VERSION,
      info: {
        title: this.options.title ?? 'API',
        version: this.options.version ?? '1.0.0',
        ...(this.options.description !== undefined ? { description: this.options.description } : {}),
      },
      paths,
      components: { schemas: this.#schemas, securitySchemes: this.#security },
    };
    if (this.options.servers !== undefined) doc.servers = this.options.servers.map((s) => ({ ...s }));
    return doc;
  }

  /** Every API route: its OpenAPI path, its parameters, its view, and its methods with their actions. */
  *endpoints(): Generator<Endpoint> {
    const { urlconf } = this.options;
    const entries = Array.isArray(urlconf)
      ? urlconf
      : (urlconf as { urlpatterns: readonly URLEntry[] }).urlpatterns;
    yield* this.#walk(entries, '/', []);
  }

  *#walk(entries: readonly URLEntry[], prefix: string, params: PathParam[]): Generator<Endpoint> {
    for (const entry of entries) {
      const tokens = entry.pattern.tokens;
      // A regular-expression pattern has no route to show; its views are left out.
      if (tokens === null) continue;
      let path = prefix;
      const own = [...params];
      for (const token of tokens) {
        if (typeof token === 'string') path += token;
        else {
          path += `{${token.name}}`;
          own.push({
            name: token.name,
            schema: CONVERTER_SCHEMAS.get(token.converter) ?? { type: 'string' },
          });
        }
      }
      if (entry instanceof URLResolver) {
        yield* this.#walk(entry.urlPatterns, path, own);
        continue;
      }
      if (!(entry instanceof URLPattern)) continue;
      const fn = entry.callback as unknown as ViewFunction;
      const cls = fn.viewClass;
      if (cls === undefined || !(cls.prototype instanceof APIView)) continue;
      const methods: Array<[string, string | null]> = [];
      if (fn.actions !== undefined) {
        for (const [method, action] of Object.entries(fn.actions))
          if ((METHODS as readonly string[]).includes(method)) methods.push([method, action as string]);
      } else {
        const proto = cls.prototype as unknown as Record<string, unknown>;
        for (const method of METHODS) if (typeof proto[method] === 'function') methods.push([method, null]);
      }
      if (methods.length > 0)
        yield {
          path,
          params: own,
          viewClass: cls,
          initkwargs: fn.viewInitkwargs ?? {},
          methods,
          name: entry.name,
        };
    }
  }

  /** A view instance as the route makes it, with `action` set, to ask for its serializer, filters… */
  #view(endpoint: Endpoint, method: string, action: string | null): AnyView {
    const view = new endpoint.viewClass() as AnyView;
    Object.assign(view, endpoint.initkwargs);
    view.apiSettings = this.settings;
    if (action !== null) {
      view.action = action;
      view.actionMap = Object.fromEntries(endpoint.methods);
    }
    view.params = {};
    (view as { schemaMethod?: string }).schemaMethod = method;
    return view;
  }

  /** The component of a serializer class, added on first use: `{ $ref }`. */
  serializerRef(cls: GenericSerializerClass, partial = false): SchemaObject {
    let name = this.#components.get(cls);
    if (name === undefined) {
      const stem = baseName(cls);
      name = stem;
      for (let i = 2; name in this.#schemas; i++) name = `${stem}${i}`;
      this.#components.set(cls, name);
      this.#schemas[name] = (cls as unknown as { jsonSchema(): SchemaObject }).jsonSchema();
    }
    if (!partial) return { $ref: `#/components/schemas/${name}` };
    const patched = `Patched${name}`;
    if (!(patched in this.#schemas)) {
      const { required: _required, ...rest } = this.#schemas[name] as SchemaObject;
      this.#schemas[patched] = rest;
    }
    return { $ref: `#/components/schemas/${patched}` };
  }

  #serializerOf(view: AnyView): GenericSerializerClass | null {
    if (typeof view.getSerializerClass !== 'function') return null;
    try {
      return view.getSerializerClass();
    } catch {
      // A view that picks its serializer from the request cannot say here.
      return null;
    }
  }

  #paginatorOf(view: AnyView): Paginator | null {
    if (!('paginationClass' in view)) return null;
    const Cls = view.paginationClass ?? this.settings.defaultPaginationClass;
    if (Cls === null || Cls === undefined) return null;
    const paginator = new Cls();
    // The built-in paginators leave a list whole without a page size: so does the document.
    const own = (paginator as { pageSize?: unknown }).pageSize;
    if (own === null && this.settings.pageSize === null) return null;
    return paginator;
  }

  /** The operation of one method of an endpoint. */
  operation(endpoint: Endpoint, method: string, action: string | null): OpenAPIOperation {
    const view = this.#view(endpoint, method, action);
    const name = baseName(endpoint.viewClass);
    const isList =
      action === 'list' || (action === null && method === 'get' && isListView(endpoint.viewClass));
    const verb = action ?? (isList ? 'list' : method === 'get' ? 'retrieve' : method);
    // `list` + the viewset's basename, else the route's name, else the view's class.
    const basename = endpoint.initkwargs.basename;
    const stem = typeof basename === 'string' ? basename : (endpoint.name ?? name);
    let id = camel(`${verb}-${stem}`);
    for (let i = 2; this.#operationIds.has(id); i++) id = `${camel(`${verb}-${stem}`)}${i}`;
    this.#operationIds.add(id);

    const op: OpenAPIOperation = {
      operationId: id,
      tags: [
        endpoint.path
          .split('/')
          .filter((s) => s !== '' && !s.startsWith('{'))
          .at(-1) ?? name,
      ],
      responses: {},
    };
    const description = view.description;
    if (typeof description === 'string' && description !== '') op.description = description;

    const parameters: SchemaObject[] = endpoint.params.map((p) => ({
      name: p.name,
      in: 'path',
      required: true,
      schema: p.schema,
    }));
    const paginator = isList ? this.#paginatorOf(view) : null;
    if (isList) {
      const backends = (view.filterBackends ?? this.settings.defaultFilterBackends) as ReadonlyArray<
        new () => { getSchemaParameters?(view: object): SchemaObject[] }
      >;
      if ('filterBackends' in view)
        for (const Backend of backends) parameters.push(...(new Backend().getSchemaParameters?.(view) ?? []));
      if (paginator !== null) parameters.push(...paginationParameters(paginator));
    }
    if (parameters.length > 0) op.parameters = dedupe(parameters);

    const serializer = this.#serializerOf(view);
    const body = serializer === null ? { type: 'object' } : this.serializerRef(serializer);
    if (method === 'post' || method === 'put' || method === 'patch') {
      const schema =
        serializer === null ? { type: 'object' } : this.serializerRef(serializer, method === 'patch');
      const media = (view.getParsers?.() ?? []).map((p) => p.mediaType).filter((m) => !m.includes('*'));
      op.requestBody = {
        required: method !== 'patch',
        content: Object.fromEntries(
          (media.length > 0 ? media : ['application/json']).map((m) => [m, { schema }]),
        ),
      };
    }
    const json = (schema: SchemaObject) => ({ 'application/json': { schema } });
    if (method === 'delete') op.responses['204'] = { description: 'Deleted.' };
    else if (isList) {
      const items = body;
      const schema = paginator === null ? { type: 'array', items } : paginator.getPaginatedSchema(items);
      op.responses['200'] = { description: 'The list.', content: json(schema) };
    } else if (method === 'post' && (action === 'create' || action === null))
      op.responses['201'] = { description: 'Created.', content: json(body) };
    else op.responses['200'] = { description: 'OK.', content: json(body) };
    if (method !== 'get' && method !== 'delete') op.responses['400'] = errorResponse('Invalid input.');
    if (endpoint.params.length > 0) op.responses['404'] = errorResponse('Not found.');

    const security = this.#securityOf(view);
    if (security.length > 0) {
      op.security = security.map((s) => ({ [s]: [] }));
      op.responses['401'] = errorResponse('Not authenticated.');
      op.responses['403'] = errorResponse('Permission denied.');
    }
    return op;
  }

  /** The security schemes of the view's authenticators, added to the components; their names. */
  #securityOf(view: AnyView): string[] {
    const names: string[] = [];
    let authenticators: unknown[];
    try {
      authenticators = view.getAuthenticators();
    } catch {
      return names;
    }
    for (const auth of authenticators) {
      const described = securitySchemeOf(auth);
      if (described === null) continue;
      this.#security[described.name] = described.scheme;
      names.push(described.name);
    }
    return names;
  }
}

/** One route of the API. */
export interface Endpoint {
  /** The OpenAPI path (`/api/notes/{pk}/`). */
  readonly path: string;
  readonly params: readonly PathParam[];
  readonly viewClass: new () => APIView;
  readonly initkwargs: Readonly<Record<string, unknown>>;
  /** `[method, action]`: the action is null for a plain API view. */
  readonly methods: ReadonlyArray<[string, string | null]>;
  readonly name: string | null;
}

interface PathParam {
  readonly name: string;
  readonly schema: SchemaObject;
}

function isListView(cls: new () => APIView): boolean {
  return typeof (cls.prototype as unknown as Record<string, unknown>).list === 'function';
}

function errorResponse(description: string): SchemaObject {
  return {
    description,
    content: {
      'application/json': {
        schema: { type: 'object', additionalProperties: true },
      },
    },
  };
}

function dedupe(parameters: SchemaObject[]): SchemaObject[] {
  const seen = new Set<string>();
  return parameters.filter((p) => {
    const key = `${String(p.in)}:${String(p.name)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The query parameters of a paginator (the built-in ones are read by their attributes). */
function paginationParameters(paginator: Paginator): SchemaObject[] {
  const own = (paginator as { getSchemaParameters?(): SchemaObject[] }).getSchemaParameters;
  if (typeof own === 'function') return own.call(paginator);
  const p = paginator as unknown as Record<string, unknown>;
  const out: SchemaObject[] = [];
  const param = (name: unknown, description: string, schema: SchemaObject) => {
    if (typeof name === 'string') out.push({ name, in: 'query', required: false, description, schema });
  };
  param(p.pageQueryParam, 'A page number within the paginated result set.', { type: 'integer' });
  param(p.pageSizeQueryParam, 'Number of results to return per page.', { type: 'integer' });
  param(p.limitQueryParam, 'Number of results to return per page.', { type: 'integer' });
  param(p.offsetQueryParam, 'The initial index from which to return the results.', { type: 'integer' });
  param(p.cursorQueryParam, 'The pagination cursor value.', { type: 'string' });
  return out;
}

/** The security scheme of an authenticator, or null when it has none to show. */
export function securitySchemeOf(auth: unknown): { name: string; scheme: SchemaObject } | null {
  const own = (auth as DescribedAuthentication).securityScheme;
  if (typeof own === 'function') return own.call(auth);
  if (auth instanceof TokenAuthentication) {
    const keyword = auth.keywords[0] ?? 'Token';
    return {
      name: 'tokenAuth',
      scheme: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: `Token-based authentication, the header prefixed with "${keyword} ".`,
      },
    };
  }
  if (auth instanceof BasicAuthentication)
    return { name: 'basicAuth', scheme: { type: 'http', scheme: 'basic' } };
  if ((auth as object | null)?.constructor?.name === 'SessionAuthentication')
    return { name: 'cookieAuth', scheme: { type: 'apiKey', in: 'cookie', name: 'sessionid' } };
  return null;
}
