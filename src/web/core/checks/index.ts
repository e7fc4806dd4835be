/**
 * The system checks: the registry (re-exported), the framework's own checks, registered
 * here, and {@link runChecks}. `portico check` runs them; so can a test:
 * `assert.deepEqual(runChecks(settings), [])`.
 *
 * @module
 */
import { resolveSettings, type ResolvedSettings, type Settings } from '../../conf/settings.ts';
import { urlpatternsOf, type URLEntry } from '../../urls/conf.ts';
import { RootResolver } from '../../urls/resolver.ts';
import { checkMiddleware } from './middleware.ts';
import { atLeast, type CheckLevel, type CheckMessage, registerCheck, registeredChecks } from './registry.ts';
import { checkDeploySecurity, checkSecurity } from './security.ts';
import { checkSettingsKeys } from './settings.ts';
import { checkUrlNames } from './urls.ts';

export { checkMiddleware, type MiddlewareRequirements } from './middleware.ts';
export { checkUrlNames } from './urls.ts';
export * from './registry.ts';

registerCheck(checkSettingsKeys, { tags: ['settings'] });
registerCheck(({ settings }) => checkMiddleware(settings.middleware), { tags: ['middleware'] });
registerCheck(({ urlpatterns }) => checkUrlNames(urlpatterns), { tags: ['urls'] });
registerCheck(checkSecurity, { tags: ['security'] });
registerCheck(checkDeploySecurity, { tags: ['security'], deploy: true });

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** Include the checks registered with `deploy: true`. Default false. */
  readonly deploy?: boolean;
  /** Run only the checks with one of these tags. Default: all. */
  readonly tags?: readonly string[];
  /** Where the settings came from, for messages. */
  readonly source?: string;
  /** Keep messages at this level or above. Default `'debug'` (all). */
  readonly minLevel?: CheckLevel;
}

/**
 * Runs the registered checks on `settings`, leaving out the ids in
 * `settings.silencedSystemChecks`. Settings that cannot be resolved, or a URLconf that
 * cannot be compiled, give one `core.E001` critical message (nothing past it can be
 * checked).
 */
export function runChecks(settings: Settings, options: RunChecksOptions = {}): CheckMessage[] {
  let resolved: ResolvedSettings;
  let urlpatterns: readonly URLEntry[];
  try {
    resolved = resolveSettings(settings, options.source === undefined ? {} : { source: options.source });
    urlpatterns = urlpatternsOf(resolved.rootUrlconf);
    new RootResolver(resolved.rootUrlconf);
  } catch (error) {
    return [messageFromError(error)];
  }
  const deploy = options.deploy === true;
  const context = { settings: resolved, given: settings, urlpatterns, deploy };
  const silenced = new Set(resolved.silencedSystemChecks);
  const out: CheckMessage[] = [];
  for (const entry of registeredChecks()) {
    if (entry.deploy && !deploy) continue;
    if (options.tags !== undefined && !entry.tags.some((tag) => options.tags?.includes(tag))) continue;
    for (const message of entry.check(context)) {
      if (silenced.has(message.id) || !atLeast(message, options.minLevel ?? 'debug')) continue;
      out.push(message);
    }
  }
  return out;
}

/** Every tag a registered check carries, sorted (`portico check --list-tags`). */
export function checkTags(): string[] {
  return [...new Set(registeredChecks().flatMap((entry) => entry.tags))].sort();
}

/** A configuration error (an ImproperlyConfigured, say) as a `core.E001` critical message. */
export function messageFromError(error: unknown): CheckMessage {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    level: 'critical',
    id: 'core.E001',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
