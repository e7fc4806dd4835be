/**
 * The `templates` settings key: what the template engine reads.
 *
 * @module
 */
import type { HttpRequest } from '../http/request.ts';

/** A function adding variables to every template's context (Django's context processors). */
export type ContextProcessor = (request: HttpRequest) => Record<string, unknown>;

/** Template settings. */
export interface TemplateSettings {
  /** Directories searched for templates, in order. Default `[]`. */
  readonly dirs?: readonly string[];
  /** Escape variables for HTML unless marked safe. Default true. */
  readonly autoescape?: boolean;
  /** Run for every template rendered with a request; their results join the context. */
  readonly contextProcessors?: readonly ContextProcessor[];
  /** Throw when a template reads an undefined variable (useful in tests). Default false. */
  readonly throwOnUndefined?: boolean;
  /** Re-read templates when they change (development). Default: the `debug` setting. */
  readonly watch?: boolean;
  /** Extra filters, by name. */
  readonly filters?: Readonly<Record<string, (...args: never[]) => unknown>>;
  /** Extra globals, by name. */
  readonly globals?: Readonly<Record<string, unknown>>;
}
