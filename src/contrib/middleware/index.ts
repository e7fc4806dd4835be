/**
 * `portico/contrib/middleware`: Django's standard middleware beyond `CommonMiddleware` —
 * security headers and HTTPS redirects, clickjacking protection, gzip, conditional GET —
 * and CORS (django-cors-headers). See docs/contrib/middleware.md.
 *
 * @module
 */
import './checks.ts';

export { checkSecurityMiddleware } from './checks.ts';
export { ConditionalGetMiddleware } from './conditional.ts';
export {
  type CorsSettings,
  CorsMiddleware,
  corsSettings,
  DEFAULT_CORS_HEADERS,
  DEFAULT_CORS_METHODS,
} from './cors.ts';
export {
  compressSequence,
  compressString,
  GZIP_MIN_LENGTH,
  GZipMiddleware,
  MAX_RANDOM_BYTES,
} from './gzip.ts';
export { SecurityMiddleware } from './security.ts';
export { type SecuritySettings, securitySettings } from './settings.ts';
export {
  XFrameOptionsMiddleware,
  xframeOptionsDeny,
  xframeOptionsExempt,
  xframeOptionsSameorigin,
} from './xframe.ts';
export { getConditionalResponse, parseEtags, patchVaryHeaders, quoteEtag } from '../utils/cache.ts';
