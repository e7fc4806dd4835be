/**
 * Where the files the app server starts in other processes and threads are (the worker
 * entry, the harakiri thread). In a checkout Portico runs its TypeScript sources (Node
 * strips the types); installed as a package it runs the compiled `dist/*.js`, because
 * Node does not strip types under `node_modules`. The entry must be the same kind of file
 * as the module asking for it, or an installed Portico would fork workers that cannot start.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';

/**
 * The path of module `name` (relative, without extension) from the module at `moduleUrl`,
 * with the asking module's extension:
 * `src/appserver/master/master.ts` + `../worker/worker-main` → `src/appserver/worker/worker-main.ts`,
 * `dist/appserver/master/master.js` + `../worker/worker-main` → `dist/appserver/worker/worker-main.js`.
 */
export function siblingModule(moduleUrl: string, name: string): string {
  const extension = /\.[cm]?ts$/.test(new URL(moduleUrl).pathname) ? '.ts' : '.js';
  const relative = name.startsWith('.') ? name : `./${name}`;
  // fileURLToPath, not URL.pathname: the latter keeps %20 for a space in the path.
  return fileURLToPath(new URL(`${relative}${extension}`, moduleUrl));
}
