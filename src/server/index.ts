/**
 * Portico's TSGI server over HTTP/1.1. See `docs/server.md`.
 *
 * @module
 */
export type { CloseWatcher, Exchange, HttpEngine, RequestHead } from './engine.ts';
export type { Mount } from './mounts.ts';
export { defaultServerOptions, type ServerOptions } from './options.ts';
export { createHttp1Engine } from './http1/engine.ts';
export { createNodeEngine } from './node-engine.ts';
export { createExchangeHandler, createHttpEngine, serve, type TsgiServer } from './server.ts';
export {
  createUwsgiEngine,
  listenSocket,
  listenUwsgi,
  removeStaleSocket,
  serveUwsgi,
  type UwsgiEngine,
  type UwsgiListen,
  type UwsgiServeOptions,
  type UwsgiServer,
} from './uwsgi/index.ts';
export { serverErrors, type ServerErrorCodes } from './errors.ts';
