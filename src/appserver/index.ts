/**
 * Portico's application server — what uWSGI and gunicorn are to Python: a master process
 * that forks workers serving a TSGI application, replaces them, reloads them without
 * dropping requests, and reports on them. See `docs/appserver.md`.
 *
 * @module
 */
export { type AccessRecord, compileAccessLog } from './access-log.ts';
export { type CheaperPolicy, cheaperDecision } from './cheaper.ts';
export {
  mergeLayers,
  objectLayer,
  parseArgv,
  readConfigFile,
  readEnv,
  type ResolvedConfig,
} from './config.ts';
export { FIFO_COMMANDS } from './fifo.ts';
export { type HookContext, HOOKS } from './hooks.ts';
export { DEFAULT_ATTR, loadApp, loadServerOptions, parseAppSpec } from './load.ts';
export { createLogger, type Logger } from './log.ts';
export { formatConfig, resolveServeConfig, type ServeRequest } from './resolve.ts';
export { collectStats, runAppServer, type RunOptions } from './run.ts';
export {
  type AppServerConfig,
  defaultConfig,
  envName,
  LOG_LEVELS,
  OPTIONS,
  type OptionGroup,
  type OptionSpec,
} from './schema.ts';
export { appserverErrors, type AppserverErrorCodes } from './errors.ts';
