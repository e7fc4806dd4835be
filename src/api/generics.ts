/**
 * Generic views (DRF's `generics.py` and `mixins.py`): a view over a queryset and a
 * serializer — `getQueryset`, `getObject` (lookup, 404, object permissions),
 * `getSerializer`, filtering and pagination — and the actions `list`, `create`,
 * `retrieve`, `update`, `partialUpdate` and `destroy`, composed into the concrete views
 * (`ListCreateAPIView`…).
 *
 * Why class mixin functions (`ListModelMixin(Base)`) rather than one class whose actions
 * are switched on by a list: a mixin adds a real method, so a view has exactly the
 * handlers it supports (the router, `Allow` and 405 see only those, with no run-time
 * list to keep in sync), each is typed and overridable with `super.list(...)`, and the
 * same generic behaviour ({@link Generic}) is applied to both `APIView` (generic views)
 * and `ViewSet` (generic viewsets) without copying code — the TypeScript spelling of
 * DRF's multiple inheritance.
 *
 * @module
 */
import { DataError, ObjectDoesNotExist, ValidationError as DbValidationError } from '../db/index.ts';
import type { Params } from '../web/index.ts';
import { NotFound } from './exceptions.ts';
import type { FilterableQuerySet, FilterBackend, FilterView } from './filters/base.ts';
import type { PageableQuerySet, Paginator } from './pagination/base.ts';
import type { Request } from './request.ts';
import { Response } from './response.ts';
import type { ListSerializer, Serializer, SerializerArgs } from './serializers/serializer.ts';
import { APIView } from './views.ts';

/** A class constructor, as class mixins take (the `any[]` is what TypeScript requires of a mixin base). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Constructor<T = object> = new (...args: any[]) => T;

/**
 * The part of a queryset generic views use: any queryset of the database layer fits,
 * whatever its model.
 */
export interface GenericQuerySet extends FilterableQuerySet, PageableQuerySet {
  /** A fresh copy (so no result is ever shared between requests). */
  all(): GenericQuerySet;
  get(...conditions: Array<Record<string, unknown>>): Promise<unknown>;
  fetch(): Promise<unknown[]>;
}

/** A serializer class generic views can make (any `Serializer.of(...)` or `ModelSerializer.for(...)`). */
export interface GenericSerializerClass {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  new (args?: SerializerArgs<any>): Serializer<any, any, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  many(args?: SerializerArgs<readonly any[]>): ListSerializer<any, any, any>;
}

/** A paginator class (`PageNumberPagination`…). */
export type PaginatorClass = new () => Paginator;
/** A filter backend class (`SearchFilter`…). */
export type FilterBackendClass = new () => FilterBackend;

/** What a generic view is: the members the mixins use. */
export interface GenericView extends APIView, FilterView {
  queryset: GenericQuerySet | null;
  serializerClass: GenericSerializerClass | null;
  lookupField: string;
  lookupUrlKwarg: string | null;
  filterBackends: readonly FilterBackendClass[] | null;
  paginationClass: PaginatorClass | null;
  getQueryset(): GenericQuerySet;
  getObject(): Promise<unknown>;
  getSerializerClass(): GenericSerializerClass;
  getSerializerContext(): Record<string, unknown>;
  getSerializer(args?: SerializerArgs<unknown>): Serializer<unknown, unknown, unknown>;
  getListSerializer(instances: readonly unknown[]): ListSerializer<unknown, unknown, unknown>;
  filterQueryset(queryset: GenericQuerySet): GenericQuerySet;
  readonly paginator: Paginator | null;
  paginateQueryset(queryset: GenericQuerySet): Promise<unknown[] | null>;
  getPaginatedResponse(data: unknown[]): Response;
}

/** Errors of a lookup that mean "no such object": a missing row, or a value the key's field refuses. */
function isMissing(error: unknown): boolean {
  return (
    error instanceof ObjectDoesNotExist || error instanceof DbValidationError || error instanceof DataError
  );
}

/**
 * The generic behaviour, applied to a base view class: `Generic(APIView)` is
 * {@link GenericAPIView}, `Generic(ViewSet)` is `GenericViewSet`.
 */
