/**
 * `portico/api/test`: the API test client.
 *
 * @module
 */
export { APIClient, type APIClientOptions, type APIRequestOptions, type RequestFormat } from './client.ts';
