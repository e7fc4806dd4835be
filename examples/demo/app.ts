/**
 * The TSGI application: `npx portico serve examples/demo/app.ts:application`
 * (and `npm start` at the repository root).
 */
import { getTsgiApplication } from '../../src/web/index.ts';
import settings from './settings.ts';

export const application = getTsgiApplication(settings);
