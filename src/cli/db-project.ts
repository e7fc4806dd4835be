/**
 * What the database commands share: the project's settings file loaded, its databases
 * configured and its installed apps found.
 */
import { type App, configureDatabases, connections, installedApps } from '../db/index.ts';
import { loadSettingsFile, settingsPath } from './settings-file.ts';

/** The project's apps, with its databases configured; `close()` when done. */
export async function loadDbProject(settingsOption: string | undefined): Promise<{
  file: string;
  settings: object;
  apps: readonly App[];
  close: () => Promise<void>;
}> {
  const file = settingsPath(settingsOption);
  const settings = (await loadSettingsFile(file)) as { databases?: never; installedApps?: readonly App[] };
  configureDatabases(settings);
  return { file, settings, apps: installedApps(settings), close: () => connections.closeAll() };
}
