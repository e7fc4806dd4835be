/**
 * The `messages` settings section (Django's `MESSAGE_STORAGE`, `MESSAGE_LEVEL`, `MESSAGE_TAGS`).
 *
 * @module
 */
import { validateSection } from '../../web/conf/sections.ts';
import { defineSettingsSection, settingsSchema } from '../../web/index.ts';
import { DEFAULT_TAGS, INFO } from './constants.ts';

/** Where messages wait for the next request. */
export type MessageStorageName = 'fallback' | 'cookie' | 'session';

/** The `messages` section. */
export interface MessagesSettings {
  /**
   * `'fallback'` (default: a signed cookie, and the session for what does not fit),
   * `'cookie'` or `'session'`.
   */
  readonly storage: MessageStorageName;
  /** Messages below this level are dropped when added. Default 20 (INFO). */
  readonly level: number;
  /** Tags by level, merged over the defaults (`{ 40: 'danger' }` for Bootstrap). */
  readonly tags: Readonly<Record<number, string>>;
}

const STORAGES = ['fallback', 'cookie', 'session'];

/** The `messages` section, validated at start-up. */
export const messagesSettings = defineSettingsSection(
  'messages',
  settingsSchema<MessagesSettings>(
    { storage: 'fallback', level: INFO, tags: {} },
    {
      check(s) {
        if (!STORAGES.includes(s.storage)) return ['storage', `must be one of ${STORAGES.join(', ')}`];
        if (!Number.isInteger(s.level)) return ['level', 'must be an integer level (10, 20, 25, 30, 40, …)'];
        for (const [level, tag] of Object.entries(s.tags)) {
          if (!Number.isInteger(Number(level)) || typeof tag !== 'string')
            return ['tags', 'must map integer levels to strings'];
        }
        return undefined;
      },
    },
  ),
);

declare module '../../web/index.ts' {
  interface SettingsSections {
    messages: typeof messagesSettings;
  }
}

let defaults: MessagesSettings | undefined;

/** The section of these settings (the defaults when they predate this module). */
export function messagesSettingsOf(settings: unknown): MessagesSettings {
  return (
    (settings as { messages?: MessagesSettings }).messages ??
    (defaults ??= validateSection(messagesSettings, undefined))
  );
}

const tagsCache = new WeakMap<MessagesSettings, Readonly<Record<number, string>>>();

/** The level tags in effect: the defaults, then the section's (merged once per settings). */
export function levelTags(settings: MessagesSettings): Readonly<Record<number, string>> {
  let tags = tagsCache.get(settings);
  if (tags === undefined) {
    tags = Object.freeze({ ...DEFAULT_TAGS, ...settings.tags });
    tagsCache.set(settings, tags);
  }
  return tags;
}
