/**
 * The template engine: Nunjucks (Jinja2 syntax, close to Django's) over the directories
 * of `settings.templates.dirs`, with autoescaping on, and Django's conveniences in every
 * template rendered with a request: `request`, `url(name, ...)` bound to `reverse`,
 * `csrfToken` and `csrfInput()`, and the context processors' variables.
 *
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import nunjucks from 'nunjucks';
import { PorticoError } from '../../tsgi/errors.ts';
import type { TemplateSettings } from './settings.ts';
import type { HttpRequest } from '../http/request.ts';
import { templateRendered } from '../signals.ts';
import { reverseUnchecked } from '../urls/base.ts';
import { escapeHtml } from '../utils/html.ts';

/** No directory holds the template; the message lists every place searched. */
export class TemplateDoesNotExist extends PorticoError {
  /** The absolute paths tried, in order. */
  readonly tried: readonly string[];

  constructor(names: readonly string[], tried: readonly string[]) {
    const where =
      tried.length > 0
        ? tried.map((p) => `  ${p} (does not exist)`).join('\n')
        : '  (no template directories: set settings.templates.dirs)';
    super('PORTICO_ERR_TEMPLATE_DOES_NOT_EXIST', `${names.join(', ')}\nSearched:\n${where}`);
    this.name = 'TemplateDoesNotExist';
    this.tried = tried;
  }
}

/** A template failed to compile or render (the message is Nunjucks', with the line). */
export class TemplateError extends PorticoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PORTICO_ERR_TEMPLATE_ERROR', message, options);
    this.name = 'TemplateError';
  }
}

/** A loaded template, ready to render. */
export interface LoadedTemplate {
  /** The name it was asked for by. */
  readonly name: string;
  /** The file it came from. */
  readonly origin: string;
  /** Renders with `context`; with a request, Django's request variables are added. */
  render(context?: Record<string, unknown>, request?: HttpRequest | null): string;
}

/** Finds templates in directories, remembering where it looked (for the error message). */
class DirectoryLoader {
  readonly dirs: readonly string[];
  readonly noCache: boolean;
  /** The paths tried for each name not found. */
  readonly misses = new Map<string, string[]>();

  constructor(dirs: readonly string[], noCache: boolean) {
    this.dirs = dirs.map((d) => resolve(d));
    this.noCache = noCache;
  }

  /** The file of `name` and the paths tried before it. */
  find(name: string): { path: string | null; tried: string[] } {
    const tried: string[] = [];
    for (const dir of this.dirs) {
      const path = resolve(dir, name);
      // A name such as ../../etc/passwd must not leave the template directory.
      if (path !== dir && !path.startsWith(dir + sep)) continue;
      tried.push(path);
      try {
        if (statSync(path).isFile()) return { path, tried };
      } catch {
        // Not here; try the next directory.
      }
    }
    return { path: null, tried };
  }

  getSource(name: string): { src: string; path: string; noCache: boolean } | null {
    const { path, tried } = this.find(name);
    if (path === null) {
      this.misses.set(name, tried);
      return null;
    }
    return { src: readFileSync(path, 'utf8'), path, noCache: this.noCache };
  }
}

/** The CSRF token a CSRF middleware attached to this request (`request.csrfToken`), else `''`. */
export function csrfTokenOf(request: HttpRequest | null | undefined): string {
  return request?.csrfToken ?? '';
}

interface Keywords {
  __keywords?: true;
  [key: string]: unknown;
}

/**
 * `url('blog:article', 2024, 'hello')` or `url('blog:article', year=2024, slug='hello')`
 * in a template: the path, through the request's `reverse` (its script prefix and
 * namespace) or, without a request, the module-level one.
 */
function urlHelper(request: HttpRequest | null | undefined) {
  return (name: string, ...args: unknown[]): string => {
    const last = args.at(-1) as Keywords | undefined;
    let kwargs: Record<string, unknown> | undefined;
    if (last !== null && typeof last === 'object' && last.__keywords === true) {
      args.pop();
      const { __keywords: _, ...rest } = last;
      kwargs = rest;
    }
    const options = kwargs === undefined ? { args } : { kwargs };
    return request ? request.reverseUnchecked(name, options) : reverseUnchecked(name, options);
  };
}

/** A configured Nunjucks environment for one project. */
export class TemplateEngine {
  readonly settings: TemplateSettings;
  readonly #env: nunjucks.Environment;
  readonly #loader: DirectoryLoader;

