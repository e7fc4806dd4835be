/**
 * Transactions, Django's way: `atomic()` blocks carried by AsyncLocalStorage, so every
 * query made inside one — through a manager, a queryset, an instance or the raw Kysely
 * handle from {@link executor} — runs in that transaction. Nested blocks are savepoints; a
 * durable block inside another is an error; `onCommit` callbacks run after the outermost
 * commit, are dropped with a savepoint that rolls back, and run at once outside a
 * transaction.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ControlledTransaction, type DatabaseConnection, type Kysely, sql } from 'kysely';
import { TransactionManagementError } from './errors.ts';
import { connections } from './connection.ts';
import { onQuery, setConnectionRouting } from './backends/errors.ts';

/** Options of {@link atomic}. */
export interface AtomicOptions {
  /** The database (default `default`). */
  readonly using?: string;
  /** Make a savepoint when nested (default true); without one, an error rolls back the enclosing block. */
  readonly savepoint?: boolean;
  /** Must be the outermost block: an error when another block is open. */
  readonly durable?: boolean;
}

interface Callback {
  readonly fn: () => unknown;
  /** The savepoint depth it was registered at. */
  depth: number;
}

/** An open transaction on one database. */
interface Scope {
  readonly alias: string;
  /** The driver's connection the transaction runs on (lent to queries on the root handle). */
  connection?: DatabaseConnection;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables.
  readonly executor: Kysely<any>;
  depth: number;
  savepoints: number;
  readonly callbacks: Callback[];
  /** Set by a test case: commits are not real, callbacks are kept. */
  readonly testCase?: boolean;
  /** The depth whose block must roll back when it exits (`setRollback`), or undefined. */
  rollbackDepth?: number | undefined;
}

type Scopes = ReadonlyMap<string, Scope>;

const storage = new AsyncLocalStorage<Scopes>();

/** Scopes whose transaction is being begun in this context (to learn their connection). */
const beginning = new AsyncLocalStorage<Scope>();

setConnectionRouting({
  borrowed: (alias) => storage.getStore()?.get(alias)?.connection,
  begun: (alias, connection) => {
    const scope = beginning.getStore();
    if (scope !== undefined && scope.alias === alias) scope.connection = connection;
  },
});

/**
 * The Kysely handle queries on `alias` must use here: the open transaction's, else the
 * database's own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables.
export function executor(alias = 'default'): Kysely<any> {
  const scope = storage.getStore()?.get(alias);
  return scope !== undefined ? scope.executor : connections.get(alias).kysely;
}

/** Whether a transaction is open on `alias` in this async context. */
export function inAtomicBlock(alias = 'default'): boolean {
  return storage.getStore()?.get(alias) !== undefined;
}

function withScope<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
  const current = storage.getStore();
  const next = new Map(current ?? []);
  next.set(scope.alias, scope);
  return storage.run(next, fn);
}

/**
 * Runs `fn` in a transaction (a savepoint when one is open); commits when it resolves,
 * rolls back and rethrows when it throws.
 */
export function atomic<T>(fn: () => Promise<T> | T): Promise<T>;
export function atomic<T>(options: AtomicOptions, fn: () => Promise<T> | T): Promise<T>;
export async function atomic<T>(
  a: AtomicOptions | (() => Promise<T> | T),
  b?: () => Promise<T> | T,
): Promise<T> {
  const options = typeof a === 'function' ? {} : a;
  const fn = (typeof a === 'function' ? a : b) as () => Promise<T> | T;
  const alias = options.using ?? 'default';
  const scope = storage.getStore()?.get(alias);
  if (scope !== undefined) {
    if (options.durable === true && !scope.testCase)
      throw new TransactionManagementError(
        'A durable atomic block cannot be nested within another atomic block.',
      );
    if (options.savepoint === false) return await fn();
    return nested(scope, fn);
  }
  return outermost(alias, fn);
}

