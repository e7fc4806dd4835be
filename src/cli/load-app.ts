/**
 * Loading `MODULE:ATTR` app specs, as uWSGI's `--module` and gunicorn's `APP_MODULE` do.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PorticoError } from '../tsgi/errors.ts';
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

/** Imports the module and returns the named export, checked to be a function. */
export async function loadApp(spec: string, cwd = process.cwd()): Promise<Application> {
  const { module, attr } = parseAppSpec(spec);
  const file = resolve(cwd, module);
  if (!existsSync(file))
    throw new PorticoError('PORTICO_ERR_APP_NOT_FOUND', `module '${module}' not found (looked at ${file})`);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PorticoError('PORTICO_ERR_APP_NOT_FOUND', `module '${module}' failed to load: ${reason}`, {
      cause: error,
    });
  }
  let value: unknown = namespace;
  for (const part of attr.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  if (value === undefined) {
    const names = Object.keys(namespace).join(', ') || 'none';
    throw new PorticoError(
      'PORTICO_ERR_APP_NOT_FOUND',
      `module '${module}' has no export '${attr}' (it exports: ${names})`,
    );
  }
  if (typeof value !== 'function') {
    throw new PorticoError(
      'PORTICO_ERR_APP_NOT_FOUND',
      `'${attr}' in '${module}' is a ${typeof value}, not a TSGI application`,
    );
  }
  return value as Application;
}
