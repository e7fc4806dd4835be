/**
 * Loading `MODULE:ATTR` app specs; the implementation lives in the app server
 * (`src/appserver/load.ts`), which workers use too.
 */
export { DEFAULT_ATTR, loadApp, parseAppSpec } from '../appserver/load.ts';
