/**
 * TSGI, Portico's gateway interface: the types, the compliance validator and the
 * bridges to and from web-standard fetch handlers. See `docs/tsgi.md`.
 *
 * @module
 */
export type * from './types.ts';
export { errorCodes, hasCode, PorticoError, type ErrorCode } from './errors.ts';
