/**
 * `settings.W001`: a top-level settings key that neither the framework nor a declared
 * section reads — usually a typo, which Django's settings would silently accept.
 *
 * @module
 */
import { CORE_SETTINGS_KEYS, unknownSettingsKeys } from '../../conf/settings.ts';
import { closest } from '../../../tsgi/suggest.ts';
import { settingsSections } from '../../conf/sections.ts';
import type { CheckContext, CheckMessage } from './registry.ts';

/** Warns about every settings key nobody declared, with the closest known key. */
export function checkSettingsKeys({ given }: CheckContext): CheckMessage[] {
  const known = [...CORE_SETTINGS_KEYS, ...settingsSections().map((section) => section.key)];
  return unknownSettingsKeys(given).map((key) => {
    const guess = closest(key, known);
    return {
      level: 'warning',
      id: 'settings.W001',
      message: `settings.${key} is not a setting of the framework or of any declared section${guess === undefined ? '' : ` (did you mean '${guess}'?)`}.`,
      hint: 'Remove it, or declare its section with defineSettingsSection().',
    };
  });
}
