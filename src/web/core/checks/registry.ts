/**
 * The system-check registry (Django's `django.core.checks`): configuration mistakes found
 * before the first request, each with a level and a stable id. The framework's own checks
 * and every layer's register here; `portico check` (or a test) runs them.
 *
 * @module
 */
import type { ResolvedSettings, Settings } from '../../conf/settings.ts';
import type { URLEntry } from '../../urls/conf.ts';

/** How serious a finding is, least first (Django's levels). */
export const CHECK_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;

/** One of {@link CHECK_LEVELS}. */
export type CheckLevel = (typeof CHECK_LEVELS)[number];

/** One finding. */
export interface CheckMessage {
  readonly level: CheckLevel;
  /** A stable id, `tag.LNNN` with L the level's initial: `security.W018`, `urls.E003`. */
  readonly id: string;
  /** What is wrong: one line. */
  readonly message: string;
  /** How to fix it, when that is not obvious from the message. */
  readonly hint?: string;
  /** The error code, when the finding is an error that stopped the settings from loading. */
  readonly code?: string;
}

/** What a check is given. */
export interface CheckContext {
  /** The settings, resolved. */
  readonly settings: ResolvedSettings;
  /** The settings as the project wrote them (to spot keys nobody reads). */
  readonly given: Settings;
  /** The root URLconf's entries. */
  readonly urlpatterns: readonly URLEntry[];
  /** True for `portico check --deploy`. */
  readonly deploy: boolean;
}

/** A check: returns its findings (none when all is well). */
export type Check = (context: CheckContext) => readonly CheckMessage[];

/** Options of {@link registerCheck}. */
export interface RegisterCheckOptions {
  /** Tags to select the check with (`portico check --tag security`). */
  readonly tags?: readonly string[];
  /** Run only for `portico check --deploy` (settings that matter in production). */
  readonly deploy?: boolean;
}

/** A registered check. */
export interface RegisteredCheck {
  readonly check: Check;
  readonly tags: readonly string[];
  readonly deploy: boolean;
}

const registry: RegisteredCheck[] = [];

/**
 * Registers a system check, once (registering the same function again does nothing).
 *
 * @example
 * ```ts
 * registerCheck(({ settings }) =>
 *   settings.blog.pageSize > 100
 *     ? [{ level: 'warning', id: 'blog.W001', message: 'blog.pageSize above 100 makes slow pages' }]
 *     : [], { tags: ['blog'] });
 * ```
 */
export function registerCheck(check: Check, options: RegisterCheckOptions = {}): void {
  if (registry.some((entry) => entry.check === check)) return;
  registry.push(
    Object.freeze({ check, tags: Object.freeze([...(options.tags ?? [])]), deploy: options.deploy === true }),
  );
}

/** The registered checks, in registration order. */
export function registeredChecks(): readonly RegisteredCheck[] {
  return [...registry];
}

/** True when `message` is at least as serious as `level`. */
export function atLeast(message: CheckMessage, level: CheckLevel): boolean {
  return CHECK_LEVELS.indexOf(message.level) >= CHECK_LEVELS.indexOf(level);
}
