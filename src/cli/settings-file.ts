/**
 * Finding a project through its settings file (Django's `--settings`): `--settings PATH`,
 * else `PORTICO_SETTINGS`, else `./settings.ts`. The file exports the settings object as
 * `default` or as `settings`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PorticoError } from '../tsgi/errors.ts';
import { ModuleLoadError } from '../tsgi/index.ts';
import type { Settings } from '../web/index.ts';

/** Where the settings are looked for when neither `--settings` nor `PORTICO_SETTINGS` says. */
export const DEFAULT_SETTINGS_FILE = './settings.ts';

/** The settings file to use: the option, the environment, or the default. */
export function settingsPath(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? (env.PORTICO_SETTINGS || DEFAULT_SETTINGS_FILE);
}

/** A settings file that failed while loading; `cause` is what it (or a module it imports) threw. */
export class SettingsLoadError extends ModuleLoadError {
  constructor(file: string, full: string, cause: unknown) {
    super(`settings file '${file}'`, full, cause);
    this.name = 'SettingsLoadError';
  }
}

/**
 * Imports the settings file and returns its settings object (not yet resolved).
 *
 * @throws PorticoError `PORTICO_ERR_SETTINGS` when the file is missing or exports no object;
 *   {@link SettingsLoadError} (`PORTICO_ERR_LOAD_FAILED`) when importing it throws (a bad
 *   URLconf, a syntax error).
 */
export async function loadSettingsFile(file: string, cwd = process.cwd()): Promise<Settings> {
  const full = resolve(cwd, file);
  if (!existsSync(full)) {
    throw new PorticoError(
      'PORTICO_ERR_SETTINGS',
      `settings file '${file}' not found (looked at ${full}); pass --settings PATH`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
  } catch (error) {
    throw new SettingsLoadError(file, full, error);
  }
  const settings = module.default ?? module.settings;
  if (settings === null || typeof settings !== 'object') {
    const names = Object.keys(module).join(', ') || 'none';
    throw new PorticoError(
      'PORTICO_ERR_SETTINGS',
      `settings file '${file}' must export its settings as 'default' or 'settings' (it exports: ${names})`,
    );
  }
  return settings as Settings;
}
