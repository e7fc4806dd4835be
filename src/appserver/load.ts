/**
 * Loading `MODULE:ATTR` specs, as uWSGI's `--module` and gunicorn's `APP_MODULE` do: the
 * application itself, the app module's `serverOptions`, and lifecycle hooks.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ErrorCode, PorticoError } from '../tsgi/errors.ts';
import { ModuleLoadError } from '../tsgi/load-error.ts';
import type { Application } from '../tsgi/types.ts';

/** The default export name, as in WSGI (`application`). */
export const DEFAULT_ATTR = 'application';

/** Splits `path/to/app.ts:attr` (the attribute defaults to `application`). */
export function parseAppSpec(spec: string): { module: string; attr: string } {
  const colon = spec.lastIndexOf(':');
  if (colon <= 0) return { module: spec, attr: DEFAULT_ATTR };
  const attr = spec.slice(colon + 1);
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(attr)) {
    throw new PorticoError('PORTICO_ERR_CLI_USAGE', `'${attr}' in '${spec}' is not an export name`);
  }
  return { module: spec.slice(0, colon), attr };
}

/** Imports the module of a spec (relative to `cwd`) and returns its namespace. */
export async function importModule(
  module: string,
  cwd = process.cwd(),
  code: ErrorCode = 'PORTICO_ERR_APP_NOT_FOUND',
): Promise<Record<string, unknown>> {
  const file = resolve(cwd, module);
  if (!existsSync(file)) throw new PorticoError(code, `module '${module}' not found (looked at ${file})`);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    // Found but broken is not "not found": an application gets its own code; a hook keeps
    // the hook's.
    const failed = code === 'PORTICO_ERR_APP_NOT_FOUND' ? 'PORTICO_ERR_LOAD_FAILED' : code;
    throw new ModuleLoadError(`module '${module}'`, file, error, failed);
  }
}

/** Loads the function named by `MODULE:ATTR`; `what` names it in errors ("a TSGI application"). */
export async function loadFunction(
  spec: string,
  what: string,
  code: ErrorCode,
  cwd = process.cwd(),
): Promise<(...args: never[]) => unknown> {
  const { module, attr } = parseAppSpec(spec);
  const namespace = await importModule(module, cwd, code);
  let value: unknown = namespace;
  for (const part of attr.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  if (value === undefined) {
    const names = Object.keys(namespace).join(', ') || 'none';
    throw new PorticoError(code, `module '${module}' has no export '${attr}' (it exports: ${names})`);
  }
  if (typeof value !== 'function') {
    throw new PorticoError(code, `'${attr}' in '${module}' is a ${typeof value}, not ${what}`);
  }
  return value as (...args: never[]) => unknown;
}

/** Imports the module and returns the named export, checked to be a function. */
export async function loadApp(spec: string, cwd = process.cwd()): Promise<Application> {
  return (await loadFunction(spec, 'a TSGI application', 'PORTICO_ERR_APP_NOT_FOUND', cwd)) as Application;
}

/**
 * The app module's `serverOptions` export, if it has one: server settings that travel with
 * the project (lowest precedence above the defaults).
 */
export async function loadServerOptions(spec: string, cwd = process.cwd()): Promise<unknown> {
  const namespace = await importModule(parseAppSpec(spec).module, cwd);
  return namespace.serverOptions;
}
