/**
 * `portico/contrib/messages`: one-time messages for the next page (Django's
 * `django.contrib.messages`). See docs/contrib/messages.md.
 *
 * ```ts fragment
 * import * as messages from 'portico/contrib/messages';
 * messages.success(request, 'Note saved.');
 * ```
 *
 * @module
 */
export {
  add,
  type AddOptions,
  addMessage,
  debug,
  error,
  getLevel,
  getMessages,
  info,
  loadMessages,
  MessageFailure,
  setLevel,
  success,
  warning,
} from './api.ts';
export { DEBUG, DEFAULT_LEVELS, DEFAULT_TAGS, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
export { Message } from './message.ts';
export { MessageMiddleware, messagesContextProcessor } from './middleware.ts';
export { type MessageStorageName, type MessagesSettings, messagesSettings } from './settings.ts';
export { BaseStorage } from './storage/base.ts';
export { CookieStorage, MAX_COOKIE_SIZE } from './storage/cookie.ts';
export { FallbackStorage } from './storage/fallback.ts';
export { SessionStorage } from './storage/session.ts';
