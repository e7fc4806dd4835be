/**
 * Portico's application server — what uWSGI and gunicorn are to Python: a master process
 * that forks workers serving a TSGI application, replaces them, reloads them without
 * dropping requests, and reports on them. See `docs/appserver.md`.
 *
 * @module
 */
export { type AccessRecord, compileAccessLog } from './logging/access-log.ts';
export { type CheaperPolicy, cheaperDecision } from './master/cheaper.ts';
export {
  mergeLayers,
  objectLayer,
  parseArgv,
  readConfigFile,
  readEnv,
  type ResolvedConfig,
} from './config/config.ts';
export { FIFO_COMMANDS } from './control/fifo.ts';
export { type HookContext, HOOKS } from './hooks.ts';
export { DEFAULT_ATTR, loadApp, loadServerOptions, parseAppSpec } from './load.ts';
export { createLogger, type Logger } from './logging/log.ts';
export { formatConfig, resolveServeConfig, type ServeRequest } from './config/resolve.ts';
export { collectStats, runAppServer, type RunOptions } from './master/run.ts';
export {
  type AppServerConfig,
  defaultConfig,
  envName,
  LOG_LEVELS,
  OPTIONS,
  type OptionGroup,
  type OptionSpec,
} from './config/schema.ts';
export { appserverErrors, type AppserverErrorCodes } from './errors.ts';
export { type StaticMapping, staticMap } from './worker/static.ts';
