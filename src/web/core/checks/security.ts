/**
 * Security checks: `allowedHosts` and `secretKey` always; with `--deploy`, the settings
 * that must differ in production (Django's `security.W009`, `security.W018`).
 *
 * @module
 */
import type { CheckContext, CheckMessage } from './registry.ts';

/** Django's rule for a key too weak to sign with. */
const MIN_SECRET_KEY_LENGTH = 50;
const MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5;
const INSECURE_PREFIXES = ['django-insecure-', 'portico-insecure-'];

/** `allowedHosts` and `secretKey`, in every run. */
export function checkSecurity({ settings }: CheckContext): CheckMessage[] {
  const out: CheckMessage[] = [];
  if (settings.allowedHosts.length === 0) {
    out.push(
      settings.debug
        ? {
            level: 'info',
            id: 'security.I020',
            message: 'settings.allowedHosts is empty: with debug on only localhost names are served.',
            hint: "List the hosts, e.g. ['localhost', '127.0.0.1'].",
          }
        : {
            level: 'error',
            id: 'security.E020',
            message: 'settings.allowedHosts is empty: with debug off every request is refused (400).',
            hint: "List the site's host names.",
          },
    );
  }
  if (settings.secretKey === '') {
    out.push({
      level: 'warning',
      id: 'security.W101',
      message: 'settings.secretKey is not set: signed cookies (and sessions) cannot work.',
      hint: 'Read a long random value from the environment.',
    });
  }
  return out;
}

/** With `--deploy`: debug off, and a secret key strong enough to sign with. */
export function checkDeploySecurity({ settings }: CheckContext): CheckMessage[] {
  const out: CheckMessage[] = [];
  const key = settings.secretKey;
  if (
    key !== '' &&
    (key.length < MIN_SECRET_KEY_LENGTH ||
      new Set(key).size < MIN_SECRET_KEY_UNIQUE_CHARACTERS ||
      INSECURE_PREFIXES.some((prefix) => key.startsWith(prefix)))
  ) {
    out.push({
      level: 'warning',
      id: 'security.W009',
      message: `settings.secretKey has fewer than ${MIN_SECRET_KEY_LENGTH} characters, fewer than ${MIN_SECRET_KEY_UNIQUE_CHARACTERS} distinct ones, or an insecure prefix: it is easy to guess.`,
      hint: 'Generate a long random key (node -e "console.log(crypto.randomBytes(48).toString(\'base64url\'))") and read it from the environment.',
    });
  }
  if (settings.debug) {
    out.push({
      level: 'warning',
      id: 'security.W018',
      message: 'settings.debug is true in deployment: error pages show code, settings and requests.',
      hint: 'Set debug to false in production.',
    });
  }
  return out;
}