  constructor(settings: TemplateSettings = {}, debug = false) {
    this.settings = settings;
    this.#loader = new DirectoryLoader(settings.dirs ?? [], settings.watch ?? debug);
    this.#env = new nunjucks.Environment(this.#loader as unknown as nunjucks.ILoader, {
      autoescape: settings.autoescape ?? true,
      throwOnUndefined: settings.throwOnUndefined ?? false,
      // Keeps one error object from where it happened up to us (without it, each template
      // level wraps the last in a new Error), so #translate can say where it happened.
      dev: true,
    });
    for (const [name, filter] of Object.entries(settings.filters ?? {})) {
      this.#env.addFilter(name, filter as (...args: unknown[]) => unknown);
    }
    for (const [name, value] of Object.entries(settings.globals ?? {})) this.#env.addGlobal(name, value);
    this.#instrumentGetTemplate();
  }

  /** The names of the templates fetched (extends, include, import) by the render under way. */
  #rendering: string[] | null = null;

  /**
   * Nunjucks runs a parent template's code from the child's render, so an error in
   * `base.html` was reported at the child's path with the parent's line; and only the
   * template asked for was known to be rendered. Every template the environment hands out
   * is marked here: its code labels its own errors with its own path, and a template
   * fetched during a render is recorded for `templateRendered` (Django lists them all).
   */
  #instrumentGetTemplate(): void {
    const env = this.#env as unknown as { getTemplate: (...args: unknown[]) => unknown };
    const original = env.getTemplate.bind(env);
    env.getTemplate = (...args: unknown[]) => {
      const name = args[0];
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const callback = args[last] as (error: unknown, template?: unknown) => void;
        args[last] = (error: unknown, template?: unknown) => {
          if (template !== undefined && template !== null) {
            labelErrors(template);
            if (typeof name === 'string') this.#rendering?.push(name);
          }
          callback(error, template);
        };
        return original(...args);
      }
      const template = original(...args);
      labelErrors(template);
      return template;
    };
  }

  /**
   * The first of `names` found in the template directories.
   *
   * @throws TemplateDoesNotExist listing every path tried.
   */
  getTemplate(names: string | readonly string[]): LoadedTemplate {
    const list = typeof names === 'string' ? [names] : names;
    const tried: string[] = [];
    for (const name of list) {
      const found = this.#loader.find(name);
      tried.push(...found.tried);
      if (found.path === null) continue;
      const compiled = this.#compile(name);
      const origin = found.path;
      return {
        name,
        origin,
        render: (context = {}, request = null) => this.#render(compiled, name, origin, context, request),
      };
    }
    throw new TemplateDoesNotExist(list, tried);
  }

  #compile(name: string): nunjucks.Template {
    try {
      return this.#env.getTemplate(name, true);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /** Renders a template given as source text (for small inline templates and tests). */
  fromString(source: string, name = '<string>'): LoadedTemplate {
    const compiled = nunjucks.compile(source, this.#env);
    return {
      name,
      origin: name,
      render: (context = {}, request = null) => this.#render(compiled, name, name, context, request),
    };
  }

  /** The variables every template sees, then the context processors', then the view's. */
  #context(context: Record<string, unknown>, request: HttpRequest | null): Record<string, unknown> {
    const base: Record<string, unknown> = {
      request,
      url: urlHelper(request),
      get csrfToken() {
        return csrfTokenOf(request);
      },
      csrfInput: () =>
        new nunjucks.runtime.SafeString(
          `<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrfTokenOf(request))}">`,
        ),
    };
    if (request !== null) {
      for (const processor of this.settings.contextProcessors ?? []) Object.assign(base, processor(request));
    }
    return Object.assign(base, context);
  }

  #render(
    compiled: nunjucks.Template,
    name: string,
    origin: string,
    context: Record<string, unknown>,
    request: HttpRequest | null,
  ): string {
    const full = this.#context(context, request);
    let text: string;
    const outer = this.#rendering;
    const fetched: string[] = [];
    this.#rendering = fetched;
    try {
      text = compiled.render(full);
    } catch (error) {
      throw this.#translate(error);
    } finally {
      this.#rendering = outer;
    }
    if (templateRendered.hasListeners()) {
      templateRendered.send(this, { name, origin, context: full, request });
      // Then each template it extended or included, in the order Nunjucks fetched them.
      for (const other of fetched) {
        const path = this.#loader.find(other).path ?? other;
        templateRendered.send(this, { name: other, origin: path, context: full, request });
      }
    }
    return text;
  }

  /** Nunjucks' "template not found" (from extends/include) as TemplateDoesNotExist, the rest as TemplateError. */
  #translate(error: unknown): Error {
    if (error instanceof PorticoError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const missing = /template not found: ([^\s]+)/.exec(message)?.[1];
    if (missing !== undefined)
      return new TemplateDoesNotExist([missing], this.#loader.misses.get(missing) ?? []);
    // One line: the template's file, the line and column (where Nunjucks gives them), then
    // what went wrong, without Nunjucks' chain of "(path)" prefixes.
    const labelled = error as LabelledError;
    let where = labelled[TEMPLATE];
    let line = where !== undefined && labelled.lineno !== undefined ? labelled.lineno + 1 : undefined;
    let column = where !== undefined && labelled.colno !== undefined ? labelled.colno + 1 : undefined;
    if (where === undefined) {
      // A syntax error: the parser names the file and counts from 1.
      const place = PLACE.exec(message);
      if (place !== null) {
        where = place[1];
        line = Number(place[2]);
        column = place[3] === undefined ? undefined : Number(place[3]);
      }
    }
    if (where === undefined) return new TemplateError(message, { cause: error });
    const cause = labelled.cause;
    const text = (cause instanceof Error ? `${cause.name}: ${cause.message}` : message).replace(PREFIXES, '');
    const at = `${line === undefined ? '' : `, line ${line}`}${column === undefined ? '' : `, column ${column}`}`;
    return new TemplateError(`${where}${at}: ${text}`, { cause: error });
  }
}

