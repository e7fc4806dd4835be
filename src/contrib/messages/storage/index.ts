/**
 * The storage the `messages` section names.
 *
 * @module
 */
import type { HttpRequest } from '../../../web/http/request.ts';
import { messagesSettingsOf } from '../settings.ts';
import type { BaseStorage } from './base.ts';
import { CookieStorage } from './cookie.ts';
import { FallbackStorage } from './fallback.ts';
import { SessionStorage } from './session.ts';

const STORAGES = { cookie: CookieStorage, session: SessionStorage, fallback: FallbackStorage } as const;

/** A new storage of the configured kind for `request` (Django's `default_storage`). */
export function defaultStorage(request: HttpRequest): BaseStorage {
  return new STORAGES[messagesSettingsOf(request.settings).storage](request);
}
