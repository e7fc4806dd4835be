/**
 * ViewSets (DRF's `viewsets.py`): one class for a resource, whose actions (`list`,
 * `create`, `retrieve`, `update`, `partialUpdate`, `destroy`, and extra ones declared with
 * {@link action}) a router binds to HTTP methods on two or more URLs.
 *
 * @module
 */
import { ImproperlyConfigured, type HttpRequest, type Params, View } from '../web/index.ts';
import { viewName } from './browsable.ts';
import type { Request } from './request.ts';
import { APIView, type ApiClassView } from './views.ts';

/** Which action answers which method: `{ get: 'list', post: 'create' }`. */
export type ActionMap = Readonly<Partial<Record<string, string>>>;

/** An extra action's declaration (DRF's `@action`). */
export interface ExtraAction {
  /** The method of the viewset that answers it. */
  readonly name: string;
  /** On the detail URL (`/notes/<pk>/archive/`) or the list URL (`/notes/recent/`). */
  readonly detail: boolean;
  /** The HTTP methods, upper case (default `['GET']`). */
  readonly methods: readonly string[];
  /** The URL segment (default: the name in kebab case, `setPassword` → `set-password`). */
  readonly urlPath: string;
  /** The URL name's suffix: the route is named `{basename}-{urlName}` (default: as urlPath). */
  readonly urlName: string;
  /** Attributes for the view of this route only (`permissionClasses`…). */
  readonly initkwargs: Readonly<Record<string, unknown>>;
}

/** Options of {@link action}. */
export interface ActionOptions {
  detail: boolean;
  methods?: readonly string[];
  urlPath?: string;
  urlName?: string;
  initkwargs?: Readonly<Record<string, unknown>>;
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

/**
 * Declares an extra action of a viewset, routed by the router (list in the class's static
 * `extraActions`):
 *
 * ```ts
 * class NoteViewSet extends ViewSet {
 *   static override extraActions = [action('archive', { detail: true, methods: ['POST'] })];
 *   archive(request: Request, params: Params) { … }
 * }
 * ```
 */
export function action(name: string, options: ActionOptions): ExtraAction {
  const urlPath = options.urlPath ?? kebab(name);
  return Object.freeze({
    name,
    detail: options.detail,
    methods: Object.freeze((options.methods ?? ['GET']).map((m) => m.toUpperCase())),
    urlPath,
    urlName: options.urlName ?? urlPath,
    initkwargs: Object.freeze({ ...options.initkwargs }),
  });
}

/**
 * The base of viewsets: an `APIView` whose handlers are actions. `asView(actions)` binds
 * methods to actions; `this.action` says which one is answering (for per-action
 * permissions or serializers).
 */
export class ViewSet extends APIView {
  /** The extra actions the router adds routes for. */
  static extraActions: readonly ExtraAction[] = [];

  /** The action answering this request (`'list'`, `'retrieve'`…), or null for none. */
  action: string | null = null;
  /** The method → action map of this route. */
  actionMap: ActionMap = {};
  /** The router's basename (for {@link ViewSet.reverseAction}). */
  basename: string | null = null;
  /** Whether this route is the detail one. */
  detail: boolean | null = null;
  /** Appended to the view's name (`List`, `Instance`). */
  suffix: string | null = null;
  /** The name of an extra action's route, on the browsable page. */
  name: string | null = null;

  /**
   * The view for one route: `actions` maps methods to this class's action methods.
   *
   * @throws TypeError when `actions` is empty; ImproperlyConfigured for an unknown initkwarg.
   */
  static override asView<T extends View>(
    this: new () => T,
    actions?: ActionMap | Partial<T>,
    initkwargs: Partial<T> = {},
  ): ApiClassView<T> & { readonly actions: ActionMap } {
    const map = (actions ?? {}) as ActionMap;
    if (Object.keys(map).length === 0)
      throw new TypeError(
        "The `actions` argument must be provided when calling `.asView()` on a ViewSet. For example `.asView({ get: 'list' })`.",
      );
    const probe = new this() as unknown as Record<string, unknown>;
    for (const key of Object.keys(initkwargs)) {
      if (View.httpMethodNames.includes(key) || !(key in probe))
        throw new ImproperlyConfigured(`${this.name}.asView() received an invalid keyword '${key}'.`);
    }
    for (const [method, name] of Object.entries(map)) {
      if (!View.httpMethodNames.includes(method))
        throw new ImproperlyConfigured(`${this.name}.asView(): '${method}' is not an HTTP method name.`);
      if (typeof probe[name as string] !== 'function')
        throw new ImproperlyConfigured(
          `${this.name}.asView(): there is no action '${name}' for '${method}'.`,
        );
    }
    const init = Object.freeze({ ...initkwargs });
    const frozen = Object.freeze({ ...map });
    const view = (request: HttpRequest, params: Params, args: readonly string[]) => {
      const self = new this() as T & ViewSet;
      Object.assign(self, init);
      self.actionMap = frozen;
      const record = self as unknown as Record<string, unknown>;
      for (const [method, name] of Object.entries(frozen)) record[method] = record[name as string];
      self.setup(request, params, args);
      return self.dispatch(request, params, args);
    };
    Object.defineProperty(view, 'name', { value: this.name });
    return Object.assign(view, {
      viewClass: this,
      viewInitkwargs: init,
      actions: frozen,
      csrfExempt: true as const,
    });
  }

  override initializeRequest(httpRequest: HttpRequest): Request {
    const method = httpRequest.method.toLowerCase();
    this.action = method === 'options' ? 'metadata' : (this.actionMap[method] ?? null);
    return super.initializeRequest(httpRequest);
  }

  override getViewName(): string {
    if (this.name !== null) return this.name;
    const base = viewName(this.constructor.name);
    return this.suffix === null ? base : `${base} ${this.suffix}`;
  }

  /** The URL of this viewset's `{basename}-{urlName}` route (DRF's `reverse_action`). */
  reverseAction(urlName: string, params: Params = {}): string {
    if (this.basename === null)
      throw new ImproperlyConfigured('reverseAction() needs the router’s basename.');
    const match = this.request.resolverMatch;
    const name = `${this.basename}-${urlName}`;
    const qualified = match?.namespace ? `${match.namespace}:${name}` : name;
    return this.request.reverseUnchecked(qualified, { kwargs: params });
  }
}
