/**
 * The `installedApps` setting (Django's `INSTALLED_APPS`): the apps whose models and
 * migrations the project uses, in order.
 *
 * @module
 */
import { defineSettingsSection, type StandardSchemaV1 } from '../web/index.ts';
import { App } from './models.ts';

function validateApps(value: unknown): StandardSchemaV1.Result<readonly App[]> {
  if (value === undefined) return { value: Object.freeze([]) };
  if (!Array.isArray(value)) return { issues: [{ message: 'must be a list of apps (defineApp(...))' }] };
  const seen = new Set<string>();
  for (const [i, app] of value.entries()) {
    if (!(app instanceof App))
      return { issues: [{ message: 'must be an app made with defineApp()', path: [i] }] };
    if (seen.has(app.label))
      return { issues: [{ message: `the app '${app.label}' is listed twice`, path: [i] }] };
    seen.add(app.label);
  }
  return { value: Object.freeze([...value]) };
}

const appsSchema: StandardSchemaV1<readonly App[] | undefined, readonly App[]> = {
  '~standard': { version: 1, vendor: 'portico', validate: validateApps },
};

/** The `installedApps` settings section. */
export const installedAppsSettings = defineSettingsSection('installedApps', appsSchema);

declare module '../web/index.ts' {
  interface SettingsSections {
    installedApps: typeof installedAppsSettings;
  }
}

/** The installed apps of (resolved or not) settings. */
export function installedApps(settings: { readonly installedApps?: readonly App[] }): readonly App[] {
  const result = validateApps(settings.installedApps);
  return result.issues === undefined ? result.value : [];
}