const LABELLED = Symbol('portico.template.labelled');

type RenderFunction = (
  env: unknown,
  context: unknown,
  frame: unknown,
  runtime: unknown,
  callback: (error: unknown, result?: unknown) => void,
) => unknown;

/** Where a render error happened, set on the error by the code of the template it happened in. */
interface LabelledError {
  firstUpdate?: boolean;
  lineno?: number;
  colno?: number;
  cause?: unknown;
  message: string;
  [TEMPLATE]?: string;
  [MESSAGE]?: string;
}
const TEMPLATE = Symbol('portico.template.path');
/** Nunjucks' `(path) [Line 2, Column 7]`. */
const PLACE = /\(([^()\n]+)\) \[Line (\d+)(?:, Column (\d+))?\]/;
/** Nunjucks' prefixes on a message: `Template render error: (path) [Line …]` and newlines. */
const PREFIXES = /^(?:\s*(?:Template render error: )?\([^()\n]+\)(?: \[Line \d+(?:, Column \d+)?\])?\n)*\s*/;
const MESSAGE = Symbol('portico.template.message');
/** Marks an error thrown by the code a template's callback ran (another template's), not by the template. */
const FOREIGN = Symbol('portico.template.foreign');

/**
 * Wraps a compiled template's code (its root and its blocks) so that an error raised in it
 * is labelled with this template's path, with the line Nunjucks gives. Nunjucks runs a
 * parent's code from the child's render and would name the child's file.
 */
function labelErrors(template: unknown): void {
  const t = template as {
    path?: string;
    rootRenderFunc?: RenderFunction;
    blocks?: Record<string, RenderFunction>;
    [LABELLED]?: true;
  };
  if (t[LABELLED] || typeof t.rootRenderFunc !== 'function' || t.path === undefined) return;
  t[LABELLED] = true;
  const path = t.path;
  const wrap =
    (code: RenderFunction): RenderFunction =>
    (env, context, frame, runtime, callback) =>
      code(env, context, frame, runtime, (error, result) => {
        const e = error as LabelledError | null;
        if (e === null || e === undefined) {
          try {
            callback(error, result);
          } catch (thrown) {
            // The caller's code, run from inside this template's try: not ours to label.
            if (thrown !== null && typeof thrown === 'object')
              (thrown as { [FOREIGN]?: true })[FOREIGN] = true;
            throw thrown;
          }
          return;
        }
        if (e[TEMPLATE] === undefined && e.firstUpdate === true) {
          const cause = e.cause as { [FOREIGN]?: true } | undefined;
          if (cause?.[FOREIGN]) {
            // Nunjucks took this template's line for it: wrong, so none; the caller labels it.
            delete cause[FOREIGN];
            e.lineno = undefined;
            e.colno = undefined;
          } else {
            e[TEMPLATE] = path;
            e[MESSAGE] = e.message;
          }
        }
        callback(error, result);
      });
  t.rootRenderFunc = wrap(t.rootRenderFunc);
  for (const [name, block] of Object.entries(t.blocks ?? {}))
    (t.blocks as Record<string, RenderFunction>)[name] = wrap(block);
}

type EngineSettings = { readonly templates?: TemplateSettings; readonly debug: boolean };

const engines = new WeakMap<EngineSettings, TemplateEngine>();
let defaultSettings: EngineSettings | null = null;
const NO_SETTINGS: EngineSettings = Object.freeze({ templates: {}, debug: false });

/** The engine of a project's settings, built on first use and kept with the settings object. */
export function engineFor(settings: EngineSettings): TemplateEngine {
  let engine = engines.get(settings);
  if (engine === undefined) {
    engine = new TemplateEngine(settings.templates, settings.debug);
    engines.set(settings, engine);
  }
  return engine;
}

/** Makes these settings' engine the one used where no request says which (set by `getTsgiApplication`). */
export function setDefaultTemplateSettings(settings: EngineSettings | null): void {
  defaultSettings = settings;
}

/**
 * The engine for a request (its project's), else the default one (the last application
 * built); without either, an engine with no directories.
 */
export function getEngine(request?: HttpRequest | null): TemplateEngine {
  // The handler gives each request the project's resolved settings, which carry
  // `templates`; a request built by hand has none and gets the default engine.
  const settings = request?.settings as EngineSettings | undefined;
  if (settings?.templates !== undefined) return engineFor(settings);
  return engineFor(defaultSettings ?? NO_SETTINGS);
}

/**
 * Renders a template to a string (Django's `render_to_string`).
 *
 * @throws TemplateDoesNotExist, TemplateError
 */
export function renderToString(
  names: string | readonly string[],
  context: Record<string, unknown> = {},
  request: HttpRequest | null = null,
): string {
  return getEngine(request).getTemplate(names).render(context, request);
}
