/**
 * TSGI, Portico's gateway interface: the types, the compliance validator and the
 * bridges to and from web-standard fetch handlers. See `docs/tsgi.md`.
 *
 * @module
 */

export {
  defineErrors,
  type ErrorCode,
  type ErrorCodes,
  errorLayers,
  type ErrorSpec,
  type ErrorSpecs,
  errorSpec,
  hasCode,
  PorticoError,
  tsgiErrors,
} from './errors.ts';
export {
  assertChunk,
  bodyIterator,
  type BodyIterator,
  chunkBytes,
  chunkLength,
  isPromiseLike,
} from './body.ts';
export { type FetchHandler, fromFetchHandler } from './fetch/from-fetch-handler.ts';
export { toFetchHandler, type ToFetchHandlerOptions } from './fetch/to-fetch-handler.ts';
export { basicFileWrapper, DEFAULT_BLOCK_SIZE } from './file-wrapper.ts';
export { BufferedInput, concatBytes, StreamInput } from './input.ts';
export { consoleErrorStream, describeError, logError, requestLine } from './log.ts';
export { describeLoadFailure, type LoadFailure, loadFailureDetail, ModuleLoadError } from './load-error.ts';
export { closest, didYouMean } from './suggest.ts';
export { ResponseState } from './response-state.ts';
export { decodePathInfo, quotePath, reconstructUrl } from './url.ts';
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
