/**
 * Loading `MODULE:ATTR` app specs; the implementation lives in the app server
 * (`portico/appserver`), which workers use too.
 */
export { DEFAULT_ATTR, loadApp, parseAppSpec } from '../appserver/index.ts';
