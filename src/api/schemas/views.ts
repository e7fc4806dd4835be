/**
 * Serving the OpenAPI document ({@link getSchemaView}) and a documentation page for it
 * ({@link swaggerUiUrls}: Swagger UI from the `swagger-ui-dist` package, served by the
 * project itself — no CDN, and no inline script, so a strict Content-Security-Policy holds).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  Http404,
  type HttpRequest,
  HttpResponse,
  type Params,
  path,
  type URLconf,
  type URLEntry,
} from '../../web/index.ts';
import type { AuthenticationClass } from '../authentication.ts';
import type { PermissionClass } from '../permissions.ts';
import type { Request } from '../request.ts';
import { JSONRenderer } from '../renderers.ts';
import { Response } from '../response.ts';
import { type ApiClassView, APIView } from '../views.ts';
import { SchemaGenerator, type SchemaGeneratorOptions } from './generator.ts';
import type { OpenAPIDocument } from './types.ts';

/**
 * Options of {@link getSchemaView}: the generator's, the URLconf defaulting to the project's.
 * Who may read the document follows the project's `api` defaults, as any API view does
 * (DRF's too), unless `permissionClasses`/`authenticationClasses` say otherwise.
 */
export type SchemaViewOptions = Omit<SchemaGeneratorOptions, 'urlconf' | 'settings'> & {
  readonly urlconf?: URLconf;
  readonly permissionClasses?: readonly PermissionClass[];
  readonly authenticationClasses?: readonly AuthenticationClass[];
};

/** Serves the OpenAPI document as JSON (DRF's `SchemaView`); the document is made once per URLconf. */
export class SchemaView extends APIView {
  /** The generator's options. */
  schemaOptions: SchemaViewOptions = {};
  override rendererClasses = [JSONRenderer];
  static #cache = new WeakMap<object, WeakMap<object, OpenAPIDocument>>();

  /** The document for this request's project. */
  getDocument(request: Request): OpenAPIDocument {
    const settings = request.httpRequest.settings as { rootUrlconf?: URLconf };
    const urlconf = this.schemaOptions.urlconf ?? settings.rootUrlconf;
    if (urlconf === undefined) throw new TypeError('SchemaView: no urlconf given and no rootUrlconf set.');
    let byUrlconf = SchemaView.#cache.get(this.schemaOptions);
    if (byUrlconf === undefined) SchemaView.#cache.set(this.schemaOptions, (byUrlconf = new WeakMap()));
    let doc = byUrlconf.get(urlconf as object);
    if (doc === undefined) {
      doc = new SchemaGenerator({ ...this.schemaOptions, urlconf, settings }).getSchema();
      byUrlconf.set(urlconf as object, doc);
    }
    return doc;
  }

  get(request: Request): Response {
    return new Response(this.getDocument(request));
  }
}

/**
 * The view serving the project's OpenAPI 3.1 document:
 *
 * ```ts
 * path('api/schema/', getSchemaView({ title: 'Notes API', version: '1.0.0' }), { name: 'openapi-schema' }),
 * ```
 */
export function getSchemaView(options: SchemaViewOptions = {}): ApiClassView<SchemaView> {
  const { permissionClasses, authenticationClasses, ...schemaOptions } = options;
  return SchemaView.asView({
    schemaOptions: Object.freeze(schemaOptions),
    ...(permissionClasses !== undefined ? { permissionClasses } : {}),
    ...(authenticationClasses !== undefined ? { authenticationClasses } : {}),
  });
}

/** The files of `swagger-ui-dist` the page uses, with their types. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

let distDir: string | undefined;
function swaggerDist(): string {
  distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return distDir;
}

const fileCache = new Map<string, Promise<Uint8Array>>();

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Options of {@link swaggerUiUrls}. */
export interface SwaggerUiOptions {
  /** The URL of the document (the path of {@link getSchemaView}'s route). */
  readonly schemaUrl: string;
  /** The page's title. */
  readonly title?: string;
}

/**
 * URL patterns for a Swagger UI page showing the document at `schemaUrl`, to include
 * under a prefix of the project's choice; the page and its assets come from the
 * `swagger-ui-dist` package, served by these views:
 *
 * ```ts
 * path('api/docs/', include(swaggerUiUrls({ schemaUrl: '/api/schema/' }))),
 * ```
 */
export function swaggerUiUrls(options: SwaggerUiOptions): URLEntry[] {
  const title = escapeHtml(options.title ?? 'API documentation');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="stylesheet" href="swagger-ui.css">
<link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="swagger-ui-standalone-preset.js"></script>
<script src="init.js"></script>
</body>
</html>
`;
  // The settings live in a file of their own: no inline script for a CSP to allow.
  const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(options.schemaUrl).replace(/</g, '\\u003c')}, dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n`;
  const page = (_request: HttpRequest) => new HttpResponse(html, { contentType: 'text/html; charset=utf-8' });
  const asset = async (_request: HttpRequest, params: Params) => {
    const name = String(params.asset);
    if (name === 'init.js') return new HttpResponse(init, { contentType: 'text/javascript; charset=utf-8' });
    const type = ASSETS[name];
    if (type === undefined) throw new Http404(`No such file: ${name}`);
    let content = fileCache.get(name);
    if (content === undefined) {
      content = readFile(join(swaggerDist(), name));
      fileCache.set(name, content);
      content.catch(() => fileCache.delete(name));
    }
    return new HttpResponse(await content, {
      contentType: type,
      headers: { 'Cache-Control': 'public, max-age=86400' },
    });
  };
  return [path('', page, { name: 'swagger-ui' }), path('<str:asset>', asset)];
}