async function nested<T>(scope: Scope, fn: () => Promise<T> | T): Promise<T> {
  const name = sql.raw(`p${++scope.savepoints}`);
  await sql`savepoint ${name}`.execute(scope.executor);
  scope.depth += 1;
  const depth = scope.depth;
  try {
    const result = await fn();
    if (scope.rollbackDepth === depth) {
      // Marked by setRollback(): undo this block's work but return normally.
      scope.rollbackDepth = undefined;
      throw new RollbackMarked(result);
    }
    await sql`release savepoint ${name}`.execute(scope.executor);
    // The callbacks now belong to the enclosing block.
    for (const c of scope.callbacks) if (c.depth >= depth) c.depth = depth - 1;
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${name}`.execute(scope.executor);
    await sql`release savepoint ${name}`.execute(scope.executor);
    for (let i = scope.callbacks.length - 1; i >= 0; i--)
      if ((scope.callbacks[i] as Callback).depth >= depth) scope.callbacks.splice(i, 1);
    if (error instanceof RollbackMarked) return error.result as T;
    throw error;
  } finally {
    scope.depth = depth - 1;
  }
}

async function outermost<T>(alias: string, fn: () => Promise<T> | T): Promise<T> {
  const db = connections.get(alias);
  const pending = { alias } as Scope;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables.
  const trx: ControlledTransaction<any> = await beginning.run(pending, () =>
    db.kysely.startTransaction().execute(),
  );
  const scope: Scope = {
    alias,
    executor: trx,
    depth: 0,
    savepoints: 0,
    callbacks: [],
    ...(pending.connection ? { connection: pending.connection } : {}),
  };
  let result: T;
  try {
    result = await withScope(scope, async () => fn());
  } catch (error) {
    await trx.rollback().execute();
    throw error;
  }
  if (scope.rollbackDepth === 0) {
    // Marked by setRollback(): roll back, drop the callbacks, answer normally.
    await trx.rollback().execute();
    return result;
  }
  await trx.commit().execute();
  await runCallbacks(scope.callbacks);
  return result;
}

/** Carries a block's result through the savepoint rollback that `setRollback()` asked for. */
class RollbackMarked {
  readonly result: unknown;
  constructor(result: unknown) {
    this.result = result;
  }
}

/**
 * Marks the innermost atomic block on `using` to roll back when it exits, even though it
 * exits normally (Django's `transaction.set_rollback(True)`; `false` unmarks it). The API
 * layer's exception handler uses it so a request answered with an error under
 * `atomicRequests` commits nothing.
 *
 * @throws TransactionManagementError outside an atomic block.
 */
export function setRollback(rollback: boolean, using = 'default'): void {
  const scope = storage.getStore()?.get(using);
  if (scope === undefined)
    throw new TransactionManagementError("The rollback flag doesn't work outside of an 'atomic' block.");
  if (rollback) scope.rollbackDepth = scope.depth;
  else if (scope.rollbackDepth === scope.depth) scope.rollbackDepth = undefined;
}

/** Whether the innermost atomic block on `using` is marked to roll back. */
export function getRollback(using = 'default'): boolean {
  const scope = storage.getStore()?.get(using);
  return scope !== undefined && scope.rollbackDepth === scope.depth;
}

async function runCallbacks(callbacks: readonly Callback[]): Promise<void> {
  for (const callback of callbacks) await callback.fn();
}

/**
 * Runs `fn` after the outermost transaction on `using` commits (dropped if it, or the
 * savepoint it was registered in, rolls back); at once when no transaction is open.
 */
export async function onCommit(fn: () => unknown, options: { using?: string } = {}): Promise<void> {
  const scope = storage.getStore()?.get(options.using ?? 'default');
  if (scope === undefined) {
    await fn();
    return;
  }
  scope.callbacks.push({ fn, depth: scope.depth });
}

/**
 * Runs `fn` in a transaction that is always rolled back (a test case's isolation): atomic
 * blocks inside it are savepoints, durable ones allowed, and the `onCommit` callbacks
 * registered are returned instead of run (run them with `execute: true`).
 */
export async function rolledBack<T>(
  fn: () => Promise<T> | T,
  options: { using?: string; executeCallbacks?: boolean } = {},
): Promise<{ result: T; callbacks: Array<() => unknown> }> {
  const alias = options.using ?? 'default';
  const pending = { alias } as Scope;
  const trx = await beginning.run(pending, () => connections.get(alias).kysely.startTransaction().execute());
  const scope: Scope = {
    alias,
    executor: trx,
    depth: 0,
    savepoints: 0,
    callbacks: [],
    testCase: true,
    ...(pending.connection ? { connection: pending.connection } : {}),
  };
  try {
    const result = await withScope(scope, async () => fn());
    const callbacks = scope.callbacks.map((c) => c.fn);
    if (options.executeCallbacks === true) await runCallbacks(scope.callbacks);
    return { result, callbacks };
  } finally {
    await trx.rollback().execute();
  }
}

/**
 * Runs `fn` with queries on `alias` going to `kysely` (a connection the caller holds, as
 * the migration executor does): atomic blocks inside are savepoints on it.
 */
export function usingConnection<T>(
  alias: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models' tables.
  kysely: Kysely<any>,
  fn: () => Promise<T>,
): Promise<T> {
  return withScope({ alias, executor: kysely, depth: 0, savepoints: 0, callbacks: [] }, fn);
}

/**
 * Runs `fn` and returns the SQL of the statements it ran (Django's
 * `CaptureQueriesContext`, for asserting how many queries a piece of code makes).
 */
export async function captureQueries<T>(fn: () => T): Promise<{ result: Awaited<T>; queries: string[] }> {
  const queries: string[] = [];
  const stop = onQuery((text) => queries.push(text));
  try {
    return { result: await fn(), queries };
  } finally {
    stop();
  }
}
