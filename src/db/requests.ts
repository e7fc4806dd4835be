/**
 * The database layer's part in each request: the handler configures this process's
 * connections from its settings, and with `atomicRequests` on a database runs each view
 * (not the middleware) in a transaction on it — committed when the view returns a
 * response, rolled back when it throws. `nonAtomicRequests(view)` opts a view out.
 *
 * Both go through the framework's view wrapper extension point (`registerViewWrapper`).
 *
 * @module
 */
import type { AnyViewFunction, ResolvedSettings } from '../web/index.ts';
import { registerViewWrapper } from '../web/index.ts';
import { configureDatabases, connections } from './connection.ts';
import { atomic } from './transaction.ts';

const OPT_OUT = Symbol.for('portico.db.nonAtomicRequests');

type Marked = { [OPT_OUT]?: ReadonlySet<string> };

/**
 * Runs this view outside the per-request transaction (on every database, or on those
 * named). Works on function views and on `View.asView()` results; for a class, set
 * `static nonAtomicRequests = true` (or a list of aliases).
 */
export function nonAtomicRequests<V extends AnyViewFunction>(view: V, using?: readonly string[]): V {
  (view as unknown as Marked)[OPT_OUT] = new Set(using ?? ['*']);
  return view;
}

function optedOut(view: AnyViewFunction, alias: string): boolean {
  const marks = (view as unknown as Marked)[OPT_OUT];
  if (marks !== undefined && (marks.has('*') || marks.has(alias))) return true;
  const cls = (view as { viewClass?: { nonAtomicRequests?: boolean | readonly string[] } }).viewClass;
  const flag = cls?.nonAtomicRequests;
  return flag === true || (Array.isArray(flag) && flag.includes(alias));
}

function atomicRequestsWrapper(settings: ResolvedSettings) {
  const databases = (settings as { databases?: ResolvedSettings['databases'] }).databases;
  if (databases === undefined || Object.keys(databases).length === 0) return null;
  configureDatabases({ databases });
  const aliases = Object.entries(databases)
    .filter(([, db]) => db.atomicRequests === true)
    .map(([alias]) => alias);
  if (aliases.length === 0) return null;
  return (view: AnyViewFunction): AnyViewFunction => {
    let wrapped = view;
    for (const alias of aliases) {
      if (optedOut(view, alias)) continue;
      const inner = wrapped;
      wrapped = ((...args: Parameters<AnyViewFunction>) =>
        atomic({ using: alias }, () =>
          (inner as (...a: unknown[]) => unknown)(...args),
        )) as unknown as AnyViewFunction;
    }
    return wrapped;
  };
}

registerViewWrapper(atomicRequestsWrapper);

export { connections };
