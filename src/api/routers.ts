/**
 * Routers (DRF's `routers.py`): URL patterns for viewsets. `register('notes', NoteViewSet)`
 * gives `notes/` (`{basename}-list`: GET list, POST create), `notes/<pk>/`
 * (`{basename}-detail`: GET retrieve, PUT update, PATCH partialUpdate, DELETE destroy)
 * and one route per extra action (`{basename}-{urlName}`), all reversible with the
 * framework's `reverse()`. `DefaultRouter` adds an API root view listing the list routes.
 *
 * @module
 */
import { ImproperlyConfigured, NoReverseMatch, path, type URLEntry } from '../web/index.ts';
import type { Request } from './request.ts';
import { Response } from './response.ts';
import { APIView } from './views.ts';
import { type ActionMap, type ExtraAction, ViewSet } from './viewsets.ts';

/** A viewset class. */
export type ViewSetClass = typeof ViewSet;

interface Registration {
  readonly prefix: string;
  readonly viewset: ViewSetClass;
  readonly basename: string;
}

const LIST_ACTIONS: ActionMap = { get: 'list', post: 'create' };
const DETAIL_ACTIONS: ActionMap = {
  get: 'retrieve',
  put: 'update',
  patch: 'partialUpdate',
  delete: 'destroy',
};

/** The methods of `map` whose action the viewset has. */
function available(viewset: ViewSetClass, map: ActionMap): ActionMap {
  const proto = viewset.prototype as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(map).filter(([, name]) => typeof proto[name as string] === 'function'),
  );
}

/** Options of {@link SimpleRouter}. */
export interface RouterOptions {
  /** End every route with a slash (default true). */
  trailingSlash?: boolean;
}

/** Routes for list and detail URLs and extra actions. */
export class SimpleRouter {
  readonly trailingSlash: string;
  readonly registry: Registration[] = [];
  #urls: URLEntry[] | null = null;

  constructor(options: RouterOptions = {}) {
    this.trailingSlash = options.trailingSlash === false ? '' : '/';
  }

  /**
   * Registers a viewset under a URL prefix. The basename (the URL names' stem) defaults to
   * the prefix with slashes as dashes.
   *
   * @throws ImproperlyConfigured when the basename is taken.
   */
  register(prefix: string, viewset: ViewSetClass, options: { basename?: string } = {}): void {
    const clean = prefix.replace(/^\/+|\/+$/g, '');
    const basename = options.basename ?? clean.replace(/\//g, '-');
    if (basename === '') throw new ImproperlyConfigured('router.register(): give a prefix or a basename.');
    if (this.registry.some((r) => r.basename === basename))
      throw new ImproperlyConfigured(
        `Router with basename "${basename}" is already registered. Please provide a unique basename for viewset "${viewset.name}".`,
      );
    this.registry.push({ prefix: clean, viewset, basename });
    this.#urls = null;
  }

  /** The URL keyword and converter of detail routes (the viewset's `lookupField`/`lookupUrlKwarg`). */
  lookupSegment(viewset: ViewSetClass): string {
    const probe = new viewset() as ViewSet & {
      lookupField?: string;
      lookupUrlKwarg?: string;
      lookupValueConverter?: string;
    };
    const kwarg = probe.lookupUrlKwarg ?? probe.lookupField ?? 'pk';
    return `<${probe.lookupValueConverter ?? 'str'}:${kwarg}>`;
  }

  /** The URL patterns, in DRF's order: list, extra list actions, detail, extra detail actions. */
  get urls(): URLEntry[] {
    this.#urls ??= this.getUrls();
    return this.#urls;
  }

  getUrls(): URLEntry[] {
    const out: URLEntry[] = [];
    for (const { prefix, viewset, basename } of this.registry) {
      const base = prefix === '' ? '' : `${prefix}/`;
      const lookup = `${base}${this.lookupSegment(viewset)}`;
      const extras = viewset.extraActions;
      const route = (at: string, map: ActionMap, name: string, initkwargs: Record<string, unknown>) => {
        if (Object.keys(map).length === 0) return;
        const url = at === '' ? '' : at.replace(/\/$/, '') + this.trailingSlash;
        out.push(path(url, viewset.asView(map, { basename, ...initkwargs } as never), { name }));
      };
      const extra = (action: ExtraAction, at: string) => {
        const map = Object.fromEntries(action.methods.map((m) => [m.toLowerCase(), action.name]));
        route(`${at}${action.urlPath}`, map, `${basename}-${action.urlName}`, {
          detail: action.detail,
          name:
            action.name.charAt(0).toUpperCase() + action.name.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2'),
          ...action.initkwargs,
        });
      };
      route(base, available(viewset, LIST_ACTIONS), `${basename}-list`, { detail: false, suffix: 'List' });
      for (const action of extras) if (!action.detail) extra(action, base);
      route(lookup, available(viewset, DETAIL_ACTIONS), `${basename}-detail`, {
        detail: true,
        suffix: 'Instance',
      });
      for (const action of extras) if (action.detail) extra(action, `${lookup}/`);
    }
    return out;
  }
}

/**
 * A {@link SimpleRouter} with an API root at `''` (named `api-root`) that lists each
 * registered viewset's list URL, absolute, by prefix.
 */
export class DefaultRouter extends SimpleRouter {
  /** The root view's name on the browsable page. */
  rootViewName = 'Api Root';

  override getUrls(): URLEntry[] {
    const entries = this.registry.map((r) => [r.prefix, `${r.basename}-list`] as const);
    const rootName = this.rootViewName;
    class APIRootView extends APIView {
      override getViewName(): string {
        return rootName;
      }

      get(request: Request) {
        const namespace = request.httpRequest.resolverMatch?.namespace;
        const out: Record<string, string> = {};
        for (const [prefix, name] of entries) {
          try {
            const url = request.httpRequest.reverseUnchecked(namespace ? `${namespace}:${name}` : name);
            out[prefix] = request.buildAbsoluteUri(url);
          } catch (error) {
            // A viewset without a list route has no entry (DRF skips it too).
            if (!(error instanceof NoReverseMatch)) throw error;
          }
        }
        return new Response(out);
      }
    }
    return [path('', APIRootView.asView(), { name: 'api-root' }), ...super.getUrls()];
  }
}
