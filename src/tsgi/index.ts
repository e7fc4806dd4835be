/**
 * TSGI, Portico's gateway interface: the types, the compliance validator and the
 * bridges to and from web-standard fetch handlers. See `docs/tsgi.md`.
 *
 * @module
 */

export { type ErrorCode, errorCodes, hasCode, PorticoError } from './errors.ts';
export {
  basicFileWrapper,
  consoleErrorStream,
  decodePathInfo,
  type FetchHandler,
  fromFetchHandler,
  quotePath,
  reconstructUrl,
  type ToFetchHandlerOptions,
  toFetchHandler,
} from './fetch.ts';
export {
  assertValidHeaders,
  hopByHopHeaders,
  isHeaderName,
  isHeaderValue,
  isHopByHop,
  isToken,
} from './headers.ts';
export { parseStatus, reasonPhrase, reasonPhrases, statusLine } from './status.ts';
export type * from './types.ts';
export {
  type RuleId,
  TsgiViolationError,
  type ValidateOptions,
  type Violation,
  validate,
  validationRules,
} from './validate.ts';