export function Generic<B extends Constructor<APIView>>(Base: B) {
  return class GenericBase extends Base implements GenericView {
    /**
     * The rows this view works on. Refined and evaluated per request: `getQueryset()`
     * copies it, so results are never cached across requests (DRF's rule).
     */
    queryset: GenericQuerySet | null = null;
    /** The serializer for input and output. */
    serializerClass: GenericSerializerClass | null = null;
    /** The model field that looks an object up (`'pk'`, `'slug'`). */
    lookupField = 'pk';
    /** The URL parameter holding the lookup value (default: {@link lookupField}). */
    lookupUrlKwarg: string | null = null;
    /** The converter of a router's detail route parameter (`'int'`, `'slug'`; default `'str'`). */
    declare lookupValueConverter?: string;
    /** The filter backends (default: the project's `api.defaultFilterBackends`). */
    filterBackends: readonly FilterBackendClass[] | null = null;
    /** The paginator (default: the project's `api.defaultPaginationClass`); null in both: no pagination. */
    paginationClass: PaginatorClass | null = null;
    /** Fields `SearchFilter` looks in. */
    declare searchFields?: readonly string[];
    /** Fields `OrderingFilter` allows. */
    declare orderingFields?: readonly string[] | '__all__';
    /** The default order of `OrderingFilter`. */
    declare ordering?: string | readonly string[];
    /** Fields and lookups `FieldFilter` allows. */
    declare filtersetFields?: readonly string[] | Readonly<Record<string, readonly string[]>>;
    /** This request's paginator, made on first use. */
    paginatorInstance: Paginator | null | undefined = undefined;

    /**
     * The queryset of this request: a copy of {@link queryset}. Override it to depend on
     * the request (`Note.objects.filter({ owner: this.apiRequest.user.id })`).
     */
    getQueryset(): GenericQuerySet {
      if (this.queryset === null)
        throw new TypeError(
          `'${this.constructor.name}' should either include a \`queryset\` attribute, or override the \`getQueryset()\` method.`,
        );
      return this.queryset.all();
    }

    /** The object of a detail URL: filtered queryset → lookup or 404 → object permissions. */
    async getObject(): Promise<unknown> {
      const queryset = this.filterQueryset(this.getQueryset());
      const kwarg = this.lookupUrlKwarg ?? this.lookupField;
      if (!(kwarg in this.params))
        throw new TypeError(
          `Expected view ${this.constructor.name} to be called with a URL keyword argument named "${kwarg}". Fix your URL conf, or set the \`lookupField\` attribute on the view correctly.`,
        );
      let obj: unknown;
      try {
        obj = await queryset.get({ [this.lookupField]: this.params[kwarg] });
      } catch (error) {
        // DRF's get_object_or_404: a value the field cannot take ("abc" for an integer key) is a 404 too.
        if (isMissing(error)) throw new NotFound('No object matches the given query.');
        throw error;
      }
      await this.checkObjectPermissions(this.apiRequest, obj);
      return obj;
    }

    getSerializerClass(): GenericSerializerClass {
      if (this.serializerClass === null)
        throw new TypeError(
          `'${this.constructor.name}' should either include a \`serializerClass\` attribute, or override the \`getSerializerClass()\` method.`,
        );
      return this.serializerClass;
    }

    /** What serializers receive as `context`: the request and this view. */
    getSerializerContext(): Record<string, unknown> {
      return { request: this.apiRequest, view: this, format: this.params.format ?? null };
    }

    /** A serializer of this view, with the context. */
    getSerializer(args: SerializerArgs<unknown> = {}): Serializer<unknown, unknown, unknown> {
      const Cls = this.getSerializerClass();
      return new Cls({ ...args, context: { ...this.getSerializerContext(), ...args.context } });
    }

    /** A list serializer of this view's serializer, for a page or a list of objects. */
    getListSerializer(instances: readonly unknown[]): ListSerializer<unknown, unknown, unknown> {
      return this.getSerializerClass().many({ instance: instances, context: this.getSerializerContext() });
    }

    /** Runs the filter backends in order. */
    filterQueryset(queryset: GenericQuerySet): GenericQuerySet {
      let qs = queryset;
      const backends = this.filterBackends ?? this.apiSettings.defaultFilterBackends;
      for (const Backend of backends) qs = new Backend().filterQueryset(this.request, qs, this);
      return qs;
    }

    /** This request's paginator, or null when the view is not paginated. */
    get paginator(): Paginator | null {
      if (this.paginatorInstance === undefined) {
        const Cls = this.paginationClass ?? this.apiSettings.defaultPaginationClass;
        this.paginatorInstance = Cls === null ? null : new Cls();
      }
      return this.paginatorInstance;
    }

    /** The rows of the requested page, or null when the view is not paginated. */
    paginateQueryset(queryset: GenericQuerySet): Promise<unknown[] | null> {
      const paginator = this.paginator;
      return paginator === null ? Promise.resolve(null) : paginator.paginateQueryset(queryset, this.request);
    }

    /** The page's body (`{count, next, previous, results}`) as a Response. */
    getPaginatedResponse(data: unknown[]): Response {
      const paginator = this.paginator;
      if (paginator === null) throw new TypeError('getPaginatedResponse() needs a paginator.');
      return new Response(paginator.getPaginatedData(data));
    }
  };
}

