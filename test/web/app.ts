/** Building small projects for tests. */
import { getTsgiApplication } from '../../src/web/handlers/tsgi.ts';
import type { Settings } from '../../src/web/conf/settings.ts';
import type { Application } from '../../src/tsgi/types.ts';

/** A TSGI application from partial settings (debug off, no middleware by default). */
export function project(settings: Settings): Application {
  return getTsgiApplication(settings);
}
