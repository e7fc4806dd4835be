/**
 * The uwsgi protocol, server side: the binary protocol nginx speaks with `uwsgi_pass`,
 * as an engine behind the same exchange handler as HTTP. See `docs/deploy.md`.
 *
 * @module
 */
export { createUwsgiEngine, defaultUwsgiAllow, type UwsgiEngine, type UwsgiEngineOptions } from './engine.ts';
export {
  listenSocket,
  listenUwsgi,
  removeStaleSocket,
  type UwsgiListen,
  type UwsgiListenOptions,
  uwsgiUrl,
} from './listen.ts';
export { encodePacket, looksLikeHttp, PacketReader, parseVars, type UwsgiVar } from './packet.ts';
export { requestFromVars } from './request.ts';
export { serveUwsgi, type UwsgiServeOptions, type UwsgiServer } from './serve.ts';