/**
 * The base of generic views: set `queryset` and `serializerClass` (and optionally
 * `lookupField`, `filterBackends`, `paginationClass`), then add actions with the mixins or
 * use a concrete view.
 */
export class GenericAPIView extends Generic(APIView) {}

/** `list`: the filtered, paginated queryset, serialized. */
export function ListModelMixin<B extends Constructor<GenericView>>(Base: B) {
  return class ListModel extends Base {
    async list(_request: Request, _params?: Params): Promise<Response> {
      const queryset = this.filterQueryset(this.getQueryset());
      const page = await this.paginateQueryset(queryset);
      if (page !== null) return this.getPaginatedResponse(this.getListSerializer(page).data as unknown[]);
      return new Response(this.getListSerializer(await queryset.fetch()).data);
    }
  };
}

/** `create`: validate, save (`performCreate`), 201 with `Location` when the object has a URL. */
export function CreateModelMixin<B extends Constructor<GenericView>>(Base: B) {
  return class CreateModel extends Base {
    async create(request: Request, _params?: Params): Promise<Response> {
      const serializer = this.getSerializer({ data: request.data });
      await serializer.isValid({ raiseException: true });
      await this.performCreate(serializer);
      const data = serializer.data;
      return new Response(data, { status: 201, headers: this.getSuccessHeaders(data, serializer.instance) });
    }

    /** Saves the new object; override to add values the request decides (`serializer.save({ owner })`). */
    async performCreate(serializer: Serializer<unknown, unknown, unknown>): Promise<void> {
      await serializer.save();
    }

    /**
     * `Location`: the data's `url` field (as DRF), else the object's detail URL when this
     * view is a routed viewset (`{basename}-detail`).
     */
    getSuccessHeaders(data: unknown, instance: unknown): Record<string, string> {
      const url = (data as { url?: unknown } | null)?.url;
      if (typeof url === 'string' && url !== '') return { Location: url };
      const detailUrl = (this as { detailUrlOf?: (obj: unknown) => string | null }).detailUrlOf?.(instance);
      return detailUrl ? { Location: detailUrl } : {};
    }
  };
}

/** `retrieve`: the object, serialized. */
export function RetrieveModelMixin<B extends Constructor<GenericView>>(Base: B) {
  return class RetrieveModel extends Base {
    async retrieve(_request: Request, _params?: Params): Promise<Response> {
      return new Response(this.getSerializer({ instance: await this.getObject() }).data);
    }
  };
}

