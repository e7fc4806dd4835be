/**
 * The `hello` application as a module `portico serve` can load: a synchronous TSGI app
 * with an array body, the same as `portico.ts` serves in-process.
 */
import type { Application } from '../../src/tsgi/types.ts';

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [JSON.stringify({ hello: 'world' })];
};
