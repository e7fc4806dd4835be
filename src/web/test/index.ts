/**
 * `portico/web/test`: the test client (Django's `django.test.Client`) and the encoders it
 * uses for form and multipart bodies.
 *
 * @module
 */
export {
  Client,
  type ClientBodyOptions,
  type ClientOptions,
  type ClientRequestOptions,
  TestResponse,
} from './client.ts';
export { encodeForm, encodeMultipart, type FileUpload, type FormData, type FormFiles } from './encode.ts';
