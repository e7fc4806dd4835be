/**
 * Lifecycle hooks named in the config as `MODULE:FUNCTION` (gunicorn's server hooks):
 * `on-starting`, `when-ready`, `pre-fork`, `worker-exit` and `on-exit` run in the master,
 * `post-fork` in each new worker before it loads the application. A hook may be async;
 * it is awaited.
 *
 * @module
 */
import { PorticoError } from '../tsgi/errors.ts';
import { loadFunction } from './load.ts';
import type { AppServerConfig } from './config/schema.ts';

/** The hooks and the options naming them. */
export const HOOKS = {
  onStarting: 'on-starting',
  whenReady: 'when-ready',
  preFork: 'pre-fork',
  postFork: 'post-fork',
  workerExit: 'worker-exit',
  onExit: 'on-exit',
} as const;

/** A hook's name (its config key). */
export type HookName = keyof typeof HOOKS;

/** What a hook receives: always the merged config, plus what the event is about. */
export interface HookContext {
  config: AppServerConfig;
  /** The worker, for fork and exit hooks. */
  worker?: { id: number; pid?: number; code?: number | null; signal?: string | null; reason?: string };
}

/**
 * Runs the hook named by `config[name]`, if any. Throws a `PORTICO_ERR_HOOK_FAILED` error
 * naming the hook when it cannot be loaded or throws.
 */
export async function runHook(name: HookName, context: HookContext): Promise<void> {
  const spec = context.config[name];
  if (spec === undefined) return;
  try {
    const hook = await loadFunction(spec, 'a function', 'PORTICO_ERR_HOOK_FAILED');
    await (hook as (context: HookContext) => unknown)(context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PorticoError('PORTICO_ERR_HOOK_FAILED', `${HOOKS[name]} hook ${spec} failed: ${reason}`, {
      cause: error,
    });
  }
}