/** `update` (PUT, every field) and `partialUpdate` (PATCH, the fields sent). */
export function UpdateModelMixin<B extends Constructor<GenericView>>(Base: B) {
  return class UpdateModel extends Base {
    async update(
      request: Request,
      _params?: Params,
      _args?: readonly string[],
      partial = false,
    ): Promise<Response> {
      const instance = await this.getObject();
      const serializer = this.getSerializer({ instance, data: request.data, partial });
      await serializer.isValid({ raiseException: true });
      await this.performUpdate(serializer);
      return new Response(serializer.data);
    }

    async partialUpdate(request: Request, params?: Params, args?: readonly string[]): Promise<Response> {
      return this.update(request, params, args, true);
    }

    /** Saves the changes; override to add values (`serializer.save({ editedBy })`). */
    async performUpdate(serializer: Serializer<unknown, unknown, unknown>): Promise<void> {
      await serializer.save();
    }
  };
}

/** `destroy`: delete (`performDestroy`), 204. */
export function DestroyModelMixin<B extends Constructor<GenericView>>(Base: B) {
  return class DestroyModel extends Base {
    async destroy(_request: Request, _params?: Params): Promise<Response> {
      await this.performDestroy(await this.getObject());
      return new Response(null, { status: 204 });
    }

    /** Deletes the object; override for a soft delete. */
    async performDestroy(instance: unknown): Promise<void> {
      await (instance as { delete(): Promise<unknown> }).delete();
    }
  };
}

/** GET → list. */
export class ListAPIView extends ListModelMixin(GenericAPIView) {
  get(request: Request, params: Params): Promise<Response> {
    return this.list(request, params);
  }
}

/** POST → create. */
export class CreateAPIView extends CreateModelMixin(GenericAPIView) {
  post(request: Request, params: Params): Promise<Response> {
    return this.create(request, params);
  }
}

/** GET → retrieve. */
export class RetrieveAPIView extends RetrieveModelMixin(GenericAPIView) {
  get(request: Request, params: Params): Promise<Response> {
    return this.retrieve(request, params);
  }
}

/** DELETE → destroy. */
export class DestroyAPIView extends DestroyModelMixin(GenericAPIView) {
  delete(request: Request, params: Params): Promise<Response> {
    return this.destroy(request, params);
  }
}

/** PUT → update, PATCH → partialUpdate. */
export class UpdateAPIView extends UpdateModelMixin(GenericAPIView) {
  put(request: Request, params: Params): Promise<Response> {
    return this.update(request, params);
  }
  patch(request: Request, params: Params): Promise<Response> {
    return this.partialUpdate(request, params);
  }
}

/** GET → list, POST → create. */
export class ListCreateAPIView extends CreateModelMixin(ListModelMixin(GenericAPIView)) {
  get(request: Request, params: Params): Promise<Response> {
    return this.list(request, params);
  }
  post(request: Request, params: Params): Promise<Response> {
    return this.create(request, params);
  }
}

/** GET → retrieve, PUT → update, PATCH → partialUpdate. */
export class RetrieveUpdateAPIView extends UpdateModelMixin(RetrieveModelMixin(GenericAPIView)) {
  get(request: Request, params: Params): Promise<Response> {
    return this.retrieve(request, params);
  }
  put(request: Request, params: Params): Promise<Response> {
    return this.update(request, params);
  }
  patch(request: Request, params: Params): Promise<Response> {
    return this.partialUpdate(request, params);
  }
}

/** GET → retrieve, DELETE → destroy. */
export class RetrieveDestroyAPIView extends DestroyModelMixin(RetrieveModelMixin(GenericAPIView)) {
  get(request: Request, params: Params): Promise<Response> {
    return this.retrieve(request, params);
  }
  delete(request: Request, params: Params): Promise<Response> {
    return this.destroy(request, params);
  }
}

/** GET → retrieve, PUT → update, PATCH → partialUpdate, DELETE → destroy. */
export class RetrieveUpdateDestroyAPIView extends DestroyModelMixin(
  UpdateModelMixin(RetrieveModelMixin(GenericAPIView)),
) {
  get(request: Request, params: Params): Promise<Response> {
    return this.retrieve(request, params);
  }
  put(request: Request, params: Params): Promise<Response> {
    return this.update(request, params);
  }
  patch(request: Request, params: Params): Promise<Response> {
    return this.partialUpdate(request, params);
  }
  delete(request: Request, params: Params): Promise<Response> {
    return this.destroy(request, params);
  }
}
