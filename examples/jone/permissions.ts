/**
 * The seed's `RpcPermission`: the caller proves it is a trusted service by sending the
 * shared secret in `X-Rpc-Secret`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BasePermission, type Request } from '../../src/api/index.ts';
import { rpcSecretFor } from './secret.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Allows a request whose `X-Rpc-Secret` header equals the project's secret (see
 * {@link rpcSecretFor}). Both sides are hashed to the same length first, so the comparison
 * takes the same time whatever the header holds — its length included.
 */
export class RpcPermission extends BasePermission {
  readonly message = 'A valid X-Rpc-Secret header is required.';
  readonly code = 'rpc_secret';

  override hasPermission(request: Request): boolean {
    const secret = rpcSecretFor(request.httpRequest.settings);
    const given = request.httpRequest.headers.get('x-rpc-secret');
    if (secret === null || typeof given !== 'string' || given === '') return false;
    return timingSafeEqual(digest(given), digest(secret));
  }
}
