/** The TSGI application, for `portico serve app.ts:application` (production). */
import { getTsgiApplication } from '../../src/web/index.ts';
import settings from './settings.ts';

export const application = getTsgiApplication(settings);
